#!/usr/bin/env python3
"""Writes the Sofascore scenarios of the result and tournament-stats tests:

    tests/data/scenarios/results-cases/   tests/integration/test_results.c
    tests/data/scenarios/tstats-round/    tests/integration/test_tstats.c (a round of 10
                                     matches fed through bf-results; standings)
    tests/data/scenarios/tstats-trigger/  tests/integration/test_tstats.c (bf-producer:
                                     a round with a postponed match, then its late result)

Run it from anywhere: python3 tests/data/scenarios/results-cases/generate.py
The output is what the tests read; the expected values in the C files are
computed by hand from the tables below: keep both in step.

Bodies follow the real answers (tests/data/fixtures/sofascore/, ../shared/sofascore-samples/):
event objects are the fixture event_finished_110.json with teams, ids, status and
scores replaced (so the parser meets the same noise: coverage, translations, time,
changes); line-ups, statistics and incident objects have the real keys.  Where a
fixture fits as is (lineups_confirmed.json, statistics.json, event_finished_110.json,
event_finished_120.json, standings_total.json) the scenario points at it.

results-cases and tstats-round carry no base_time: nothing is shifted (start times
are in the past, which is all these consumers care about).  tstats-trigger has
base_time: the test passes --shift-to, so BASE - 3 h means three hours ago.
"""
import copy
import json
import os
import sys

BASE = 1790000000
M, H, D = 60, 3600, 86400
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)  # tests/data/scenarios
FIX = os.path.join(os.path.dirname(ROOT), "fixtures", "sofascore")
FIXREL = "../../fixtures/sofascore/"
sys.path.insert(0, ROOT)
import sofashapes  # noqa: E402

TEAMS = sofashapes.PL_TEAMS
SEASONS = {  # season id: name
    76986: "Premier League 26/27",
    96668: "Premier League 26/27",
}

FT, AET, AP, PP, H2 = sofashapes.FT, sofashapes.AET, sofashapes.AP, sofashapes.PP, sofashapes.H2

with open(os.path.join(FIX, "event_finished_110.json")) as f:
    EVENT_TEMPLATE = json.load(f)["event"]


slug, team = sofashapes.slug, sofashapes.team


def score(st, goals, first_half):
    if st == PP or goals is None:
        return {}
    s = {"current": goals, "display": goals, "period1": first_half, "normaltime": goals}
    if st[2] == "finished":
        s["period2"] = goals - first_half
    return s


def event(eid, season, rnd, home, away, start, st, hg=None, ag=None, h1=(0, 0), venue=None):
    """An /event/{id} object: the fixture's, with ids, teams, status and scores replaced."""
    e = copy.deepcopy(EVENT_TEMPLATE)
    e["id"] = eid
    e["season"]["id"] = season
    e["season"]["name"] = SEASONS[season]
    e["roundInfo"] = {"round": rnd}
    e["customId"] = "rQ%dx" % (eid % 10000)
    e["slug"] = slug(TEAMS[home][0]) + "-" + slug(TEAMS[away][0])
    e["status"] = {"code": st[0], "description": st[1], "type": st[2]}
    e["homeTeam"] = team(home)
    e["awayTeam"] = team(away)
    e["homeScore"] = score(st, hg, h1[0])
    e["awayScore"] = score(st, ag, h1[1])
    e["startTimestamp"] = start
    e["changes"] = {"changes": ["status.code", "status.description"], "changeTimestamp": start + 2 * H}
    e.pop("winnerCode", None)
    if st[2] == "finished":
        e["winnerCode"] = 1 if hg > ag else 2 if ag > hg else 3
    if st == PP:
        e["time"] = {}
        e.pop("awayRedCards", None)
    if venue:
        e["venue"] = {"city": {"name": venue[1]}, "name": venue[0],
                      "stadium": {"name": venue[0], "capacity": 53400}, "id": 7000 + home}
    return {"event": e}


# ---- line-ups ------------------------------------------------------------------------

SLOTS = ["G", "D", "D", "D", "D", "M", "M", "M", "F", "F", "F"]  # 4-3-3, slots 1..11


def player_id(tid, slot):
    return tid * 1000 + slot


