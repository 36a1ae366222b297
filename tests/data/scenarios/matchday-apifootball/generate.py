#!/usr/bin/env python3
"""Writes the match day of `make demo` (../matchday/, Sofascore shapes) again in API-Football v3
shapes, for the fake API-Football server (tests/fakes/, fake-apifootball).

Not needed at run time: the JSON files next to this script are committed.  Run it again
(`python3 tests/data/scenarios/matchday-apifootball/generate.py`) only to change the replay; it
rewrites every *.json of this folder, scenario.json included.

The matches, teams, players, minutes, ratings, goals, cards, substitutions and team statistics
are those of ../matchday/generate.py (same fixture, team and player ids, same names), written
here on their own.  Shapes follow the real API-Football v3 bodies of
../shared/apifootball-samples/ (README there).  Every time is B + offset with B = base_time: the
fake moves B to the moment it starts (numbers under "timestamp" and periods.first/second,
ISO date-times under "date" and "update").
"""
import datetime
import json
import os
import zlib

OUT = os.path.dirname(os.path.abspath(__file__))
B = 1790000000  # base_time: 2026-09-21T14:13:20+00:00
DAY = 86400
MEDIA = "https://media.api-sports.io"

# ============================================================ leagues
# id: (name, country, flag, season, round)
LEAGUES = {
    39: ("Premier League", "England", "gb-eng", 2026),
    140: ("La Liga", "Spain", "es", 2026),
    135: ("Serie A", "Italy", "it", 2026),
    78: ("Bundesliga", "Germany", "de", 2026),
    61: ("Ligue 1", "France", "fr", 2026),
    88: ("Eredivisie", "Netherlands", "nl", 2026),
}


def league(lid, rnd):
    name, country, flag, season = LEAGUES[lid]
    return {"id": lid, "name": name, "country": country,
            "logo": "%s/football/leagues/%d.png" % (MEDIA, lid),
            "flag": "%s/flags/%s.svg" % (MEDIA, flag), "season": season, "round": rnd,
            "standings": True}


def round_name(n):
    return "Regular Season - %d" % n


# ============================================================ teams
# The ids and names of the Sofascore match day (not API-Football's own ids), so the two
# replays can be compared.  id: (name, venue, city, coach)
TEAMS = {
    17: ("Manchester City", "Etihad Stadium", "Manchester", "Pep Guardiola"),
    42: ("Arsenal", "Emirates Stadium", "London", "Mikel Arteta"),
    44: ("Liverpool", "Anfield", "Liverpool", "Arne Slot"),
    38: ("Chelsea", "Stamford Bridge", "London", "Enzo Maresca"),
    48: ("Everton", "Hill Dickinson Stadium", "Liverpool", "David Moyes"),
    43: ("Fulham", "Craven Cottage", "London", "Marco Silva"),
    30: ("Brighton & Hove Albion", "American Express Stadium", "Brighton", "Fabian Hürzeler"),
    3: ("Wolverhampton", "Molineux Stadium", "Wolverhampton", "Vítor Pereira"),
    33: ("Tottenham Hotspur", "Tottenham Hotspur Stadium", "London", "Thomas Frank"),
    39: ("Newcastle United", "St. James' Park", "Newcastle upon Tyne", "Eddie Howe"),
    40: ("Aston Villa", "Villa Park", "Birmingham", "Unai Emery"),
    37: ("West Ham United", "London Stadium", "London", "Nuno Espírito Santo"),
    50: ("Brentford", "Gtech Community Stadium", "London", "Keith Andrews"),
    6: ("Burnley", "Turf Moor", "Burnley", "Scott Parker"),
    # the other six Premier League teams (standings only; ids of tests/data/scenarios/
    # sofashapes.py)
    35: ("Manchester United", "Old Trafford", "Manchester", None),
    7: ("Crystal Palace", "Selhurst Park", "London", None),
    60: ("Bournemouth", "Vitality Stadium", "Bournemouth", None),
    14: ("Nottingham Forest", "The City Ground", "Nottingham", None),
    34: ("Leeds United", "Elland Road", "Leeds", None),
    41: ("Sunderland", "Stadium of Light", "Sunderland", None),
    # other leagues: in the day lists only, to be ignored
    2829: ("Real Madrid", "Santiago Bernabéu", "Madrid", None),
    2817: ("Barcelona", "Spotify Camp Nou", "Barcelona", None),
    2697: ("Inter", "Stadio Giuseppe Meazza", "Milano", None),
    2692: ("AC Milan", "Stadio Giuseppe Meazza", "Milano", None),
    2672: ("Bayern München", "Allianz Arena", "München", None),
    2673: ("Borussia Dortmund", "Signal Iduna Park", "Dortmund", None),
    1644: ("Paris Saint Germain", "Parc des Princes", "Paris", None),
    1641: ("Marseille", "Orange Vélodrome", "Marseille", None),
    2953: ("Ajax", "Johan Cruijff ArenA", "Amsterdam", None),
    2952: ("PSV Eindhoven", "Philips Stadion", "Eindhoven", None),
    2687: ("Juventus", "Allianz Stadium", "Torino", None),
    2714: ("Napoli", "Stadio Diego Armando Maradona", "Napoli", None),
    2836: ("Atletico Madrid", "Estadio Riyadh Air Metropolitano", "Madrid", None),
    2833: ("Sevilla", "Estadio Ramón Sánchez Pizjuán", "Sevilla", None),
}
PL = [17, 42, 44, 38, 48, 43, 30, 3, 33, 39, 40, 37, 50, 6, 35, 7, 60, 14, 34, 41]


def logo(tid):
    return "%s/football/teams/%d.png" % (MEDIA, tid)


def team_ref(tid):
    """{id, name, logo}: an event's or a statistics entry's team."""
    return {"id": tid, "name": TEAMS[tid][0], "logo": logo(tid)}