def lineup_player(tid, slot, name, pos, shirt, sub, rating, minutes, captain=False):
    p = {"player": {"name": name, "slug": slug(name), "shortName": name, "position": pos,
                    "jerseyNumber": str(shirt), "id": player_id(tid, slot),
                    "country": {"alpha2": "EN", "alpha3": "ENG", "name": "England",
                                "slug": "england"},
                    "dateOfBirthTimestamp": 820454400},
         "teamId": tid, "shirtNumber": shirt, "jerseyNumber": str(shirt), "position": pos,
         "substitute": sub}
    if captain:
        p["captain"] = True
    if rating is not None or minutes is not None:
        st = {"totalPass": 30 + slot, "accuratePass": 25 + slot, "touches": 40 + slot,
              "duelWon": slot % 4, "duelLost": slot % 3}
        if minutes is not None:
            st["minutesPlayed"] = minutes
        if rating is not None:
            st["rating"] = rating
            st["ratingVersions"] = {"original": rating, "alternative": round(rating + 0.1, 1)}
        p["statistics"] = st
    return p


def side(tid, named):
    """11 starters (4-3-3), a rated substitute (slot 12, 20 min) and an unused one
    (slot 13, no statistics).  named[slot] = (name, rating, minutes) overrides; others
    are "<short> <slot>" rated 6.0 to 6.4 (below every hand-checked rating)."""
    short = TEAMS[tid][1]
    players = []
    for slot in range(1, 14):
        pos = SLOTS[slot - 1] if slot <= 11 else ("M" if slot == 12 else "D")
        name = "%s %s%d" % (short, pos, slot)
        rating = round(6.0 + ((tid + slot) % 5) * 0.1, 1) if slot <= 12 else None
        minutes = 90 if slot <= 11 else (20 if slot == 12 else None)
        if slot == 11:
            minutes = 70  # replaced by slot 12
        if slot in named:
            name, rating, minutes = named[slot]
        players.append(lineup_player(tid, slot, name, pos, slot, slot > 11, rating, minutes,
                                     captain=(slot == 5)))
    return {"players": players, "supportStaff": [], "formation": "4-3-3",
            "playerColor": {"primary": "ffffff", "number": "222226", "outline": "ffffff"},
            "goalkeeperColor": {"primary": "0f9d58", "number": "ffffff", "outline": "0f9d58"},
            "missingPlayers": []}


def lineups(home, away, named):
    return {"confirmed": True, "home": side(home, named.get(home, {})),
            "away": side(away, named.get(away, {})), "statisticalVersion": 1}


# ---- incidents --------------------------------------------------------------------------

def pl(name, pid):
    return {"name": name, "slug": slug(name), "shortName": name, "position": "F",
            "jerseyNumber": "9", "userCount": 1000, "gender": "M", "id": pid,
            "fieldTranslations": {"nameTranslation": {}, "shortNameTranslation": {}}}


def incidents(items, ft, ht, extra=None):
    """items: oldest first, tuples
         ("goal", minute, added, is_home, name, pid, klass)   is_home = the side that scored
         ("card", minute, is_home, name, pid, klass)
         ("sub", minute, is_home, in_name, in_pid, out_name, out_pid)
         ("shootout", seq, is_home, name, pid, klass, hs, as)
    Returns {"incidents": [...]} newest first, with running scores on goals, the
    HT/FT period markers and injury-time markers, as Sofascore sends them."""
    out = []
    hs = as_ = 0
    nid = 128400100
    for it in items:
        nid += 1
        kind = it[0]
        if kind == "goal":
            _, minute, added, is_home, name, pid, klass = it
            if is_home:
                hs += 1
            else:
                as_ += 1
            g = {"homeScore": hs, "awayScore": as_, "player": pl(name, pid), "id": nid,
                 "time": minute, "isHome": is_home, "incidentClass": klass,
                 "incidentType": "goal", "reversedPeriodTime": 46 - minute % 45}
            if added:
                g["addedTime"] = added
            if klass == "ownGoal":
                g["from"] = "owngoal"
            elif klass == "penalty":
                g["from"] = "penalty"
            else:
                g["from"] = "regular"
            out.append((minute, added or 0, g))
        elif kind == "card":
            _, minute, is_home, name, pid, klass = it
            out.append((minute, 0, {"player": pl(name, pid), "playerName": name,
                                    "reason": "Foul", "rescinded": False, "id": nid,
                                    "time": minute, "isHome": is_home,
                                    "incidentClass": klass, "incidentType": "card",
                                    "reversedPeriodTime": 46 - minute % 45}))
        elif kind == "sub":
            _, minute, is_home, iname, ipid, oname, opid = it
            out.append((minute, 0, {"playerIn": pl(iname, ipid), "playerOut": pl(oname, opid),
                                    "id": nid, "time": minute, "injury": False,
                                    "isHome": is_home, "incidentClass": "regular",
                                    "incidentType": "substitution",
                                    "reversedPeriodTime": 46 - minute % 45}))
        elif kind == "shootout":
            _, seq, is_home, name, pid, klass, sh, sa = it
            out.append((121, seq, {"player": pl(name, pid), "sequence": seq, "id": nid,
                                   "time": 121, "isHome": is_home, "incidentClass": klass,
                                   "incidentType": "penaltyShootout", "description": klass,
                                   "reversedPeriodTime": 1, "homeScore": sh, "awayScore": sa}))
    out.append((45, 0.5, {"length": 3, "time": 45, "addedTime": 0, "incidentType": "injuryTime",
                          "reversedPeriodTime": 1}))
    out.append((45, 999, {"text": "HT", "homeScore": ht[0], "awayScore": ht[1], "isLive": False,
                          "time": 45, "addedTime": 999, "timeSeconds": 2700,
                          "incidentType": "period", "reversedPeriodTime": 1}))
    out.append((90, 0.5, {"length": 4, "time": 90, "addedTime": 0, "incidentType": "injuryTime",
                          "reversedPeriodTime": 1}))
    end = 120 if extra else 90
    out.append((end, 999, {"text": extra or "FT", "homeScore": ft[0], "awayScore": ft[1],
                           "isLive": False, "time": end, "addedTime": 999,
                           "timeSeconds": end * 60, "incidentType": "period",
                           "reversedPeriodTime": 1}))
    out.sort(key=lambda x: (x[0], x[1]), reverse=True)
    return {"incidents": [x[2] for x in out]}


def write_dir(name, routes, files, comment, base_time=None):
    d = os.path.join(ROOT, name)
    os.makedirs(d, exist_ok=True)
    for fname, body in files.items():
        with open(os.path.join(d, fname), "w") as f:
            json.dump(body, f, indent=1, ensure_ascii=False)
            f.write("\n")
    sc = {"comment": comment}
    if base_time:
        sc["base_time"] = base_time
    sc["routes"] = routes
    with open(os.path.join(d, "scenario.json"), "w") as f:
        json.dump(sc, f, indent=1, ensure_ascii=False)
        f.write("\n")


B = BASE

# ==== results-cases ======================================================================
# 14025001 Manchester City 2-1 Arsenal (code 100), the line-ups and statistics fixtures:
#   23' Haaland (home), 45+2' own goal by Rúben Dias (a City defender: counts for Arsenal),
#   67' Foden penalty (home); yellow Rice 34', Reijnders 55'; red Gvardiol 81'; six subs.
# 14025003 Brighton 2-1 Newcastle AET (fixture event_finished_110.json)
# 14025004 Aston Villa 1-1 Tottenham, 5-4 on penalties (fixture event_finished_120.json:
#   current 6-5, display 1-1)
# 14025011 Liverpool 1-0 Leeds: statistics 404 (no route)
# 14025021 Chelsea 2-0 Everton: 2nd half (code 7) twice, then finished
# 14025022 Fulham 0-1 Brentford: line-ups 404 twice, then published
# 14025023 Bournemouth 1-1 Wolves: line-ups 404 forever
# 14025024 Sunderland 1-0 Burnley: incidents 404 once, then published
# 14026001..14026050: the batch of the measurement (line-ups, statistics and incidents of
#   14025001; event bodies inline)
RC = {}
R = {}
RC["event_14025001.json"] = event(14025001, 76986, 12, 17, 42, B - 3 * H, FT, 2, 1, (1, 1),
                                  venue=("Etihad Stadium", "Manchester"))