# ============================================================ players
# Squads of the Sofascore match day: (name, position, shirt worn, fixed id or None).  The
# first 11 start (in line-up order: goalkeeper, then each line of the formation), the next 7
# are the bench.  Ids are the Sofascore ones: fixed, or 100000 + crc32(name) % 1400000.
SQUADS = {
    17: [("James Trafford", "G", 1, 1101583), ("Matheus Nunes", "D", 27, 827606),
         ("Rúben Dias", "D", 3, 794839), ("Joško Gvardiol", "D", 24, 873560),
         ("Nico O'Reilly", "D", 33, 1402912), ("Rodri", "M", 16, 581310),
         ("Tijjani Reijnders", "M", 4, 993214), ("Bernardo Silva", "M", 20, 331209),
         ("Phil Foden", "F", 47, 859025), ("Erling Haaland", "F", 9, 839956),
         ("Jérémy Doku", "F", 11, 934235),
         ("Gianluigi Donnarumma", "G", 25, 190150), ("John Stones", "D", 5, 152077),
         ("Nathan Aké", "D", 6, 283026), ("Mateo Kovačić", "M", 8, 143811),
         ("Rayan Cherki", "M", 10, 1023413), ("Omar Marmoush", "F", 7, 902715),
         ("Savinho", "F", 26, 1113466)],
    42: [("David Raya", "G", 1, 581316), ("Jurriën Timber", "D", 12, 934386),
         ("William Saliba", "D", 2, 859773), ("Gabriel", "D", 6, 869792),
         ("Riccardo Calafiori", "D", 33, 1007812), ("Declan Rice", "M", 41, 825133),
         ("Martín Zubimendi", "M", 36, 1000029), ("Martin Ødegaard", "M", 8, 795222),
         ("Bukayo Saka", "F", 7, 934236), ("Eberechi Eze", "F", 10, 868812),
         ("Viktor Gyökeres", "F", 14, 911023),
         ("Kepa Arrizabalaga", "G", 13, 189920), ("Piero Hincapié", "D", 5, 1041920),
         ("Ben White", "D", 4, 795064), ("Mikel Merino", "M", 23, 937442),
         ("Gabriel Martinelli", "F", 11, 928130), ("Leandro Trossard", "F", 19, 358711),
         ("Noni Madueke", "F", 20, 1003871)],
    44: [("Alisson", "G", 1, 243609), ("Jeremie Frimpong", "D", 30, None),
         ("Ibrahima Konaté", "D", 5, None), ("Virgil van Dijk", "D", 4, 151545),
         ("Milos Kerkez", "D", 6, None), ("Ryan Gravenberch", "M", 38, None),
         ("Dominik Szoboszlai", "M", 8, None), ("Mohamed Salah", "F", 11, 159665),
         ("Florian Wirtz", "M", 7, None), ("Cody Gakpo", "F", 18, None),
         ("Alexander Isak", "F", 9, None),
         ("Giorgi Mamardashvili", "G", 25, None), ("Joe Gomez", "D", 2, None),
         ("Andrew Robertson", "D", 26, None), ("Alexis Mac Allister", "M", 10, None),
         ("Curtis Jones", "M", 17, None), ("Hugo Ekitike", "F", 22, None),
         ("Federico Chiesa", "F", 14, None)],
    38: [("Robert Sánchez", "G", 1, None), ("Reece James", "D", 24, None),
         ("Wesley Fofana", "D", 29, None), ("Levi Colwill", "D", 6, None),
         ("Marc Cucurella", "D", 3, None), ("Moisés Caicedo", "M", 25, None),
         ("Enzo Fernández", "M", 8, None), ("Cole Palmer", "M", 10, None),
         ("Estêvão", "F", 41, None), ("Pedro Neto", "F", 7, None),
         ("João Pedro", "F", 20, None),
         ("Filip Jörgensen", "G", 12, None), ("Trevoh Chalobah", "D", 23, None),
         ("Malo Gusto", "D", 27, None), ("Andrey Santos", "M", 17, None),
         ("Alejandro Garnacho", "F", 49, None), ("Liam Delap", "F", 9, None),
         ("Jamie Gittens", "F", 11, None)],
    30: [("Bart Verbruggen", "G", 1, None), ("Joël Veltman", "D", 34, None),
         ("Jan Paul van Hecke", "D", 6, None), ("Lewis Dunk", "D", 5, None),
         ("Maxim De Cuyper", "D", 29, None), ("Carlos Baleba", "M", 17, None),
         ("Yasin Ayari", "M", 26, None), ("Yankuba Minteh", "F", 11, None),
         ("Georginio Rutter", "M", 10, None), ("Kaoru Mitoma", "F", 22, None),
         ("Danny Welbeck", "F", 18, None),
         ("Jason Steele", "G", 23, None), ("Olivier Boscagli", "D", 21, None),
         ("Ferdi Kadıoğlu", "D", 24, None), ("Mats Wieffer", "M", 27, None),
         ("Diego Gómez", "M", 8, None), ("Brajan Gruda", "F", 20, None),
         ("Stefanos Tzimas", "F", 9, None)],
    3: [("José Sá", "G", 1, None), ("Santiago Bueno", "D", 4, None),
        ("Emmanuel Agbadou", "D", 18, None), ("Toti Gomes", "D", 24, None),
        ("Jackson Tchatchoua", "D", 38, None), ("André", "M", 7, None),
        ("João Gomes", "M", 8, None), ("Hugo Bueno", "D", 3, None),
        ("Marshall Munetsi", "M", 5, None), ("Hwang Hee-chan", "F", 11, None),
        ("Jørgen Strand Larsen", "F", 9, None),
        ("Sam Johnstone", "G", 31, None), ("Yerson Mosquera", "D", 14, None),
        ("Ki-Jana Hoever", "D", 2, None), ("Jean-Ricner Bellegarde", "M", 27, None),
        ("Rodrigo Gomes", "F", 21, None), ("Fer López", "M", 16, None),
        ("Tolu Arokodare", "F", 20, None)],
    33: [("Guglielmo Vicario", "G", 1, None), ("Pedro Porro", "D", 23, None),
         ("Cristian Romero", "D", 17, None), ("Micky van de Ven", "D", 37, None),
         ("Destiny Udogie", "D", 13, None), ("João Palhinha", "M", 6, None),
         ("Rodrigo Bentancur", "M", 30, None), ("Mohammed Kudus", "F", 20, None),
         ("Xavi Simons", "M", 7, None), ("Mathys Tel", "F", 11, None),
         ("Dominic Solanke", "F", 19, None),
         ("Antonín Kinský", "G", 31, None), ("Kevin Danso", "D", 4, None),
         ("Djed Spence", "D", 24, None), ("Pape Matar Sarr", "M", 29, None),
         ("Lucas Bergvall", "M", 15, None), ("Wilson Odobert", "F", 28, None),
         ("Richarlison", "F", 9, None)],
    39: [("Nick Pope", "G", 22, None), ("Kieran Trippier", "D", 2, None),
         ("Fabian Schär", "D", 5, None), ("Sven Botman", "D", 4, None),
         ("Dan Burn", "D", 33, None), ("Sandro Tonali", "M", 8, None),
         ("Bruno Guimarães", "M", 39, None), ("Joelinton", "M", 7, None),
         ("Jacob Murphy", "F", 23, None), ("Nick Woltemade", "F", 27, None),
         ("Anthony Gordon", "F", 10, None),
         ("Aaron Ramsdale", "G", 32, None), ("Malick Thiaw", "D", 12, None),
         ("Lewis Hall", "D", 3, None), ("Joe Willock", "M", 28, None),
         ("Jacob Ramsey", "M", 41, None), ("Harvey Barnes", "F", 11, None),
         ("Yoane Wissa", "F", 9, None)],
    40: [("Emiliano Martínez", "G", 23, 158263), ("Matty Cash", "D", 2, None),
         ("Ezri Konsa", "D", 4, None), ("Pau Torres", "D", 14, None),
         ("Lucas Digne", "D", 12, None), ("Boubacar Kamara", "M", 44, None),
         ("Youri Tielemans", "M", 8, None), ("John McGinn", "M", 7, None),
         ("Morgan Rogers", "M", 27, None), ("Emiliano Buendía", "M", 10, None),
         ("Ollie Watkins", "F", 11, None),
         ("Marco Bizot", "G", 40, None), ("Tyrone Mings", "D", 5, None),
         ("Ian Maatsen", "D", 22, None), ("Amadou Onana", "M", 24, None),
         ("Harvey Elliott", "M", 9, None), ("Jadon Sancho", "F", 19, None),
         ("Evann Guessand", "F", 29, None)],
    37: [("Alphonse Areola", "G", 23, None), ("Aaron Wan-Bissaka", "D", 29, None),
         ("Max Kilman", "D", 3, None), ("Jean-Clair Todibo", "D", 25, None),
         ("El Hadji Malick Diouf", "D", 12, None), ("Tomáš Souček", "M", 28, None),
         ("Mateus Fernandes", "M", 18, None), ("Jarrod Bowen", "F", 20, None),
         ("Lucas Paquetá", "M", 10, None), ("Crysencio Summerville", "F", 7, None),
         ("Callum Wilson", "F", 9, None),
         ("Mads Hermansen", "G", 1, None), ("Konstantinos Mavropanos", "D", 15, None),
         ("Oliver Scarles", "D", 30, None), ("Soungoutou Magassa", "M", 27, None),
         ("Guido Rodríguez", "M", 24, None), ("George Earthy", "M", 36, None),
         ("Niclas Füllkrug", "F", 11, None)],
    # 9901's scorer and assistant only (the live list carries its events)
    2817: [("Raphinha", "F", 11, None), ("Pedri", "M", 8, None)],
}
CAPTAINS = {17: "Bernardo Silva", 42: "Martin Ødegaard", 44: "Virgil van Dijk",
            38: "Reece James", 30: "Lewis Dunk", 3: "Toti Gomes", 33: "Cristian Romero",
            39: "Bruno Guimarães", 40: "John McGinn", 37: "Jarrod Bowen"}