RC["incidents_14025001.json"] = incidents([
    ("sub", 8, True, "Mateo Kovačić", 143811, "Rodri", 581310),
    ("goal", 23, 0, True, "Erling Haaland", 839956, "regular"),
    ("card", 34, False, "Declan Rice", 825133, "yellow"),
    ("goal", 45, 2, False, "Rúben Dias", 794839, "ownGoal"),
    ("card", 55, True, "Tijjani Reijnders", 993214, "yellow"),
    ("sub", 62, False, "Mikel Merino", 937442, "Martin Ødegaard", 795222),
    ("goal", 67, 0, True, "Phil Foden", 859025, "penalty"),
    ("sub", 70, True, "Rayan Cherki", 1023413, "Phil Foden", 859025),
    ("sub", 75, False, "Gabriel Martinelli", 928130, "Eberechi Eze", 868812),
    ("sub", 80, True, "Omar Marmoush", 902715, "Jérémy Doku", 934235),
    ("card", 81, True, "Joško Gvardiol", 873560, "red"),
    ("sub", 88, False, "Leandro Trossard", 358711, "Bukayo Saka", 934236),
], (2, 1), (1, 1))
R["/event/14025001"] = [{"body": "event_14025001.json"}]
R["/event/14025001/lineups"] = [{"body": FIXREL + "lineups_confirmed.json"}]
R["/event/14025001/statistics"] = [{"body": FIXREL + "statistics.json"}]
R["/event/14025001/incidents"] = [{"body": "incidents_14025001.json"}]

# 14025003: AET, 2-1 (goals 20' home, 65' away, 105' home)
R["/event/14025003"] = [{"body": FIXREL + "event_finished_110.json"}]
RC["lineups_14025003.json"] = lineups(30, 39, {30: {9: ("Danny Welbeck", 7.9, 90)},
                                              39: {9: ("Anthony Gordon", 7.2, 90)}})
RC["incidents_14025003.json"] = incidents([
    ("goal", 20, 0, True, "Danny Welbeck", player_id(30, 9), "regular"),
    ("goal", 65, 0, False, "Anthony Gordon", player_id(39, 9), "regular"),
    ("goal", 105, 0, True, "Kaoru Mitoma", player_id(30, 10), "regular"),
], (2, 1), (1, 0), extra="AET")
R["/event/14025003/lineups"] = [{"body": "lineups_14025003.json"}]
R["/event/14025003/incidents"] = [{"body": "incidents_14025003.json"}]
R["/event/14025003/statistics"] = [{"body": FIXREL + "statistics.json"}]

# 14025004: penalties; the shoot-out incidents are not goals
R["/event/14025004"] = [{"body": FIXREL + "event_finished_120.json"}]
RC["lineups_14025004.json"] = lineups(40, 33, {40: {9: ("Ollie Watkins", 7.4, 120)},
                                              33: {9: ("Richarlison", 7.0, 120)}})
RC["incidents_14025004.json"] = incidents([
    ("goal", 35, 0, False, "Richarlison", player_id(33, 9), "regular"),
    ("goal", 71, 0, True, "Ollie Watkins", player_id(40, 9), "regular"),
    ("shootout", 1, True, "Ollie Watkins", player_id(40, 9), "scored", 1, 0),
    ("shootout", 2, False, "Richarlison", player_id(33, 9), "scored", 1, 1),
    ("shootout", 3, True, "Aston Villa M6", player_id(40, 6), "missed", 1, 1),
], (1, 1), (0, 1), extra="AP")
R["/event/14025004/lineups"] = [{"body": "lineups_14025004.json"}]
R["/event/14025004/incidents"] = [{"body": "incidents_14025004.json"}]

# 14025011: no statistics route (lower-league coverage): 404
RC["event_14025011.json"] = event(14025011, 76986, 12, 44, 34, B - 5 * H, FT, 1, 0, (1, 0))
RC["lineups_14025011.json"] = lineups(44, 34, {44: {9: ("Mohamed Salah", 8.3, 90)}})
RC["incidents_14025011.json"] = incidents([
    ("goal", 30, 0, True, "Mohamed Salah", player_id(44, 9), "penalty"),
], (1, 0), (1, 0))
R["/event/14025011"] = [{"body": "event_14025011.json"}]
R["/event/14025011/lineups"] = [{"body": "lineups_14025011.json"}]
R["/event/14025011/incidents"] = [{"body": "incidents_14025011.json"}]

# 14025021: not final for two fetches
RC["event_14025021_live.json"] = event(14025021, 76986, 12, 38, 48, B - 2 * H, H2, 2, 0, (1, 0))
RC["event_14025021.json"] = event(14025021, 76986, 12, 38, 48, B - 2 * H, FT, 2, 0, (1, 0))
RC["lineups_14025021.json"] = lineups(38, 48, {})
RC["incidents_14025021.json"] = incidents([
    ("goal", 10, 0, True, "Cole Palmer", player_id(38, 7), "regular"),
    ("goal", 80, 0, True, "Nicolas Jackson", player_id(38, 9), "regular"),
], (2, 0), (1, 0))
R["/event/14025021"] = [{"body": "event_14025021_live.json", "repeat": 2},
                        {"body": "event_14025021.json"}]
R["/event/14025021/lineups"] = [{"body": "lineups_14025021.json"}]
R["/event/14025021/incidents"] = [{"body": "incidents_14025021.json"}]

# 14025022: line-ups 404 twice right after the whistle, then published
RC["event_14025022.json"] = event(14025022, 76986, 12, 43, 50, B - 2 * H, FT, 0, 1, (0, 0))
RC["lineups_14025022.json"] = lineups(43, 50, {50: {9: ("Igor Thiago", 8.0, 90)}})
RC["incidents_14025022.json"] = incidents([
    ("goal", 61, 0, False, "Igor Thiago", player_id(50, 9), "regular"),
], (0, 1), (0, 0))
R["/event/14025022"] = [{"body": "event_14025022.json"}]
R["/event/14025022/lineups"] = [{"status": 404, "repeat": 2}, {"body": "lineups_14025022.json"}]
R["/event/14025022/incidents"] = [{"body": "incidents_14025022.json"}]

# 14025023: line-ups never published
RC["event_14025023.json"] = event(14025023, 76986, 12, 60, 3, B - 2 * H, FT, 1, 1, (0, 1))
RC["incidents_14025023.json"] = incidents([
    ("goal", 12, 0, False, "Wolves F9", player_id(3, 9), "regular"),
    ("goal", 77, 0, True, "Bournemouth F10", player_id(60, 10), "regular"),
], (1, 1), (0, 1))
R["/event/14025023"] = [{"body": "event_14025023.json"}]
R["/event/14025023/lineups"] = [{"status": 404}]
R["/event/14025023/incidents"] = [{"body": "incidents_14025023.json"}]

# 14025024: incidents 404 once, then published
RC["event_14025024.json"] = event(14025024, 76986, 12, 41, 6, B - 2 * H, FT, 1, 0, (0, 0))
RC["lineups_14025024.json"] = lineups(41, 6, {})
RC["incidents_14025024.json"] = incidents([
    ("goal", 52, 0, True, "Wilson Isidor", player_id(41, 9), "regular"),
], (1, 0), (0, 0))
R["/event/14025024"] = [{"body": "event_14025024.json"}]
R["/event/14025024/lineups"] = [{"body": "lineups_14025024.json"}]
R["/event/14025024/incidents"] = [{"status": 404}, {"body": "incidents_14025024.json"}]

# the measured batch
for k in range(50):
    eid = 14026001 + k
    R["/event/%d" % eid] = [{"inline": event(eid, 76986, 13, 17, 42, B - 3 * H + k * 60, FT, 2,
                                             1, (1, 1))}]
    R["/event/%d/lineups" % eid] = [{"body": FIXREL + "lineups_confirmed.json"}]
    R["/event/%d/statistics" % eid] = [{"body": FIXREL + "statistics.json"}]
    R["/event/%d/incidents" % eid] = [{"body": "incidents_14025001.json"}]

write_dir("results-cases", R, RC,
          "tests/integration/test_results.c: one route set per event (see generate.py for "
          "what each event is). Generated by results-cases/generate.py.")