# API-Football writes most players as "F. Lastname" in line-ups and events (the full name is
# in players[] only); these keep their usual name
KEEP_NAME = {"Bernardo Silva", "Matheus Nunes", "Rúben Dias", "João Pedro", "Pedro Neto",
             "João Palhinha", "João Gomes", "Toti Gomes", "Mateus Fernandes",
             "Hwang Hee-chan", "Andrey Santos", "Rodrigo Gomes", "Fer López",
             "Diego Gómez", "Pedro Porro"}

PLAYERS = {}  # (team, name) -> (id, position, shirt)
for _tid, _rows in SQUADS.items():
    for _name, _pos, _shirt, _fixed in _rows:
        PLAYERS[(_tid, _name)] = (_fixed or 100000 + zlib.crc32(_name.encode()) % 1400000,
                                  _pos, _shirt)
_ids = [p[0] for p in PLAYERS.values()]
assert len(_ids) == len(set(_ids)), "player ids collide"


def pid(tid, name):
    return PLAYERS[(tid, name)][0]


def api_name(name):
    parts = name.split()
    if len(parts) == 1 or name in KEEP_NAME:
        return name
    return parts[0][0] + ". " + " ".join(parts[1:])


def pref(tid, name):
    """{id, name}: an event's player or assist (None: both null)."""
    if name is None:
        return {"id": None, "name": None}
    return {"id": pid(tid, name), "name": api_name(name)}


# ============================================================ times
def iso(ts):
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%S+00:00")


def day(ts):
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime("%Y-%m-%d")


# ============================================================ fixtures
STATUS_LONG = {"NS": "Not Started", "1H": "First Half", "HT": "Halftime", "2H": "Second Half",
               "ET": "Extra Time", "BT": "Break Time", "P": "Penalty in progress",
               "FT": "Match Finished", "AET": "Match Finished", "PEN": "Match Finished",
               "PST": "Match Postponed"}


def pair(h, a):
    return {"home": h, "away": a}


NULLS = pair(None, None)


def fixture(fid, lid, rnd, home, away, start, short, elapsed=None, extra=None, second=None,
            goals=NULLS, ht=NULLS, ft=NULLS, et=NULLS, pen=NULLS, winner=None,
            referee=None):
    """One item of a fixtures answer: fixture, league, teams, goals, score.  winner: "home",
    "away" or None (both null: a draw, or no winner yet)."""
    started = short not in ("NS", "PST", "TBD", "CANC")
    return {
        "fixture": {
            "id": fid, "referee": referee, "timezone": "UTC", "date": iso(start),
            "timestamp": start,
            "periods": {"first": start if started else None, "second": second},
            "venue": {"id": 1000 + home, "name": TEAMS[home][1], "city": TEAMS[home][2]},
            "status": {"long": STATUS_LONG[short], "short": short, "elapsed": elapsed,
                       "extra": extra}},
        "league": league(lid, rnd),
        "teams": {
            "home": {"id": home, "name": TEAMS[home][0], "logo": logo(home),
                     "winner": None if winner is None else winner == "home"},
            "away": {"id": away, "name": TEAMS[away][0], "logo": logo(away),
                     "winner": None if winner is None else winner == "away"}},
        "goals": goals,
        "score": {"halftime": ht, "fulltime": ft, "extratime": et, "penalty": pen},
    }


R12, R13 = round_name(12), round_name(13)
REF_TAYLOR = "Anthony Taylor, England"
REF_OLIVER = "Michael Oliver, England"
REF_HOOPER = "Simon Hooper, England"

# --- round 12 (kick-offs and period starts of the Sofascore match day) ---------------------
S9101 = B - 7200
F9101_2H = fixture(9101, 39, R12, 17, 42, S9101, "2H", 90, 2, second=B - 2820,
                   goals=pair(2, 1), ht=pair(1, 0), winner="home", referee=REF_TAYLOR)
F9101_FT = fixture(9101, 39, R12, 17, 42, S9101, "FT", 90, 5, second=B - 2820,
                   goals=pair(2, 1), ht=pair(1, 0), ft=pair(2, 1), winner="home",
                   referee=REF_TAYLOR)
S9102 = B - 8400
# the shoot-out under way: 2-2 in kicks so far (score.penalty counts live kicks); elapsed
# is null during P, as in the real capture
F9102_P = fixture(9102, 39, R12, 44, 38, S9102, "P", None, None, second=S9102 + 3660,
                  goals=pair(1, 1), ht=pair(0, 1), ft=pair(1, 1), et=pair(0, 0),
                  pen=pair(2, 2), referee=REF_OLIVER)
F9102_PEN = fixture(9102, 39, R12, 44, 38, S9102, "PEN", 120, None, second=S9102 + 3660,
                    goals=pair(1, 1), ht=pair(0, 1), ft=pair(1, 1), et=pair(0, 0),
                    pen=pair(5, 4), winner="home", referee=REF_OLIVER)
F9103 = fixture(9103, 39, R12, 48, 43, B - 3600, "PST")
S9104 = B - 10800
F9104 = fixture(9104, 39, R12, 30, 3, S9104, "FT", 90, 4, second=S9104 + 3720,
                goals=pair(0, 0), ht=pair(0, 0), ft=pair(0, 0), referee=REF_HOOPER)

# --- round 13 -------------------------------------------------------------------------
F9201 = fixture(9201, 39, R13, 33, 39, B + 1800, "NS")
F9202 = fixture(9202, 39, R13, 40, 37, B + 2700, "NS")
F9203 = fixture(9203, 39, R13, 50, 6, B + 14400, "NS")

# --- other leagues: every fixture of the day is listed, the producer keeps league 39 -------
F9901 = fixture(9901, 140, round_name(10), 2829, 2817, B - 1500, "1H", 25, second=None,
                goals=pair(0, 1), ht=pair(0, 1), winner="away",
                referee="José María Sánchez, Spain")
F9902 = fixture(9902, 135, round_name(4), 2697, 2692, B + 16200, "NS")
F9903 = fixture(9903, 78, round_name(4), 2672, 2673, B - 12600, "FT", 90, 3,
                second=B - 12600 + 3600, goals=pair(3, 1), ht=pair(1, 0), ft=pair(3, 1),
                winner="home", referee="Deniz Aytekin, Germany")
F9904 = fixture(9904, 61, round_name(5), 1644, 1641, B - DAY + 23400, "FT", 90, 4,
                second=B - DAY + 23400 + 3600, goals=pair(2, 0), ht=pair(1, 0),
                ft=pair(2, 0), winner="home", referee="Clément Turpin, France")
F9905 = fixture(9905, 88, round_name(6), 2953, 2952, B - DAY - 10800, "FT", 90, 2,
                second=B - DAY - 10800 + 3600, goals=pair(1, 1), ht=pair(0, 1),
                ft=pair(1, 1), referee="Danny Makkelie, Netherlands")
F9906 = fixture(9906, 135, round_name(5), 2687, 2714, B + DAY + 16200, "NS")
F9907 = fixture(9907, 140, round_name(11), 2836, 2833, B + DAY + 23400, "NS")


# ============================================================ events
def goal(minute, tid, scorer, assist=None, detail="Normal Goal", extra=None):
    return {"time": {"elapsed": minute, "extra": extra}, "team": team_ref(tid),
            "player": pref(tid, scorer), "assist": pref(tid, assist), "type": "Goal",
            "detail": detail, "comments": None}


def own_goal(minute, credited, scorer_team, scorer):
    """team = the side credited with the goal; player = the defender (of the other side)."""
    return {"time": {"elapsed": minute, "extra": None}, "team": team_ref(credited),
            "player": pref(scorer_team, scorer), "assist": pref(None, None), "type": "Goal",
            "detail": "Own Goal", "comments": None}


def card(minute, tid, who, reason="Foul", detail="Yellow Card", extra=None):
    return {"time": {"elapsed": minute, "extra": extra}, "team": team_ref(tid),
            "player": pref(tid, who), "assist": pref(None, None), "type": "Card",
            "detail": detail, "comments": reason}


def subst(minute, tid, off, on, n):
    """player = going off, assist = coming on."""
    return {"time": {"elapsed": minute, "extra": None}, "team": team_ref(tid),
            "player": pref(tid, off), "assist": pref(tid, on), "type": "subst",
            "detail": "Substitution %d" % n, "comments": None}


def var(minute, tid, who, detail):
    return {"time": {"elapsed": minute, "extra": None}, "team": team_ref(tid),
            "player": pref(tid, who), "assist": pref(None, None), "type": "Var",
            "detail": detail, "comments": None}


def events_9101(finished):
    ev = [
        card(12, 42, "Gabriel"),
        goal(23, 17, "Erling Haaland", "Jérémy Doku"),
        card(50, 17, "Joško Gvardiol"),
        goal(51, 42, "Bukayo Saka", detail="Penalty"),
        subst(60, 42, "Martin Ødegaard", "Mikel Merino", 1),
        subst(66, 17, "Phil Foden", "Rayan Cherki", 1),
        card(70, 42, "Declan Rice", reason="Argument"),
        subst(71, 42, "Eberechi Eze", "Gabriel Martinelli", 2),
        subst(72, 17, "Tijjani Reijnders", "Mateo Kovačić", 2),
        card(77, 42, "William Saliba"),
        var(77, 17, "Erling Haaland", "Penalty confirmed"),
        goal(78, 17, "Erling Haaland", detail="Penalty"),
        subst(79, 17, "Jérémy Doku", "Omar Marmoush", 3),
        subst(79, 42, "Jurriën Timber", "Leandro Trossard", 3),
        subst(80, 17, "Nico O'Reilly", "Nathan Aké", 4),
    ]
    if finished:  # at t=0 the match is at 90+2: the 90+3 card is still to come
        ev.append(card(90, 17, "Bernardo Silva", reason="Time wasting", extra=3))
    return ev


def events_9102():
    # no shoot-out events at all, live or finished: score.penalty alone has the shoot-out
    return [
        card(19, 38, "Moisés Caicedo"),
        own_goal(34, 38, 44, "Ibrahima Konaté"),
        subst(58, 44, "Cody Gakpo", "Hugo Ekitike", 1),
        subst(64, 38, "Estêvão", "Alejandro Garnacho", 1),
        goal(71, 44, "Mohamed Salah", "Florian Wirtz"),
        subst(75, 44, "Dominik Szoboszlai", "Alexis Mac Allister", 2),
        card(80, 44, "Virgil van Dijk"),
        subst(83, 38, "João Pedro", "Liam Delap", 2),
        subst(99, 38, "Reece James", "Malo Gusto", 3),
        subst(102, 44, "Milos Kerkez", "Andrew Robertson", 3),
        subst(106, 44, "Mohamed Salah", "Federico Chiesa", 4),
        card(108, 38, "Marc Cucurella", reason="Argument"),
        subst(110, 38, "Enzo Fernández", "Andrey Santos", 4),
    ]


def events_9104():
    return [card(33, 3, "André"), card(67, 30, "Carlos Baleba")]


def events_9901():
    return [goal(18, 2817, "Raphinha", "Pedri")]