# ==== tstats-round ============================================================================
# Premier League (ut 17), season 96668, round 12: ten matches, ids 14030101..14030110.
# Goals (minute, added, scoring side, scorer, class); hand-checked expectations are in
# tests/integration/test_tstats.c.
ROUND = [
    (14030101, 17, 3, 3, 0, [(12, 0, True, 17, 9, "regular"), (45, 1, True, 17, 9, "penalty"),
                             (78, 0, True, 17, 9, "regular")]),
    (14030102, 42, 6, 4, 1, [(20, 0, True, 42, 9, "penalty"), (33, 0, True, 42, 10, "regular"),
                             (55, 0, True, 6, 2, "ownGoal"), (70, 0, True, 42, 9, "regular"),
                             (88, 0, False, 6, 9, "regular")]),
    (14030103, 44, 34, 2, 0, [(30, 0, True, 44, 9, "penalty"), (60, 0, True, 44, 10, "regular")]),
    (14030104, 38, 48, 1, 1, [(44, 0, True, 38, 7, "regular"), (90, 3, False, 48, 9, "regular")]),
    (14030105, 40, 43, 2, 2, [(10, 0, True, 40, 9, "regular"), (50, 0, True, 40, 9, "regular"),
                              (65, 0, False, 43, 9, "penalty"), (80, 0, False, 40, 2, "ownGoal")]),
    (14030106, 39, 30, 0, 1, [(70, 0, False, 30, 9, "regular")]),
    (14030107, 33, 37, 2, 1, [(15, 0, True, 33, 9, "regular"), (40, 0, True, 37, 2, "ownGoal"),
                              (60, 0, False, 37, 9, "regular")]),
    (14030108, 35, 60, 0, 0, []),
    (14030109, 50, 7, 1, 3, [(5, 0, True, 50, 9, "regular"), (25, 0, False, 7, 9, "regular"),
                             (52, 0, False, 7, 9, "penalty"), (81, 0, False, 7, 10, "regular")]),
    (14030110, 41, 14, 1, 0, [(38, 0, True, 41, 9, "regular")]),
]
# Named players: team -> slot -> (name, rating, minutes).  Slots: 1 G, 2-5 D, 6-8 M,
# 9-11 F, 12 rated substitute, 13 unused substitute.
NAMED = {
    17: {2: ("Joško Gvardiol", 7.9, 76), 9: ("Erling Haaland", 9.1, 90)},
    42: {1: ("David Raya", 8.0, 90), 2: ("William Saliba", 8.1, 90), 6: ("Declan Rice", 7.8, 90),
         9: ("Bukayo Saka", 8.6, 90), 10: ("Viktor Gyökeres", 6.9, 90)},
    48: {1: ("Jordan Pickford", 8.0, 90), 9: ("Beto", 6.8, 90)},
    44: {2: ("Virgil van Dijk", 8.4, 90), 9: ("Mohamed Salah", 7.4, 90),
         10: ("Hugo Ekitiké", 7.2, 90)},
    7: {2: ("Marc Guéhi", 7.9, 90), 9: ("Jean-Philippe Mateta", 8.0, 90),
        10: ("Ismaïla Sarr", 7.3, 90)},
    30: {2: ("Lewis Dunk", 7.9, 90), 9: ("Danny Welbeck", 7.5, 90)},
    35: {6: ("Bruno Fernandes", 8.2, 90)},
    38: {6: ("Enzo Fernández", 7.8, 90), 7: ("Cole Palmer", 7.6, 90)},
    39: {6: ("Bruno Guimarães", 7.8, 90)},
    40: {2: ("Ezri Konsa", 6.1, 90), 9: ("Ollie Watkins", 7.7, 90)},
    43: {9: ("Raúl Jiménez", 7.1, 90)},
    6: {2: ("Maxime Estève", 5.9, 90), 9: ("Lyle Foster", 6.6, 90)},
    37: {2: ("Aaron Wan-Bissaka", 5.8, 90), 9: ("Jarrod Bowen", 7.0, 90)},
    33: {9: ("Richarlison", 7.5, 90)},
    50: {9: ("Igor Thiago", 7.0, 90)},
    41: {9: ("Wilson Isidor", 7.2, 90)},
}


def pname(tid, slot):
    if slot in NAMED.get(tid, {}):
        return NAMED[tid][slot][0]
    pos = SLOTS[slot - 1] if slot <= 11 else ("M" if slot == 12 else "D")
    return "%s %s%d" % (TEAMS[tid][1], pos, slot)


TR = {}
RT = {}
for i, (eid, home, away, hg, ag, goals) in enumerate(ROUND):
    start = B - (26 - 2 * (i // 3)) * H
    items = []
    h1 = [0, 0]
    for (minute, added, is_home, tid, slot, klass) in goals:
        items.append(("goal", minute, added, is_home, pname(tid, slot), player_id(tid, slot),
                      klass))
        if minute < 46:
            h1[0 if is_home else 1] += 1
    items.append(("card", 58, False, pname(away, 4), player_id(away, 4), "yellow"))
    items.append(("sub", 70, True, pname(home, 12), player_id(home, 12), pname(home, 11),
                  player_id(home, 11)))
    items.append(("sub", 70, False, pname(away, 12), player_id(away, 12), pname(away, 11),
                  player_id(away, 11)))
    TR["event_%d.json" % eid] = event(eid, 96668, 12, home, away, start, FT, hg, ag, tuple(h1))
    TR["lineups_%d.json" % eid] = lineups(home, away, NAMED)
    TR["incidents_%d.json" % eid] = incidents(items, (hg, ag), tuple(h1))
    RT["/event/%d" % eid] = [{"body": "event_%d.json" % eid}]
    RT["/event/%d/lineups" % eid] = [{"body": "lineups_%d.json" % eid}]
    RT["/event/%d/incidents" % eid] = [{"body": "incidents_%d.json" % eid}]
    # no statistics: 404, rendered without them
# season 76986 has Sofascore standings (the fixture); season 96668 has none (404)
RT["/unique-tournament/17/season/76986/standings/total"] = [
    {"body": FIXREL + "standings_total.json", "headers": {"Cache-Control": "max-age=60"}}]
write_dir("tstats-round", RT, TR,
          "tests/integration/test_tstats.c: round 12 of ut 17 season 96668 (10 matches, no "
          "statistics, no standings: 404) and the standings of season 76986 (fixture). "
          "Generated by results-cases/generate.py.")

# ==== tstats-trigger ===========================================================================
# ut 17, season 96668, round 5: 14040001..14040003 finished, 14040004 postponed; from the
# third schedule poll on, 14040004 is finished (played later the same day).
TRIG = [(14040001, 42, 38, 2, 1), (14040002, 44, 17, 1, 1), (14040003, 35, 33, 0, 2)]
TF = {}
TRT = {}


def trig_list(late_finished):
    evs = [event(eid, 96668, 5, h, a, B - 4 * H, FT, hg, ag, (hg, 0))["event"]
           for (eid, h, a, hg, ag) in TRIG]
    if late_finished:
        evs.append(event(14040004, 96668, 5, 40, 30, B - 2 * H, FT, 3, 0, (1, 0))["event"])
    else:
        evs.append(event(14040004, 96668, 5, 40, 30, B - 2 * H, PP)["event"])
    return {"events": evs}


TF["round5_postponed.json"] = trig_list(False)
TF["round5_late.json"] = trig_list(True)
for (eid, h, a, hg, ag) in TRIG + [(14040004, 40, 30, 3, 0)]:
    TF["event_%d.json" % eid] = event(eid, 96668, 5, h, a,
                                      B - (2 if eid == 14040004 else 4) * H, FT, hg, ag,
                                      (hg if eid != 14040004 else 1, 0))
    TF["lineups_%d.json" % eid] = lineups(h, a, {})
    TRT["/event/%d" % eid] = [{"body": "event_%d.json" % eid}]
    TRT["/event/%d/lineups" % eid] = [{"body": "lineups_%d.json" % eid}]
    TRT["/event/%d/incidents" % eid] = [{"inline": {"incidents": []}}]
TRT["/unique-tournament/17/scheduled-events/{yesterday}"] = [{"inline": {"events": []}}]
TRT["/unique-tournament/17/scheduled-events/{today}"] = [
    {"body": "round5_postponed.json", "repeat": 2}, {"body": "round5_late.json"}]
TRT["/unique-tournament/17/scheduled-events/{tomorrow}"] = [{"inline": {"events": []}}]
TRT["/sport/football/events/live"] = [{"inline": {"events": []}}]
TRT["/unique-tournament/17/season/96668/events/round/5"] = [
    {"body": "round5_postponed.json"}, {"body": "round5_late.json"}]
write_dir("tstats-trigger", TRT, TF,
          "tests/integration/test_tstats.c producer trigger: round 5 of ut 17 season 96668, "
          "three finished and one postponed; the {today} list shows the postponed match "
          "finished from its third request on. Generated by results-cases/generate.py.",
          base_time=BASE)