# ============================================================ line-ups
COLORS = {  # (player primary, number, border), (goalkeeper ...)
    17: (("66ccff", "ffffff", "66ccff"), ("2b2b2b", "ffffff", "2b2b2b")),
    42: (("ffffff", "cc0000", "ffffff"), ("aede9d", "222322", "aede9d")),
    44: (("cc0000", "ffffff", "cc0000"), ("1d1d1d", "ffffff", "1d1d1d")),
    38: (("0a4595", "ffffff", "0a4595"), ("f6e03c", "000000", "f6e03c")),
    30: (("0054a6", "ffffff", "0054a6"), ("ff6a13", "000000", "ff6a13")),
    3: (("000000", "ff9900", "000000"), ("21c45a", "000000", "21c45a")),
    33: (("ffffff", "000066", "ffffff"), ("f4d81f", "000000", "f4d81f")),
    39: (("000000", "ffffff", "000000"), ("9ad23c", "000000", "9ad23c")),
    40: (("670e36", "94bee5", "670e36"), ("ff7f27", "000000", "ff7f27")),
    37: (("7c2c3b", "2dafe5", "7c2c3b"), ("1f1f1f", "ffffff", "1f1f1f")),
}


def colors(tid):
    p, g = COLORS[tid]
    return {"player": {"primary": p[0], "number": p[1], "border": p[2]},
            "goalkeeper": {"primary": g[0], "number": g[1], "border": g[2]}}


def grids(formation):
    """"row:col" of the 11 starters in line-up order: the goalkeeper 1:1, then each line of
    the formation, listed from the highest column down (as the real line-ups are)."""
    out = ["1:1"]
    for row, n in enumerate(int(x) for x in formation.split("-")):
        out += ["%d:%d" % (row + 2, n - c) for c in range(n)]
    assert len(out) == 11, formation
    return out


def lineup(tid, formation, names):
    """names: the starters in line-up order, then the substitutes."""
    g = grids(formation)
    coach = TEAMS[tid][3]
    cid = 52000 + tid * 7

    def entry(name, grid):
        i, pos, shirt = PLAYERS[(tid, name)]
        return {"player": {"id": i, "name": api_name(name), "number": shirt, "pos": pos,
                           "grid": grid}}

    return {"team": dict(team_ref(tid), colors=colors(tid)),
            "coach": {"id": cid, "name": api_name(coach),
                      "photo": "%s/football/coachs/%d.png" % (MEDIA, cid)},
            "formation": formation,
            "startXI": [entry(n, g[i]) for i, n in enumerate(names[:11])],
            "substitutes": [entry(n, None) for n in names[11:]]}


def squad(tid):
    return [r[0] for r in SQUADS[tid]]


FORMATION = {17: "4-3-3", 42: "4-2-3-1", 44: "4-2-3-1", 38: "4-2-3-1", 30: "4-2-3-1",
             3: "3-4-2-1", 33: "4-2-3-1", 39: "4-3-3", 40: "4-2-3-1", 37: "4-2-3-1"}


def swap(names, a, b):
    return [b if n == a else a if n == b else n for n in names]


# 9201: the starters of the Sofascore confirmed line-ups (Odobert, not Tel; Barnes, not
# Murphy)
TOT_XI = swap(squad(33), "Mathys Tel", "Wilson Odobert")
NEW_XI = swap(squad(39), "Jacob Murphy", "Harvey Barnes")


# ============================================================ player statistics
# name -> (minutes, rating) for everyone who played (the Sofascore match day's values)
PLAYED_9101 = {
    17: {"James Trafford": (90, 7.0), "Matheus Nunes": (90, 7.1), "Rúben Dias": (90, 7.5),
         "Joško Gvardiol": (90, 6.4), "Nico O'Reilly": (80, 6.9), "Rodri": (90, 7.6),
         "Tijjani Reijnders": (72, 7.0), "Bernardo Silva": (90, 7.3),
         "Phil Foden": (66, 6.7), "Erling Haaland": (90, 8.9), "Jérémy Doku": (79, 7.8),
         "Rayan Cherki": (24, 6.8), "Mateo Kovačić": (18, 6.6),
         "Omar Marmoush": (11, 6.5), "Nathan Aké": (10, 6.6)},
    42: {"David Raya": (90, 7.2), "Jurriën Timber": (79, 6.7), "William Saliba": (90, 6.1),
         "Gabriel": (90, 6.5), "Riccardo Calafiori": (90, 6.8), "Declan Rice": (90, 7.0),
         "Martín Zubimendi": (90, 6.9), "Martin Ødegaard": (60, 6.6),
         "Bukayo Saka": (90, 7.6), "Eberechi Eze": (71, 6.4),
         "Viktor Gyökeres": (90, 6.3), "Mikel Merino": (30, 6.7),
         "Gabriel Martinelli": (19, 6.5), "Leandro Trossard": (11, 6.4)},
}
PLAYED_9102 = {
    44: {"Alisson": (120, 7.4), "Jeremie Frimpong": (120, 7.1),
         "Ibrahima Konaté": (120, 6.2), "Virgil van Dijk": (120, 7.2),
         "Milos Kerkez": (102, 6.8), "Ryan Gravenberch": (120, 7.3),
         "Dominik Szoboszlai": (75, 7.0), "Mohamed Salah": (106, 7.9),
         "Florian Wirtz": (120, 7.7), "Cody Gakpo": (58, 6.5),
         "Alexander Isak": (120, 6.9), "Hugo Ekitike": (62, 6.9),
         "Alexis Mac Allister": (45, 7.0), "Andrew Robertson": (18, 6.7),
         "Federico Chiesa": (14, 6.6)},
    38: {"Robert Sánchez": (120, 7.9), "Reece James": (99, 7.0),
         "Wesley Fofana": (120, 7.0), "Levi Colwill": (120, 7.1),
         "Marc Cucurella": (120, 6.8), "Moisés Caicedo": (120, 7.2),
         "Enzo Fernández": (110, 6.9), "Cole Palmer": (120, 7.3), "Estêvão": (64, 6.8),
         "Pedro Neto": (120, 6.9), "João Pedro": (83, 6.6),
         "Alejandro Garnacho": (56, 6.7), "Liam Delap": (37, 6.5),
         "Malo Gusto": (21, 6.6), "Andrey Santos": (10, 6.5)},
}
# shots (total, on target), key passes, penalties won / committed: the Sofascore values of
# the players who have them
SHOTS = {(17, "Erling Haaland"): (6, 4), (42, "Bukayo Saka"): (3, 2),
         (44, "Mohamed Salah"): (4, 3)}
KEY_PASSES = {(17, "Jérémy Doku"): 3, (44, "Florian Wirtz"): 4}
PEN_WON = {(17, "Erling Haaland"), (42, "Bukayo Saka")}
PEN_COMMITTED = {(17, "Joško Gvardiol"), (42, "William Saliba")}

# Team statistics (the Sofascore "ALL" values; 9102 with extra time counted).  Yellow and
# red cards are counted from the events of each body.
TEAM_STATS = {
    9101: {17: dict(on=6, off=5, total=15, blocked=4, inside=11, outside=4, fouls=11,
                    corners=7, offsides=1, poss=55, saves=3, passes=539, accurate=470,
                    xg="2.31", prevented="-0.09"),
           42: dict(on=4, off=4, total=10, blocked=2, inside=6, outside=4, fouls=14,
                    corners=5, offsides=3, poss=45, saves=4, passes=451, accurate=378,
                    xg="1.42", prevented="0.75")},
    9102: {44: dict(on=7, off=9, total=21, blocked=5, inside=15, outside=6, fouls=13,
                    corners=10, offsides=3, poss=62, saves=4, passes=794, accurate=709,
                    xg="2.19", prevented="0.48"),
           38: dict(on=4, off=3, total=10, blocked=3, inside=7, outside=3, fouls=20,
                    corners=4, offsides=4, poss=38, saves=6, passes=498, accurate=405,
                    xg="1.02", prevented="1.21")},
}


def nz(v):
    """API-Football writes most zero counts as null."""
    return v if v else None


def team_statistics(fid, home, away, events):
    out = []
    for tid in (home, away):
        s = TEAM_STATS[fid][tid]
        yellow = sum(1 for e in events if e["type"] == "Card" and e["team"]["id"] == tid
                     and e["detail"] == "Yellow Card")
        red = sum(1 for e in events if e["type"] == "Card" and e["team"]["id"] == tid
                  and e["detail"] == "Red Card")
        out.append({"team": team_ref(tid), "statistics": [
            {"type": "Shots on Goal", "value": nz(s["on"])},
            {"type": "Shots off Goal", "value": nz(s["off"])},
            {"type": "Total Shots", "value": nz(s["total"])},
            {"type": "Blocked Shots", "value": nz(s["blocked"])},
            {"type": "Shots insidebox", "value": nz(s["inside"])},
            {"type": "Shots outsidebox", "value": nz(s["outside"])},
            {"type": "Fouls", "value": nz(s["fouls"])},
            {"type": "Corner Kicks", "value": nz(s["corners"])},
            {"type": "Offsides", "value": nz(s["offsides"])},
            {"type": "Ball Possession", "value": "%d%%" % s["poss"]},
            {"type": "Yellow Cards", "value": nz(yellow)},
            {"type": "Red Cards", "value": nz(red)},
            {"type": "Goalkeeper Saves", "value": nz(s["saves"])},
            {"type": "Total passes", "value": s["passes"]},
            {"type": "Passes accurate", "value": s["accurate"]},
            {"type": "Passes %", "value": "%d%%" % int(s["accurate"] * 100.0 / s["passes"]
                                                       + 0.5)},
            {"type": "expected_goals", "value": s["xg"]},
            {"type": "goals_prevented", "value": s["prevented"]},
        ]})
    return out


def spread(total, weights):
    """total split over weights in whole numbers (largest remainders), summing to total."""
    sw = float(sum(weights))
    raw = [total * w / sw if sw else 0 for w in weights]
    out = [int(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: (out[i] - raw[i], i))
    for i in order[:total - sum(out)]:
        out[i] += 1
    return out


POS_PASS = {"G": 0.6, "D": 1.2, "M": 1.4, "F": 0.7}
POS_SHOT = {"G": 0, "D": 0.5, "M": 1.5, "F": 3}
POS_FOUL = {"G": 0, "D": 1.2, "M": 1.2, "F": 0.8}


def players_block(fid, tid, opp, names, played, events, update):
    """players[] entry of one team: everyone of the line-up, starters first; unused
    substitutes have minutes and rating null."""
    s, so = TEAM_STATS[fid][tid], TEAM_STATS[fid][opp]
    on_pitch = [n for n in names if n in played]
    w = [played[n][0] / 90.0 for n in on_pitch]
    pos = {n: PLAYERS[(tid, n)][1] for n in names}
    passes = dict(zip(on_pitch, spread(s["passes"], [x * POS_PASS[pos[n]]
                                                       for x, n in zip(w, on_pitch)])))
    accurate = dict(zip(on_pitch, spread(s["accurate"], [passes[n] for n in on_pitch])))
    fouls = dict(zip(on_pitch, spread(s["fouls"], [x * POS_FOUL[pos[n]]
                                                    for x, n in zip(w, on_pitch)])))
    drawn = dict(zip(on_pitch, spread(so["fouls"], [x * POS_FOUL[pos[n]]
                                                     for x, n in zip(w, on_pitch)])))
    offs = dict(zip(on_pitch, spread(s["offsides"], [x if pos[n] == "F" else 0
                                                     for x, n in zip(w, on_pitch)])))
    # shots: the known ones, the rest of the team's spread by position and minutes
    fixed = {n: SHOTS[(tid, n)] for n in on_pitch if (tid, n) in SHOTS}
    rest = [n for n in on_pitch if n not in fixed]
    tot = dict(zip(rest, spread(s["total"] - sum(v[0] for v in fixed.values()),
                                [played[n][0] * POS_SHOT[pos[n]] for n in rest])))
    on = {n: 0 for n in rest}
    for _ in range(s["on"] - sum(v[1] for v in fixed.values())):
        n = max(rest, key=lambda x: (tot[x] - on[x], -rest.index(x)))
        on[n] += 1
    for n, (t, o) in fixed.items():
        tot[n], on[n] = t, o
    conceded = sum(1 for e in events if e["type"] == "Goal" and e["team"]["id"] == opp
                   and e["detail"] in ("Normal Goal", "Penalty", "Own Goal"))
    out = []
    for n in names:
        i, p, shirt = PLAYERS[(tid, n)]
        mine = [e for e in events if e["player"]["id"] == i]
        goals = sum(1 for e in mine if e["type"] == "Goal" and e["team"]["id"] == tid
                    and e["detail"] in ("Normal Goal", "Penalty"))
        pens = sum(1 for e in mine if e["type"] == "Goal" and e["detail"] == "Penalty")
        assists = sum(1 for e in events if e["type"] == "Goal" and e["assist"]["id"] == i)
        yellow = sum(1 for e in mine if e["type"] == "Card" and e["detail"] == "Yellow Card")
        red = sum(1 for e in mine if e["type"] == "Card" and e["detail"] == "Red Card")
        games = {"minutes": None, "number": shirt, "position": p, "rating": None,
                 "captain": CAPTAINS.get(tid) == n, "substitute": names.index(n) >= 11}
        st = {"games": games, "offsides": None, "shots": {"total": None, "on": None},
              "goals": {"total": None, "conceded": 0, "assists": None, "saves": None},
              "passes": {"total": None, "key": None, "accuracy": None},
              "tackles": {"total": None, "blocks": None, "interceptions": None},
              "duels": {"total": None, "won": None},
              "dribbles": {"attempts": None, "success": None, "past": None},
              "fouls": {"drawn": None, "committed": None},
              "cards": {"yellow": yellow, "red": red},
              "penalty": {"won": None, "commited": None, "scored": pens, "missed": 0,
                          "saved": 0 if p == "G" else None}}
        if n in played:
            mins, rating = played[n]
            seed = i % 1000
            f = mins / 90.0
            games["minutes"] = mins
            games["rating"] = "%.1f" % rating
            st["offsides"] = nz(offs[n])
            st["shots"] = {"total": nz(tot[n]), "on": nz(on[n])}
            st["goals"] = {"total": nz(goals), "conceded": conceded if p == "G" else 0,
                           "assists": nz(assists), "saves": s["saves"] if p == "G" else None}
            st["passes"] = {"total": passes[n], "key": nz(KEY_PASSES.get((tid, n), 0)),
                            "accuracy": str(accurate[n])}
            if p != "G":
                tk = int((seed % 5) * f)
                st["tackles"] = {"total": nz(tk), "blocks": nz(int((seed % 3) * f * 0.5)),
                                 "interceptions": nz(int((seed % 4) * f))}
                duels = int((4 + seed % 9) * f)
                st["duels"] = {"total": nz(duels), "won": nz(duels * (40 + seed % 30) // 100)}
                att = int((seed % 4) * f) if p in ("M", "F") else 0
                st["dribbles"] = {"attempts": nz(att), "success": nz(att // 2),
                                  "past": nz(int((seed % 3) * f * 0.5))}
            st["fouls"] = {"drawn": nz(drawn[n]), "committed": nz(fouls[n])}
            st["penalty"]["won"] = 1 if (tid, n) in PEN_WON else None
            st["penalty"]["commited"] = 1 if (tid, n) in PEN_COMMITTED else None
        out.append({"player": {"id": i, "name": n,
                               "photo": "%s/football/players/%d.png" % (MEDIA, i)},
                    "statistics": [st]})
    return {"team": dict(team_ref(tid), update=iso(update)), "players": out}


# ============================================================ answers
def envelope(get, params, response):
    return {"get": get, "parameters": params, "errors": [], "results": len(response),
            "paging": {"current": 1, "total": 1}, "response": response}


def one_fixture(fx, events=(), lineups=(), statistics=(), players=()):
    f = dict(fx)
    f["events"] = list(events)
    f["lineups"] = list(lineups)
    f["statistics"] = list(statistics)
    f["players"] = list(players)
    return envelope("fixtures", {"id": str(fx["fixture"]["id"])}, [f])


def live_item(fx, events):
    f = dict(fx)
    f["events"] = events
    return f


def fixture_9101(finished):
    ev = events_9101(finished)
    upd = B + 12 if finished else B - 60
    return one_fixture(
        F9101_FT if finished else F9101_2H, ev,
        [lineup(17, FORMATION[17], squad(17)), lineup(42, FORMATION[42], squad(42))],
        team_statistics(9101, 17, 42, ev),
        [players_block(9101, 17, 42, squad(17), PLAYED_9101[17], ev, upd),
         players_block(9101, 42, 17, squad(42), PLAYED_9101[42], ev, upd)])


def fixture_9102(finished):
    ev = events_9102()
    upd = B + 22 if finished else B - 60
    return one_fixture(
        F9102_PEN if finished else F9102_P, ev,
        [lineup(44, FORMATION[44], squad(44)), lineup(38, FORMATION[38], squad(38))],
        team_statistics(9102, 44, 38, ev),
        [players_block(9102, 44, 38, squad(44), PLAYED_9102[44], ev, upd),
         players_block(9102, 38, 44, squad(38), PLAYED_9102[38], ev, upd)])


def fixture_9104():
    # low coverage: line-ups and events, no player statistics, no team statistics
    return one_fixture(F9104, events_9104(),
                       [lineup(30, FORMATION[30], squad(30)),
                        lineup(3, FORMATION[3], squad(3))])


def fixture_9201(published):
    if not published:
        return one_fixture(F9201)
    return one_fixture(F9201, lineups=[lineup(33, FORMATION[33], TOT_XI),
                                       lineup(39, FORMATION[39], NEW_XI)])


def fixture_9202(complete):
    home = lineup(40, FORMATION[40], squad(40))
    away = lineup(37, FORMATION[37], squad(37))
    if not complete:
        # made up (no capture shows it): West Ham's line-up published with 10 starters,
        # Callum Wilson not yet in it; the adapter must not take it as official
        away["startXI"] = away["startXI"][:10]
    return one_fixture(F9202, lineups=[home, away])


# ============================================================ standings
def base_results():
    """Rounds 1 to 11 of the 20 teams (circle method, scores from crc32 with a strength
    bias): (home, away, home goals, away goals)."""
    strength = {42: 5, 17: 5, 44: 5, 38: 4, 33: 3, 39: 3, 40: 3, 35: 3, 30: 2, 7: 2, 60: 2,
                14: 2, 43: 1, 48: 1, 50: 1, 37: 1, 3: 0, 34: 0, 41: 0, 6: 0}
    teams = list(PL)
    out = []
    for r in range(11):
        for i in range(10):
            a, b = teams[i], teams[19 - i]
            home, away = (a, b) if (r + i) % 2 == 0 else (b, a)
            # this seed string leaves no two teams level on points, difference and goals
            h = zlib.crc32(b"a%d-%d-%d" % (r, home, away))
            hg = (h % 7 + strength[home] + 1) // 3
            ag = ((h >> 8) % 7 + strength[away]) // 3
            out.append((home, away, hg, ag))
        teams = [teams[0]] + [teams[-1]] + teams[1:-1]
    return out


ROUND12 = {"9104": (30, 3, 0, 0), "9101": (17, 42, 2, 1), "9102": (44, 38, 1, 1)}


def description(rank):
    if rank <= 4:
        return "Promotion - Champions League (League phase: )"
    if rank == 5:
        return "Promotion - Europa League (League phase: )"
    if rank == 6:
        return "Promotion - Conference League (Qualification: )"
    if rank >= 18:
        return "Relegation - Championship"
    return None


def table(results):
    rows = {t: {"all": [0, 0, 0, 0, 0, 0], "home": [0, 0, 0, 0, 0, 0],
                "away": [0, 0, 0, 0, 0, 0], "form": []} for t in PL}
    for home, away, hg, ag in results:
        for t, side, gf, ga in ((home, "home", hg, ag), (away, "away", ag, hg)):
            res = 0 if gf > ga else 1 if gf == ga else 2
            for k in ("all", side):
                rows[t][k][0] += 1
                rows[t][k][1 + res] += 1
                rows[t][k][4] += gf
                rows[t][k][5] += ga
            rows[t]["form"].append("WDL"[res])
    order = sorted(PL, key=lambda t: (-(3 * rows[t]["all"][1] + rows[t]["all"][2]),
                                      -(rows[t]["all"][4] - rows[t]["all"][5]),
                                      -rows[t]["all"][4], TEAMS[t][0]))
    return rows, order


def rec(v):
    return {"played": v[0], "win": v[1], "draw": v[2], "lose": v[3],
            "goals": {"for": v[4], "against": v[5]}}


def standings(done, update):
    """The table with the round-12 fixtures of done counted (the API's "current" table):
    rounds 1 to 11 for everyone, then those.  The other round-12 fixtures are not in this
    replay, so their twelve teams stay at 11 played."""
    base = base_results()
    prev_rows, prev = table(base + [ROUND12[f] for f in done[:-1]])
    rows, order = table(base + [ROUND12[f] for f in done])
    out = []
    for rank, t in enumerate(order, 1):
        r = rows[t]
        old = prev.index(t) + 1
        out.append({"rank": rank, "team": {"id": t, "name": TEAMS[t][0], "logo": logo(t)},
                    "points": 3 * r["all"][1] + r["all"][2],
                    "goalsDiff": r["all"][4] - r["all"][5], "group": "Premier League",
                    "form": "".join(r["form"][-5:]),
                    "status": "same" if old == rank else "up" if rank < old else "down",
                    "description": description(rank), "all": rec(r["all"]), "home": rec(r["home"]),
                    "away": rec(r["away"]), "update": iso(update)})
    lg = league(39, None)
    del lg["round"], lg["standings"]
    lg["standings"] = [out]
    return envelope("standings", {"league": "39", "season": "2026"}, [{"league": lg}])


# ============================================================ write
def dump(name, obj):
    with open(os.path.join(OUT, name), "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, indent=1)
        f.write("\n")


def by_time(fixtures):
    return sorted(fixtures, key=lambda f: (f["fixture"]["timestamp"], f["fixture"]["id"]))


def main():
    for f in os.listdir(OUT):
        if f.endswith(".json"):
            os.remove(os.path.join(OUT, f))

    # (after, 9101, 9102): the same three phases as the Sofascore lists
    phases = [(0, F9101_2H, F9102_P), (15, F9101_FT, F9102_P), (25, F9101_FT, F9102_PEN)]
    round12_params = {"league": "39", "season": "2026", "round": R12}
    for after, f1, f2 in phases:
        # parameters.date is B's day: the fake does not move a date without a time
        dump("fixtures_today_t%02d.json" % after, envelope(
            "fixtures", {"date": day(B)},
            by_time([F9104, f2, f1, F9103, F9201, F9202, F9203, F9901, F9902, F9903])))
        dump("round12_t%02d.json" % after,
             envelope("fixtures", round12_params, by_time([f1, f2, F9103, F9104])))
    dump("fixtures_yesterday.json",
         envelope("fixtures", {"date": day(B - DAY)}, by_time([F9904, F9905])))
    dump("fixtures_tomorrow.json",
         envelope("fixtures", {"date": day(B + DAY)}, by_time([F9906, F9907])))
    dump("round13.json", envelope("fixtures", {"league": "39", "season": "2026", "round": R13},
                                  by_time([F9201, F9202, F9203])))

    e9901 = events_9901()
    live = {"live": "all"}
    dump("live_t00.json", envelope("fixtures", live, [
        live_item(F9901, e9901), live_item(F9102_P, events_9102()),
        live_item(F9101_2H, events_9101(False))]))
    dump("live_t15.json", envelope("fixtures", live, [
        live_item(F9901, e9901), live_item(F9102_P, events_9102())]))
    dump("live_t25.json", envelope("fixtures", live, [live_item(F9901, e9901)]))

    dump("fixture_9101_2h.json", fixture_9101(False))
    dump("fixture_9101_ft.json", fixture_9101(True))
    dump("fixture_9102_p.json", fixture_9102(False))
    dump("fixture_9102_pen.json", fixture_9102(True))
    dump("fixture_9103_pst.json", one_fixture(F9103))
    dump("fixture_9104_ft.json", fixture_9104())
    dump("fixture_9201_ns.json", fixture_9201(False))
    dump("fixture_9201_lineups.json", fixture_9201(True))
    dump("fixture_9202_lineups_10.json", fixture_9202(False))
    dump("fixture_9202_lineups.json", fixture_9202(True))

    # the API's current table: rounds 1-11, then each round-12 result once it is final
    # (update = when the last counted fixture ended)
    dump("standings_t00.json", standings(["9104"], S9104 + 6690))
    dump("standings_t15.json", standings(["9104", "9101"], B + 12))
    dump("standings_t25.json", standings(["9104", "9101", "9102"], B + 22))

    def seq(*steps):
        return [{"after": a, "body": b} for a, b in steps]

    routes = {
        "/fixtures?date={yesterday}": seq((0, "fixtures_yesterday.json")),
        "/fixtures?date={today}": seq((0, "fixtures_today_t00.json"),
                                      (15, "fixtures_today_t15.json"),
                                      (25, "fixtures_today_t25.json")),
        "/fixtures?date={tomorrow}": seq((0, "fixtures_tomorrow.json")),
        "/fixtures?league=39&round=%s&season=2026" % R12: seq(
            (0, "round12_t00.json"), (15, "round12_t15.json"), (25, "round12_t25.json")),
        "/fixtures?league=39&round=%s&season=2026" % R13: seq((0, "round13.json")),
        "/fixtures?live=all": seq((0, "live_t00.json"), (15, "live_t15.json"),
                                  (25, "live_t25.json")),
        "/fixtures?id=9101": seq((0, "fixture_9101_2h.json"), (15, "fixture_9101_ft.json")),
        "/fixtures?id=9102": seq((0, "fixture_9102_p.json"), (25, "fixture_9102_pen.json")),
        "/fixtures?id=9103": seq((0, "fixture_9103_pst.json")),
        "/fixtures?id=9104": seq((0, "fixture_9104_ft.json")),
        "/fixtures?id=9201": seq((0, "fixture_9201_ns.json"),
                                 (25, "fixture_9201_lineups.json")),
        "/fixtures?id=9202": seq((0, "fixture_9202_lineups_10.json"),
                                 (35, "fixture_9202_lineups.json")),
        "/standings?league=39&season=2026": seq((0, "standings_t00.json"),
                                                (15, "standings_t15.json"),
                                                (25, "standings_t25.json")),
    }
    comment = ("The match day of `make demo` in API-Football v3 shapes (see README.md in this "
               "folder). Generated by generate.py; every route is time-based (seconds since "
               "the fake started). Keys: the path, then the decoded query parameters sorted "
               "by name.")
    with open(os.path.join(OUT, "scenario.json"), "w", encoding="utf-8") as f:
        f.write('{\n  "comment": %s,\n  "base_time": %d,\n  "routes": {\n'
                % (json.dumps(comment), B))
        keys = list(routes)
        for i, k in enumerate(keys):
            f.write("    %s: [\n" % json.dumps(k))
            for j, e in enumerate(routes[k]):
                f.write("      %s%s\n" % (json.dumps(e), "," if j < len(routes[k]) - 1 else ""))
            f.write("    ]%s\n" % ("," if i < len(keys) - 1 else ""))
        f.write("  }\n}\n")


if __name__ == "__main__":
    main()
