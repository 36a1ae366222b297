#!/usr/bin/env python3
"""Writes the match-day replay served by tests/fakes/fake-sofascore (`make demo`).

Not needed at run time: the JSON files next to this script are committed.  Run it again
(`python3 tests/data/scenarios/matchday/generate.py`) only to change the replay; it rewrites every
*.json of this folder, scenario.json included.

Shapes follow the real Sofascore API (../shared/sofascore-samples/, DESIGN.md section 9) and the
fixtures of tests/data/fixtures/sofascore/.  Every timestamp is B + offset with B = base_time: the fake
moves B to the moment it starts.
"""
import copy
import json
import os
import unicodedata
import zlib

OUT = os.path.dirname(os.path.abspath(__file__))
B = 1790000000  # base_time

# ============================================================ common objects
SPORT = {"name": "Football", "slug": "football", "id": 1}


def country(a2, a3, name):
    return {"alpha2": a2, "alpha3": a3, "name": name, "slug": name.lower().replace(" ", "-")}


C = {k: country(*v) for k, v in {
    "ENG": ("EN", "ENG", "England"), "ESP": ("ES", "ESP", "Spain"),
    "POR": ("PT", "PRT", "Portugal"), "CRO": ("HR", "HRV", "Croatia"),
    "NED": ("NL", "NLD", "Netherlands"), "BEL": ("BE", "BEL", "Belgium"),
    "NOR": ("NO", "NOR", "Norway"), "ITA": ("IT", "ITA", "Italy"),
    "FRA": ("FR", "FRA", "France"), "BRA": ("BR", "BRA", "Brazil"),
    "EGY": ("EG", "EGY", "Egypt"), "SWE": ("SE", "SWE", "Sweden"),
    "ECU": ("EC", "ECU", "Ecuador"), "SCO": ("SC", "SCO", "Scotland"),
    "WAL": ("WA", "WAL", "Wales"), "GER": ("DE", "DEU", "Germany"),
    "ARG": ("AR", "ARG", "Argentina"), "HUN": ("HU", "HUN", "Hungary"),
    "GEO": ("GE", "GEO", "Georgia"), "UZB": ("UZ", "UZB", "Uzbekistan"),
    "TUR": ("TR", "TUR", "Turkey"), "JPN": ("JP", "JPN", "Japan"),
    "GHA": ("GH", "GHA", "Ghana"), "MLI": ("ML", "MLI", "Mali"),
    "ZIM": ("ZW", "ZWE", "Zimbabwe"), "KOR": ("KR", "KOR", "South Korea"),
    "CIV": ("CI", "CIV", "Côte d'Ivoire"), "URU": ("UY", "URY", "Uruguay"),
    "CZE": ("CZ", "CZE", "Czechia"), "SEN": ("SN", "SEN", "Senegal"),
    "DEN": ("DK", "DNK", "Denmark"), "PAR": ("PY", "PRY", "Paraguay"),
    "COD": ("CD", "COD", "DR Congo"), "CMR": ("CM", "CMR", "Cameroon"),
    "NGA": ("NG", "NGA", "Nigeria"), "USA": ("US", "USA", "USA"),
    "SUI": ("CH", "CHE", "Switzerland"), "IRL": ("IE", "IRL", "Ireland"),
    "AUT": ("AT", "AUT", "Austria"), "GUI": ("GN", "GIN", "Guinea"),
    "ALG": ("DZ", "DZA", "Algeria"),
}.items()}
ENG = C["ENG"]


def ft(ru=None, ar=None, hi=None, bn=None, short=None):
    nt = {}
    for k, v in (("ar", ar), ("hi", hi), ("bn", bn), ("ru", ru)):
        if v:
            nt[k] = v
    return {"nameTranslation": nt, "shortNameTranslation": short or {}}


CATEGORY = {
    "name": "England", "slug": "england", "sport": SPORT, "priority": 10,
    "country": ENG, "id": 1, "flag": "england", "alpha2": "EN",
    "fieldTranslations": ft(ru="Англия", ar="إنجلترا", hi="इंग्लैंड", bn="ইংল্যান্ড"),
}
UT17 = {
    "name": "Premier League", "slug": "premier-league",
    "primaryColorHex": "#3c1c5a", "secondaryColorHex": "#f80158",
    "category": CATEGORY, "userCount": 1267048, "hasPerformanceGraphFeature": True,
    "liveActivityEnabled": True, "country": {}, "id": 17, "hasEventPlayerStatistics": True,
    "displayInverseHomeAwayTeams": False,
    "fieldTranslations": ft(ru="Премьер-лига", ar="الدوري الإنجليزي الممتاز",
                            hi="प्रीमियर लीग", bn="প্রিমিয়ার লিগ"),
}
TOURNAMENT17 = {
    "name": "Premier League", "slug": "premier-league", "category": CATEGORY,
    "uniqueTournament": UT17, "priority": 704, "isGroup": False, "isLive": False, "id": 1,
    "fieldTranslations": ft(ru="Премьер-лига", ar="الدوري الإنجليزي الممتاز",
                            hi="प्रीमियर लीग", bn="প্রিমিয়ার লিগ"),
}
SEASON = {"name": "Premier League 26/27", "year": "26/27", "editor": False, "id": 76986}

ESP_CAT = {"name": "Spain", "slug": "spain", "sport": SPORT, "priority": 10,
           "country": C["ESP"], "id": 32, "flag": "spain", "alpha2": "ES",
           "fieldTranslations": ft(ru="Испания", ar="إسبانيا", hi="स्पेन", bn="স্পেন")}
UT8 = {"name": "LaLiga", "slug": "laliga", "primaryColorHex": "#2f4a89",
       "secondaryColorHex": "#f4a32e", "category": ESP_CAT, "userCount": 1085531,
       "hasPerformanceGraphFeature": True, "liveActivityEnabled": True, "country": {},
       "id": 8, "hasEventPlayerStatistics": True, "displayInverseHomeAwayTeams": False,
       "fieldTranslations": ft(ru="Ла Лига", ar="الدوري الإسباني")}
TOURNAMENT8 = {"name": "LaLiga", "slug": "laliga", "category": ESP_CAT,
               "uniqueTournament": UT8, "priority": 700, "isGroup": False, "isLive": False,
               "id": 36, "fieldTranslations": ft(ru="Ла Лига", ar="الدوري الإسباني")}
SEASON8 = {"name": "LaLiga 26/27", "year": "26/27", "editor": False, "id": 77559}

# id: name, slug, short, code, users, primary, secondary, ru, venue, city, capacity,
#     (lat, lon), manager, manager country, founded (year)
TEAMS = {
    17: ("Manchester City", "manchester-city", "Man City", "MCI", 4440908, "#66ccff", "#ffffff",
         "Манчестер Сити", "Etihad Stadium", "Manchester", 53400, (53.483176, -2.200427),
         "Pep Guardiola", "ESP", 1880),
    42: ("Arsenal", "arsenal", "Arsenal", "ARS", 3928685, "#cc0000", "#ffffff", "Арсенал",
         "Emirates Stadium", "London", 60704, (51.554888, -0.108438), "Mikel Arteta", "ESP",
         1886),
    44: ("Liverpool", "liverpool", "Liverpool", "LIV", 4013061, "#cc0000", "#ffffff",
         "Ливерпуль", "Anfield", "Liverpool", 61276, (53.430819, -2.960828), "Arne Slot",
         "NED", 1892),
    38: ("Chelsea", "chelsea", "Chelsea", "CHE", 3286197, "#0a4595", "#ffffff", "Челси",
         "Stamford Bridge", "London", 40343, (51.481663, -0.190956), "Enzo Maresca", "ITA",
         1905),
    48: ("Everton", "everton", "Everton", "EVE", 651202, "#274488", "#ffffff", "Эвертон",
         "Hill Dickinson Stadium", "Liverpool", 52888, (53.425402, -3.003511), "David Moyes",
         "SCO", 1878),
    43: ("Fulham", "fulham", "Fulham", "FUL", 345611, "#ffffff", "#000000", "Фулхэм",
         "Craven Cottage", "London", 29600, (51.474964, -0.221625), "Marco Silva", "POR",
         1879),
    30: ("Brighton & Hove Albion", "brighton-and-hove-albion", "Brighton", "BHA", 436145,
         "#0054a6", "#ffffff", "Брайтон энд Хоув Альбион", "American Express Stadium",
         "Brighton", 31876, (50.861822, -0.083278), "Fabian Hürzeler", "GER", 1901),
    3: ("Wolverhampton", "wolverhampton", "Wolves", "WOL", 456310, "#ff9900", "#000000",
        "Вулверхэмптон", "Molineux Stadium", "Wolverhampton", 31750, (52.590204, -2.130372),
        "Vítor Pereira", "POR", 1877),
    33: ("Tottenham Hotspur", "tottenham-hotspur", "Tottenham", "TOT", 2213901, "#ffffff",
         "#000066", "Тоттенхэм Хотспур", "Tottenham Hotspur Stadium", "London", 62850,
         (51.604444, -0.066389), "Thomas Frank", "DEN", 1882),
    39: ("Newcastle United", "newcastle-united", "Newcastle", "NEW", 1187420, "#000000",
         "#ffffff", "Ньюкасл Юнайтед", "St. James' Park", "Newcastle upon Tyne", 52305,
         (54.975556, -1.621667), "Eddie Howe", "ENG", 1892),
    40: ("Aston Villa", "aston-villa", "Aston Villa", "AVL", 804117, "#670e36", "#94bee5",
         "Астон Вилла", "Villa Park", "Birmingham", 42682, (52.509167, -1.884722),
         "Unai Emery", "ESP", 1874),
    37: ("West Ham United", "west-ham-united", "West Ham", "WHU", 876035, "#7c2c3b", "#2dafe5",
         "Вест Хэм Юнайтед", "London Stadium", "London", 62500, (51.538611, -0.016389),
         "Nuno Espírito Santo", "POR", 1895),
    50: ("Brentford", "brentford", "Brentford", "BRE", 287940, "#ff0000", "#ffffff",
         "Брентфорд", "Gtech Community Stadium", "London", 17250, (51.490715, -0.289048),
         "Keith Andrews", "IRL", 1889),
    6: ("Burnley", "burnley", "Burnley", "BUR", 198447, "#80172c", "#99ccff", "Бернли",
        "Turf Moor", "Burnley", 21944, (53.789167, -2.230278), "Scott Parker", "ENG", 1882),
    2829: ("Real Madrid", "real-madrid", "Real Madrid", "RMA", 5230114, "#ffffff", "#0000ff",
           "Реал Мадрид", "Santiago Bernabéu", "Madrid", 83186, (40.45306, -3.68835),
           "Xabi Alonso", "ESP", 1902),
    2817: ("Barcelona", "barcelona", "Barcelona", "BAR", 5803557, "#a50044", "#004d98",
           "Барселона", "Spotify Camp Nou", "Barcelona", 62000, (41.380898, 2.12282),
           "Hansi Flick", "GER", 1899),
}


def slugify(n):
    s = unicodedata.normalize("NFKD", n).encode("ascii", "ignore").decode()
    return s.lower().replace(" ", "-").replace("'", "").replace(".", "").replace("&", "and")


def venue(tid):
    t = TEAMS[tid]
    ctry = C["ESP"] if tid in (2829, 2817) else ENG
    return {"city": {"name": t[9], "country": ctry, "id": 30000 + tid},
            "venueCoordinates": {"latitude": t[11][0], "longitude": t[11][1]},
            "hidden": False, "slug": slugify(t[8]), "name": t[8], "capacity": t[10],
            "country": ctry, "id": 1000 + tid,
            "fieldTranslations": ft(ru="Стадион " + t[8]),
            "stadium": {"name": t[8], "capacity": t[10]}}


def team(tid, detail=False, slim=False):
    n, slug, short, code, users, p, s, ru = TEAMS[tid][:8]
    mgr, mgr_c, founded = TEAMS[tid][12:15]
    ctry = C["ESP"] if tid in (2829, 2817) else ENG
    t = {"name": n, "slug": slug, "shortName": short, "gender": "M", "sport": SPORT,
         "userCount": users}
    if detail:
        parts = mgr.split()
        t["manager"] = {"name": mgr, "slug": slugify(mgr), "shortName": parts[0][0] + ". " +
                        " ".join(parts[1:]), "country": C[mgr_c], "id": 52000 + tid * 7,
                        "fieldTranslations": ft()}
        t["venue"] = venue(tid)
    t.update({"nameCode": code, "disabled": False, "national": False, "type": 0,
              "country": ctry, "id": tid})
    if detail:
        t["fullName"] = n
    t["subTeams"] = []
    t["teamColors"] = {"primary": p, "secondary": s, "text": s}
    if detail:
        t["foundationDateTimestamp"] = (founded - 1970) * 31556952 // 86400 * 86400
    if not slim:
        t["fieldTranslations"] = ft(ru=ru)
    if detail:
        t["timeActive"] = []
    return t


# ============================================================ events
STATUS = {
    0: ("Not started", "notstarted"), 6: ("1st half", "inprogress"),
    7: ("2nd half", "inprogress"), 31: ("Halftime", "inprogress"),
    50: ("Penalties", "inprogress"), 60: ("Postponed", "postponed"),
    100: ("Ended", "finished"), 120: ("AP", "finished"),
}


def score(cur=None, disp=None, p1=None, p2=None, nt=None, ex1=None, ex2=None, ot=None,
          pen=None):
    if cur is None:
        return {}
    s = {"current": cur, "display": disp if disp is not None else cur}
    for k, v in (("period1", p1), ("period2", p2), ("normaltime", nt), ("extra1", ex1),
                 ("extra2", ex2), ("overtime", ot), ("penalties", pen)):
        if v is not None:
            s[k] = v
    return s


def event(spec, detail=False, slim=False):
    """spec: dict with eid home away start code hs as_ custom round [winner time changes
    live lastPeriod tournament season coverage xg referee attendance red]."""
    code = spec["code"]
    home, away, start = spec["home"], spec["away"], spec["start"]
    finished = code in (100, 120)
    e = {"eventState": {}}
    e["tournament"] = copy.deepcopy(spec.get("tournament", TOURNAMENT17))
    if detail:
        e["tournament"]["competitionType"] = 1
    e["season"] = copy.deepcopy(spec.get("season", SEASON))
    e["roundInfo"] = {"round": spec["round"]}
    e["customId"] = spec["custom"]
    d, t = STATUS[code]
    e["status"] = {"code": code, "description": d, "type": t}
    if spec.get("winner") is not None:
        e["winnerCode"] = spec["winner"]
    if detail and spec.get("attendance"):
        e["attendance"] = spec["attendance"]
    if not detail and not slim:
        # list items carry the venue; /event/{id} has it under homeTeam only (as in the samples)
        e["venue"] = venue(home)
    if detail and spec.get("referee"):
        e["referee"] = spec["referee"]
    e["homeTeam"] = team(home, detail=detail, slim=slim)
    e["awayTeam"] = team(away, detail=detail, slim=slim)
    e["homeScore"] = spec["hs"]
    e["awayScore"] = spec["as_"]
    if not detail or code not in (100, 120):
        e["coverage"] = spec.get("coverage", -1)
    e["time"] = spec.get("time", {})
    e["changes"] = spec.get("changes", {"changeTimestamp": 0})
    e["hasGlobalHighlights"] = finished and spec.get("xg", False)
    if finished and spec.get("xg", False):
        e["hasXg"] = True
        e["hasEventPlayerStatistics"] = True
        e["hasEventPlayerHeatMap"] = True
    if not detail:
        e["detailId"] = 1
    e["crowdsourcingDataDisplayEnabled"] = False
    e["id"] = spec["eid"]
    if spec.get("red"):
        e["homeRedCards"], e["awayRedCards"] = spec["red"]
    if detail:
        e["defaultPeriodCount"] = 2
        e["defaultPeriodLength"] = 45
        e["defaultOvertimeLength"] = 15
    if STATUS[code][1] == "inprogress":
        e["varInProgress"] = {"homeTeam": False, "awayTeam": False}
    e["slug"] = TEAMS[home][1] + "-" + TEAMS[away][1]
    if detail and e["time"].get("currentPeriodStartTimestamp"):
        e["currentPeriodStartTimestamp"] = e["time"]["currentPeriodStartTimestamp"]
    e["startTimestamp"] = start
    if spec.get("lastPeriod") and STATUS[code][1] == "inprogress":
        e["lastPeriod"] = spec["lastPeriod"]
    e["finalResultOnly"] = False
    e["feedLocked"] = finished
    if detail:
        e["showTotoPromo"] = True
        e["isEditor"] = False
        e["eventFilters"] = {"category": ["club"], "level": ["top-competitions", "pro"],
                             "gender": ["M"]}
    return e


def ref(name, rid, y, r, yr, games):
    return {"name": name, "slug": slugify(name), "yellowCards": y, "redCards": r,
            "yellowRedCards": yr, "games": games, "sport": SPORT, "id": rid, "country": ENG}


def live_time(cur_start, last_end):
    return {"periodLength": 2700, "overtimeLength": 900, "totalPeriodCount": 2,
            "currentPeriodStartTimestamp": cur_start, "lastPeriodEndTimestamp": last_end}


# --- round 12 ---------------------------------------------------------------------------
S9101 = B - 7200  # kick-off; 1st half ended S+2880 (45+3), 2nd half from B-2820
E9101_LIVE = dict(
    eid=9101, home=17, away=42, start=S9101, code=7, round=12, custom="RsabsOb",
    hs=score(2, 2, 1, 1), as_=score(1, 1, 0, 1), xg=True,
    time=live_time(B - 2820, S9101 + 2880), lastPeriod="period2",
    changes={"changes": ["homeScore.current", "homeScore.display", "homeScore.period2"],
             "changeTimestamp": B - 840},  # 78' penalty
    referee=ref("Anthony Taylor", 72792, 1361, 37, 31, 447), attendance=52917)
E9101_FT = dict(E9101_LIVE, code=100, winner=1,
                hs=score(2, 2, 1, 1, 2), as_=score(1, 1, 0, 1, 1),
                time={"currentPeriodStartTimestamp": B - 2820,
                      "lastPeriodEndTimestamp": S9101 + 2880},
                changes={"changes": ["status.code", "status.description", "status.type"],
                         "changeTimestamp": B + 12})

S9102 = B - 8400  # kick-off; extra time played, shoot-out under way at B
E9102_LIVE = dict(
    eid=9102, home=44, away=38, start=S9102, code=50, round=12, custom="NsnbsVb",
    hs=score(1, 1, 0, 1, 1, 0, 0, 0), as_=score(1, 1, 1, 0, 1, 0, 0, 0), xg=True,
    time=live_time(B - 180, B - 240), lastPeriod="penalties",
    changes={"changes": ["status.code", "status.description", "time.currentPeriodStart"],
             "changeTimestamp": B - 180},
    referee=ref("Michael Oliver", 73003, 1208, 41, 29, 403), attendance=60432)
E9102_FT = dict(E9102_LIVE, code=120, winner=1,
                hs=score(6, 1, 0, 1, 1, 0, 0, 0, 5), as_=score(5, 1, 1, 0, 1, 0, 0, 0, 4),
                time={"currentPeriodStartTimestamp": B - 180, "lastPeriodEndTimestamp": B - 240},
                changes={"changes": ["status.code", "status.description", "status.type",
                                     "homeScore.penalties", "awayScore.penalties",
                                     "homeScore.current", "awayScore.current"],
                         "changeTimestamp": B + 22})

E9103 = dict(eid=9103, home=48, away=43, start=B - 3600, code=60, round=12, custom="yfsMfH",
             hs={}, as_={},
             changes={"changes": ["status.code", "status.description", "status.type"],
                      "changeTimestamp": B - 2 * 86400 + 4321})

S9104 = B - 10800
E9104 = dict(eid=9104, home=30, away=3, start=S9104, code=100, round=12, custom="qWsPWn",
             hs=score(0, 0, 0, 0, 0), as_=score(0, 0, 0, 0, 0), winner=3, xg=False,
             time={"currentPeriodStartTimestamp": S9104 + 3720,
                   "lastPeriodEndTimestamp": S9104 + 2820},
             changes={"changes": ["status.code", "status.description", "status.type"],
                      "changeTimestamp": S9104 + 6690},
             referee=ref("Simon Hooper", 76220, 702, 19, 12, 268), attendance=31402)

# --- round 13 ---------------------------------------------------------------------------
E9201 = dict(eid=9201, home=33, away=39, start=B + 1800, code=0, round=13, custom="mUsCUb",
             hs={}, as_={})
E9202 = dict(eid=9202, home=40, away=37, start=B + 2700, code=0, round=13, custom="dLsALc",
             hs={}, as_={})
E9203 = dict(eid=9203, home=50, away=6, start=B + 14400, code=0, round=13, custom="fJsEJg",
             hs={}, as_={})

# --- another tournament, live the whole time: must be ignored ----------------------------
E9901 = dict(eid=9901, home=2829, away=2817, start=B - 1500, code=6, round=10, custom="ZgsLgb",
             hs=score(0, 0, 0), as_=score(1, 1, 1), tournament=TOURNAMENT8, season=SEASON8,
             time=live_time(B - 1480, 0), lastPeriod="period1",
             changes={"changes": ["awayScore.current", "awayScore.display",
                                  "awayScore.period1"], "changeTimestamp": B - 400})
del E9901["time"]["lastPeriodEndTimestamp"]


def list_event(spec, slim=False):
    return event(spec, slim=slim)


def detail_event(spec):
    return {"event": event(spec, detail=True)}


# ============================================================ players and line-ups
DOB = 631152000  # 1990-01-01


def short(n):
    parts = n.split()
    return n if len(parts) == 1 else parts[0][0] + ". " + " ".join(parts[1:])


def pid_of(name, fixed=None):
    return fixed if fixed else 100000 + zlib.crc32(name.encode()) % 1400000


def player(pid, name, pos, jersey, ctry, h, ru=None):
    p = {"name": name}
    if pid % 3 == 0 and " " in name:
        p["firstName"] = name.split()[0]
        p["lastName"] = " ".join(name.split()[1:])
    p.update({"slug": slugify(name), "shortName": short(name), "position": pos})
    if jersey is not None:
        p["jerseyNumber"] = jersey
    p.update({"height": h, "userCount": 1000 + pid % 97000, "gender": "M",
              "sofascoreId": format(pid * 7919 % 46656, "x") + "-" + format(pid % 4096, "x"),
              "country": C[ctry], "id": pid, "marketValueCurrency": "EUR",
              "dateOfBirthTimestamp": DOB + pid % 5000 * 86400,
              "proposedMarketValueRaw": {"value": 5000000 + pid % 90 * 1000000,
                                         "currency": "EUR"},
              "fieldTranslations": ft(ru=ru, short={"ru": ru.split()[0][0] + ". " +
                                                    " ".join(ru.split()[1:])}
                                      if ru and " " in ru else {})})
    return p


# Squad rows: (name, position, profile jerseyNumber (None = absent), shirt worn, country,
#              height, fixed id or None, ru).  First 11 start, the next 7 are the bench.
SQUADS = {
    17: [("James Trafford", "G", "1", 1, "ENG", 198, 1101583, "Джеймс Траффорд"),
         ("Matheus Nunes", "D", "27", 27, "POR", 183, 827606, "Матеус Нунеш"),
         ("Rúben Dias", "D", "3", 3, "POR", 187, 794839, "Рубен Диаш"),
         ("Joško Gvardiol", "D", "24", 24, "CRO", 185, 873560, "Йошко Гвардиол"),
         ("Nico O'Reilly", "D", "75", 33, "ENG", 185, 1402912, "Нико О'Рейли"),
         ("Rodri", "M", "16", 16, "ESP", 191, 581310, "Родри"),
         ("Tijjani Reijnders", "M", "4", 4, "NED", 185, 993214, "Тиджани Рейндерс"),
         ("Bernardo Silva", "M", "20", 20, "POR", 173, 331209, "Бернарду Силва"),
         ("Phil Foden", "F", "47", 47, "ENG", 171, 859025, "Фил Фоден"),
         ("Erling Haaland", "F", "9", 9, "NOR", 195, 839956, "Эрлинг Холанд"),
         ("Jérémy Doku", "F", "11", 11, "BEL", 173, 934235, "Жереми Доку"),
         ("Gianluigi Donnarumma", "G", "25", 25, "ITA", 196, 190150, "Джанлуиджи Доннарумма"),
         ("John Stones", "D", "5", 5, "ENG", 188, 152077, "Джон Стоунз"),
         ("Nathan Aké", "D", "6", 6, "NED", 180, 283026, "Натан Аке"),
         ("Mateo Kovačić", "M", "8", 8, "CRO", 177, 143811, "Матео Ковачич"),
         ("Rayan Cherki", "M", "10", 10, "FRA", 177, 1023413, "Райан Шерки"),
         ("Omar Marmoush", "F", "7", 7, "EGY", 183, 902715, "Омар Мармуш"),
         ("Savinho", "F", "26", 26, "BRA", 176, 1113466, "Савиньо")],
    42: [("David Raya", "G", "22", 1, "ESP", 183, 581316, "Давид Райя"),
         ("Jurriën Timber", "D", "12", 12, "NED", 179, 934386, "Юрриен Тимбер"),
         ("William Saliba", "D", "2", 2, "FRA", 192, 859773, "Уильям Салиба"),
         ("Gabriel", "D", "6", 6, "BRA", 190, 869792, "Габриэл"),
         ("Riccardo Calafiori", "D", "33", 33, "ITA", 188, 1007812, "Риккардо Калафьори"),
         ("Declan Rice", "M", "41", 41, "ENG", 185, 825133, "Деклан Райс"),
         ("Martín Zubimendi", "M", "36", 36, "ESP", 181, 1000029, "Мартин Субименди"),
         ("Martin Ødegaard", "M", "8", 8, "NOR", 178, 795222, "Мартин Эдегор"),
         ("Bukayo Saka", "F", "7", 7, "ENG", 178, 934236, "Букайо Сака"),
         ("Eberechi Eze", "F", "10", 10, "ENG", 178, 868812, "Эберечи Эзе"),
         ("Viktor Gyökeres", "F", "14", 14, "SWE", 187, 911023, "Виктор Дьёкереш"),
         ("Kepa Arrizabalaga", "G", "13", 13, "ESP", 186, 189920, "Кепа Аррисабалага"),
         ("Piero Hincapié", "D", "5", 5, "ECU", 184, 1041920, "Пьеро Инкапье"),
         ("Ben White", "D", "4", 4, "ENG", 186, 795064, "Бен Уайт"),
         ("Mikel Merino", "M", "23", 23, "ESP", 189, 937442, "Микель Мерино"),
         ("Gabriel Martinelli", "F", "11", 11, "BRA", 176, 928130, "Габриэл Мартинелли"),
         ("Leandro Trossard", "F", "19", 19, "BEL", 172, 358711, "Леандро Троссар"),
         ("Noni Madueke", "F", "20", 20, "ENG", 182, 1003871, "Нони Мадуэке")],
    44: [("Alisson", "G", "1", 1, "BRA", 193, 243609, "Алиссон"),
         ("Jeremie Frimpong", "D", "30", 30, "NED", 171, None, "Джереми Фримпонг"),
         ("Ibrahima Konaté", "D", "5", 5, "FRA", 194, None, "Ибраима Конате"),
         ("Virgil van Dijk", "D", "4", 4, "NED", 195, 151545, "Вирджил ван Дейк"),
         ("Milos Kerkez", "D", "6", 6, "HUN", 180, None, "Милош Керкез"),
         ("Ryan Gravenberch", "M", "38", 38, "NED", 190, None, "Райан Гравенберх"),
         ("Dominik Szoboszlai", "M", "8", 8, "HUN", 186, None, "Доминик Собослаи"),
         ("Mohamed Salah", "F", "11", 11, "EGY", 175, 159665, "Мохамед Салах"),
         ("Florian Wirtz", "M", "10", 7, "GER", 177, None, "Флориан Вирц"),
         ("Cody Gakpo", "F", "18", 18, "NED", 193, None, "Коди Гакпо"),
         ("Alexander Isak", "F", "9", 9, "SWE", 192, None, "Александер Исак"),
         ("Giorgi Mamardashvili", "G", "25", 25, "GEO", 199, None, None),
         ("Joe Gomez", "D", "2", 2, "ENG", 188, None, "Джо Гомес"),
         ("Andrew Robertson", "D", "26", 26, "SCO", 178, None, "Эндрю Робертсон"),
         ("Alexis Mac Allister", "M", "10", 10, "ARG", 176, None, "Алексис Мак Аллистер"),
         ("Curtis Jones", "M", "17", 17, "ENG", 185, None, None),
         ("Hugo Ekitike", "F", "22", 22, "FRA", 190, None, "Юго Экитике"),
         ("Federico Chiesa", "F", "14", 14, "ITA", 175, None, "Федерико Кьеза")],
    38: [("Robert Sánchez", "G", "1", 1, "ESP", 197, None, "Роберт Санчес"),
         ("Reece James", "D", "24", 24, "ENG", 179, None, "Рис Джеймс"),
         ("Wesley Fofana", "D", "29", 29, "FRA", 190, None, "Весли Фофана"),
         ("Levi Colwill", "D", "6", 6, "ENG", 187, None, "Леви Колуилл"),
         ("Marc Cucurella", "D", "3", 3, "ESP", 172, None, "Марк Кукурелья"),
         ("Moisés Caicedo", "M", "25", 25, "ECU", 178, None, "Мойсес Кайседо"),
         ("Enzo Fernández", "M", "8", 8, "ARG", 178, None, "Энцо Фернандес"),
         ("Cole Palmer", "M", "10", 10, "ENG", 189, None, "Коул Палмер"),
         ("Estêvão", "F", "41", 41, "BRA", 176, None, "Эстевао"),
         ("Pedro Neto", "F", "7", 7, "POR", 172, None, "Педру Нету"),
         ("João Pedro", "F", "20", 20, "BRA", 182, None, "Жоао Педро"),
         ("Filip Jörgensen", "G", "12", 12, "DEN", 190, None, None),
         ("Trevoh Chalobah", "D", "23", 23, "ENG", 190, None, "Тревор Чалоба"),
         ("Malo Gusto", "D", "27", 27, "FRA", 179, None, "Мало Гюсто"),
         ("Andrey Santos", "M", "17", 17, "BRA", 180, None, None),
         ("Alejandro Garnacho", "F", "49", 49, "ARG", 180, None, "Алехандро Гарначо"),
         ("Liam Delap", "F", "9", 9, "ENG", 186, None, "Лиам Делап"),
         ("Jamie Gittens", "F", "11", 11, "ENG", 174, None, None)],
    30: [("Bart Verbruggen", "G", "1", 1, "NED", 193, None, None),
         ("Joël Veltman", "D", "34", 34, "NED", 184, None, None),
         ("Jan Paul van Hecke", "D", "6", 6, "NED", 189, None, None),
         ("Lewis Dunk", "D", "5", 5, "ENG", 192, None, "Льюис Данк"),
         ("Maxim De Cuyper", "D", "29", 29, "BEL", 179, None, None),
         ("Carlos Baleba", "M", "17", 17, "CMR", 179, None, "Карлос Балеба"),
         ("Yasin Ayari", "M", "26", 26, "SWE", 172, None, None),
         ("Yankuba Minteh", "F", "11", 11, "ENG", 180, None, None),
         ("Georginio Rutter", "M", "10", 10, "FRA", 182, None, None),
         ("Kaoru Mitoma", "F", "22", 22, "JPN", 178, None, "Каору Митома"),
         ("Danny Welbeck", "F", "18", 18, "ENG", 185, None, "Дэнни Уэлбек"),
         ("Jason Steele", "G", "23", 23, "ENG", 188, None, None),
         ("Olivier Boscagli", "D", "21", 21, "FRA", 181, None, None),
         ("Ferdi Kadıoğlu", "D", "24", 24, "TUR", 174, None, None),
         ("Mats Wieffer", "M", "27", 27, "NED", 188, None, None),
         ("Diego Gómez", "M", "8", 8, "PAR", 180, None, None),
         ("Brajan Gruda", "F", "20", 20, "GER", 178, None, None),
         ("Stefanos Tzimas", "F", "9", 9, "ENG", 186, None, None)],
    3: [("José Sá", "G", "1", 1, "POR", 192, None, "Жозе Са"),
        ("Santiago Bueno", "D", "4", 4, "URU", 189, None, None),
        ("Emmanuel Agbadou", "D", "18", 18, "CIV", 192, None, None),
        ("Toti Gomes", "D", "24", 24, "POR", 187, None, None),
        ("Jackson Tchatchoua", "D", "38", 38, "CMR", 178, None, None),
        ("André", "M", "7", 7, "BRA", 176, None, None),
        ("João Gomes", "M", "8", 8, "BRA", 176, None, None),
        ("Hugo Bueno", "D", "3", 3, "ESP", 180, None, None),
        ("Marshall Munetsi", "M", "5", 5, "ZIM", 188, None, None),
        ("Hwang Hee-chan", "F", "11", 11, "KOR", 177, None, "Хван Хи Чан"),
        ("Jørgen Strand Larsen", "F", "9", 9, "NOR", 193, None, None),
        ("Sam Johnstone", "G", "31", 31, "ENG", 193, None, None),
        ("Yerson Mosquera", "D", "14", 14, "ENG", 188, None, None),
        ("Ki-Jana Hoever", "D", "2", 2, "NED", 180, None, None),
        ("Jean-Ricner Bellegarde", "M", "27", 27, "FRA", 170, None, None),
        ("Rodrigo Gomes", "F", "21", 21, "POR", 172, None, None),
        ("Fer López", "M", "16", 16, "ESP", 182, None, None),
        ("Tolu Arokodare", "F", "20", 20, "NGA", 197, None, None)],
    33: [("Guglielmo Vicario", "G", "1", 1, "ITA", 194, None, "Гульельмо Викарио"),
         ("Pedro Porro", "D", "23", 23, "ESP", 173, None, "Педро Порро"),
         ("Cristian Romero", "D", "17", 17, "ARG", 185, None, "Кристиан Ромеро"),
         ("Micky van de Ven", "D", "37", 37, "NED", 193, None, "Микки ван де Вен"),
         ("Destiny Udogie", "D", "13", 13, "ITA", 188, None, None),
         ("João Palhinha", "M", "6", 6, "POR", 190, None, "Жоау Палинья"),
         ("Rodrigo Bentancur", "M", "30", 30, "URU", 187, None, None),
         ("Mohammed Kudus", "F", "20", 20, "GHA", 177, None, "Мохаммед Кудус"),
         ("Xavi Simons", "M", "7", 7, "NED", 179, None, "Хави Симонс"),
         ("Mathys Tel", "F", "11", 11, "FRA", 183, None, None),
         ("Dominic Solanke", "F", "19", 19, "ENG", 187, None, "Доминик Соланке"),
         ("Antonín Kinský", "G", "31", 31, "CZE", 190, None, None),
         ("Kevin Danso", "D", "4", 4, "AUT", 190, None, None),
         ("Djed Spence", "D", "24", 24, "ENG", 184, None, None),
         ("Pape Matar Sarr", "M", "29", 29, "SEN", 184, None, None),
         ("Lucas Bergvall", "M", "15", 15, "SWE", 187, None, None),
         ("Wilson Odobert", "F", "28", 28, "FRA", 183, None, None),
         ("Richarlison", "F", "9", 9, "BRA", 184, None, "Ришарлисон")],
    39: [("Nick Pope", "G", "22", 22, "ENG", 191, None, "Ник Поуп"),
         ("Kieran Trippier", "D", "2", 2, "ENG", 173, None, "Киран Триппьер"),
         ("Fabian Schär", "D", "5", 5, "SUI", 186, None, None),
         ("Sven Botman", "D", "4", 4, "NED", 195, None, None),
         ("Dan Burn", "D", "33", 33, "ENG", 198, None, None),
         ("Sandro Tonali", "M", "8", 8, "ITA", 181, None, "Сандро Тонали"),
         ("Bruno Guimarães", "M", "39", 39, "BRA", 182, None, "Бруно Гимарайнс"),
         ("Joelinton", "M", "7", 7, "BRA", 186, None, "Жоэлинтон"),
         ("Jacob Murphy", "F", "23", 23, "ENG", 179, None, None),
         ("Nick Woltemade", "F", "27", 27, "GER", 198, None, None),
         ("Anthony Gordon", "F", "10", 10, "ENG", 183, None, "Энтони Гордон"),
         ("Aaron Ramsdale", "G", "32", 32, "ENG", 188, None, None),
         ("Malick Thiaw", "D", "12", 12, "GER", 194, None, None),
         ("Lewis Hall", "D", "3", 3, "ENG", 179, None, None),
         ("Joe Willock", "M", "28", 28, "ENG", 186, None, None),
         ("Jacob Ramsey", "M", "41", 41, "ENG", 180, None, None),
         ("Harvey Barnes", "F", "11", 11, "ENG", 174, None, None),
         ("Yoane Wissa", "F", "9", 9, "COD", 176, None, None)],
    40: [("Emiliano Martínez", "G", "1", 23, "ARG", 195, 158263, "Эмилиано Мартинес"),
         ("Matty Cash", "D", "2", 2, "ENG", 185, None, None),
         ("Ezri Konsa", "D", "4", 4, "ENG", 183, None, None),
         ("Pau Torres", "D", "14", 14, "ESP", 191, None, "Пау Торрес"),
         ("Lucas Digne", "D", "12", 12, "FRA", 178, None, "Люка Динь"),
         ("Boubacar Kamara", "M", "44", 44, "FRA", 184, None, None),
         ("Youri Tielemans", "M", "8", 8, "BEL", 176, None, "Юри Тилеманс"),
         ("John McGinn", "M", "7", 7, "SCO", 178, None, None),
         ("Morgan Rogers", "M", "27", 27, "ENG", 187, None, "Морган Роджерс"),
         ("Emiliano Buendía", "M", "10", 10, "ARG", 172, None, None),
         ("Ollie Watkins", "F", "11", 11, "ENG", 180, None, "Олли Уоткинс"),
         ("Marco Bizot", "G", "40", 40, "NED", 193, None, None),
         ("Tyrone Mings", "D", "5", 5, "ENG", 196, None, None),
         ("Ian Maatsen", "D", "22", 22, "NED", 178, None, None),
         ("Amadou Onana", "M", "24", 24, "BEL", 195, None, None),
         ("Harvey Elliott", "M", "9", 9, "ENG", 170, None, None),
         ("Jadon Sancho", "F", "19", 19, "ENG", 180, None, "Джейдон Санчо"),
         ("Evann Guessand", "F", "29", 29, "CIV", 187, None, None)],
    37: [("Alphonse Areola", "G", "23", 23, "FRA", 195, None, None),
         ("Aaron Wan-Bissaka", "D", "29", 29, "COD", 183, None, None),
         ("Max Kilman", "D", "3", 3, "ENG", 194, None, None),
         ("Jean-Clair Todibo", "D", "25", 25, "FRA", 190, None, None),
         ("El Hadji Malick Diouf", "D", "12", 12, "SEN", 181, None, None),
         ("Tomáš Souček", "M", "28", 28, "CZE", 192, None, "Томаш Соучек"),
         ("Mateus Fernandes", "M", "18", 18, "POR", 180, None, None),
         ("Jarrod Bowen", "F", "20", 20, "ENG", 175, None, "Джэррод Боуэн"),
         ("Lucas Paquetá", "M", "10", 10, "BRA", 180, None, "Лукас Пакета"),
         ("Crysencio Summerville", "F", "7", 7, "NED", 174, None, None),
         ("Callum Wilson", "F", "9", 9, "ENG", 180, None, None),
         ("Mads Hermansen", "G", "1", 1, "DEN", 187, None, None),
         ("Konstantinos Mavropanos", "D", "15", 15, "ENG", 194, None, None),
         ("Oliver Scarles", "D", "30", 30, "ENG", 183, None, None),
         ("Soungoutou Magassa", "M", "27", 27, "FRA", 186, None, None),
         ("Guido Rodríguez", "M", "24", 24, "ARG", 185, None, None),
         ("George Earthy", "M", "36", 36, "ENG", 178, None, None),
         ("Niclas Füllkrug", "F", "11", 11, "GER", 189, None, None)],
}

PLAYERS = {}  # (team, name) -> player object
for _tid, _rows in SQUADS.items():
    for _r in _rows:
        _name, _pos, _jersey, _shirt, _ctry, _h, _fixed, _ru = _r
        PLAYERS[(_tid, _name)] = player(pid_of(_name, _fixed), _name, _pos, _jersey, _ctry,
                                        _h, _ru)
_ids = [p["id"] for p in PLAYERS.values()]
assert len(_ids) == len(set(_ids)), "player ids collide"


def pl(tid, name):
    return copy.deepcopy(PLAYERS[(tid, name)])


def row(tid, name):
    for r in SQUADS[tid]:
        if r[0] == name:
            return r
    raise KeyError(name)


COLORS = {
    17: ({"primary": "66ccff", "number": "ffffff", "outline": "66ccff", "fancyNumber": "222226"},
         {"primary": "2b2b2b", "number": "ffffff", "outline": "2b2b2b", "fancyNumber": "ffffff"}),
    42: ({"primary": "ffffff", "number": "cc0000", "outline": "ffffff", "fancyNumber": "222226"},
         {"primary": "aede9d", "number": "222322", "outline": "aede9d", "fancyNumber": "222226"}),
    44: ({"primary": "cc0000", "number": "ffffff", "outline": "cc0000", "fancyNumber": "ffffff"},
         {"primary": "1d1d1d", "number": "ffffff", "outline": "1d1d1d", "fancyNumber": "ffffff"}),
    38: ({"primary": "0a4595", "number": "ffffff", "outline": "0a4595", "fancyNumber": "ffffff"},
         {"primary": "f6e03c", "number": "000000", "outline": "f6e03c", "fancyNumber": "222226"}),
    30: ({"primary": "0054a6", "number": "ffffff", "outline": "0054a6", "fancyNumber": "ffffff"},
         {"primary": "ff6a13", "number": "000000", "outline": "ff6a13", "fancyNumber": "222226"}),
    3: ({"primary": "000000", "number": "ff9900", "outline": "000000", "fancyNumber": "ff9900"},
        {"primary": "21c45a", "number": "000000", "outline": "21c45a", "fancyNumber": "222226"}),
    33: ({"primary": "ffffff", "number": "000066", "outline": "ffffff", "fancyNumber": "222226"},
         {"primary": "f4d81f", "number": "000000", "outline": "f4d81f", "fancyNumber": "222226"}),
    39: ({"primary": "000000", "number": "ffffff", "outline": "000000", "fancyNumber": "ffffff"},
         {"primary": "9ad23c", "number": "000000", "outline": "9ad23c", "fancyNumber": "222226"}),
    40: ({"primary": "670e36", "number": "94bee5", "outline": "670e36", "fancyNumber": "ffffff"},
         {"primary": "ff7f27", "number": "000000", "outline": "ff7f27", "fancyNumber": "222226"}),
    37: ({"primary": "7c2c3b", "number": "2dafe5", "outline": "7c2c3b", "fancyNumber": "ffffff"},
         {"primary": "1f1f1f", "number": "ffffff", "outline": "1f1f1f", "fancyNumber": "ffffff"}),
}


def stats(minutes, rating, seed, gk=False, extra=None, full=True):
    """Player statistics of a line-up entry; full=False is the low-coverage shape (no rating,
    a handful of keys)."""
    f = minutes / 90.0
    tp = max(1, int((25 + seed % 40) * f))
    ap = int(tp * (0.72 + (seed % 20) / 100.0))
    if not full:
        return {"totalPass": tp, "accuratePass": ap, "minutesPlayed": minutes,
                "touches": int(tp * 1.25) + 1}
    lb = int((seed % 9) * f)
    own = int(tp * 0.4)
    s = {"totalPass": tp, "accuratePass": ap, "totalLongBalls": lb,
         "accurateLongBalls": lb // 2, "goalAssist": 0,
         "accurateOwnHalfPasses": int(own * 0.9), "totalOwnHalfPasses": own,
         "accurateOppositionHalfPasses": max(0, ap - int(own * 0.9)),
         "totalOppositionHalfPasses": tp - own}
    if gk:
        s.update({"savedShotsFromInsideTheBox": seed % 3, "saves": 1 + seed % 4,
                  "punches": seed % 2, "goodHighClaim": seed % 3,
                  "goalsPrevented": round(-0.2 + (seed % 7) / 10, 4)})
    else:
        s.update({"duelLost": int((seed % 5) * f), "duelWon": int((seed % 7) * f),
                  "aerialLost": int((seed % 3) * f), "aerialWon": int((seed % 4) * f),
                  "ballRecovery": int((seed % 8) * f), "totalTackle": int((seed % 4) * f),
                  "wonTackle": int((seed % 4) * f * 0.6), "wasFouled": int((seed % 3) * f),
                  "fouls": int((seed % 3) * f), "totalClearance": int((seed % 6) * f),
                  "interceptionWon": int((seed % 3) * f)})
        if seed % 4:
            s["onTargetScoringAttempt"] = seed % 3
            s["shotOffTarget"] = seed % 2
            s["expectedGoals"] = round((seed % 37) / 100.0, 4)
            s["expectedAssists"] = round((seed % 23) / 100.0, 9)
    if extra:
        s.update(extra)
    s["minutesPlayed"] = minutes
    s["touches"] = int(tp * 1.25) + 1
    if rating is not None:
        s["rating"] = rating
    s["possessionLostCtrl"] = int((seed % 12) * f)
    s["totalBallCarriesDistance"] = round((10.5 + (seed % 300) / 7.0) * f, 9)
    s["ballCarriesCount"] = int((seed % 11) * f)
    s["totalProgression"] = round((seed % 170) / 3.1 * f, 10)
    s["progressiveBallCarriesCount"] = int((seed % 4) * f)
    if rating is not None:
        s["ratingVersions"] = {"original": rating, "alternative": round(rating + 0.1, 1)}
    s["totalShots"] = s.get("onTargetScoringAttempt", 0) + s.get("shotOffTarget", 0)
    return s


def missing(tid, name, pos, ctry, reason, jersey, desc=None, ext=None, end=None,
            mtype="missing"):
    p = player(pid_of(name), name, pos, jersey, ctry, 180)
    m = {"player": p, "type": mtype, "reason": reason}
    if desc is not None:
        m["description"] = desc
    if ext is not None:
        m["externalType"] = ext
    if end is not None:
        m["expectedEndDate"] = end
    return m


def side(tid, formation, played, captain, miss, order=None, full=True):
    """played: name -> (minutes, rating, extra stats) for everyone who played; None = a
    pre-match line-up (no statistics at all).  order: 18 names (11 starters first) to use
    instead of the squad order."""
    names = order or [r[0] for r in SQUADS[tid]]
    players = []
    for i, name in enumerate(names):
        r = row(tid, name)
        e = {"player": pl(tid, name), "teamId": tid, "shirtNumber": r[3],
             "jerseyNumber": str(r[3]), "position": r[1], "substitute": i >= 11}
        if name == captain:
            e["captain"] = True
        if played is not None and name in played:
            mins, rating, extra = played[name]
            e["statistics"] = stats(mins, rating, e["player"]["id"] % 1000, gk=r[1] == "G",
                                    extra=extra, full=full)
        players.append(e)
    pc, gc = COLORS[tid]
    return {"players": players, "supportStaff": [], "formation": formation,
            "playerColor": pc, "goalkeeperColor": gc, "missingPlayers": miss}


# ============================================================ 9101 Man City 2-1 Arsenal
# City subs: 66' Cherki for Foden, 72' Kovačić for Reijnders, 79' Marmoush for Doku,
#            80' Aké for O'Reilly.  Arsenal: 60' Merino for Ødegaard, 71' Martinelli for Eze,
#            79' Trossard for Timber.
def played_9101():
    home = {n: (90, r, None) for n, r in (
        ("James Trafford", 7.0), ("Matheus Nunes", 7.1), ("Rúben Dias", 7.5),
        ("Joško Gvardiol", 6.4), ("Rodri", 7.6), ("Bernardo Silva", 7.3))}
    home.update({
        "Nico O'Reilly": (80, 6.9, None), "Tijjani Reijnders": (72, 7.0, None),
        "Phil Foden": (66, 6.7, None),
        "Erling Haaland": (90, 8.9, {"goals": 2, "penaltyWon": 1, "expectedGoals": 1.74,
                                          "onTargetScoringAttempt": 4, "shotOffTarget": 2}),
        "Jérémy Doku": (79, 7.8, {"goalAssist": 1, "keyPass": 3}),
        "Rayan Cherki": (24, 6.8, None), "Mateo Kovačić": (18, 6.6, None),
        "Omar Marmoush": (11, 6.5, None), "Nathan Aké": (10, 6.6, None)})
    home["Joško Gvardiol"] = (90, 6.4, {"penaltyConceded": 1})
    away = {n: (90, r, None) for n, r in (
        ("David Raya", 7.2), ("Gabriel", 6.5), ("Riccardo Calafiori", 6.8),
        ("Declan Rice", 7.0), ("Martín Zubimendi", 6.9), ("Viktor Gyökeres", 6.3))}
    away.update({
        "William Saliba": (90, 6.1, {"penaltyConceded": 1}),
        "Bukayo Saka": (90, 7.6, {"goals": 1, "penaltyWon": 1, "expectedGoals": 0.91,
                                       "onTargetScoringAttempt": 2, "shotOffTarget": 1}),
        "Jurriën Timber": (79, 6.7, None), "Martin Ødegaard": (60, 6.6, None),
        "Eberechi Eze": (71, 6.4, None), "Mikel Merino": (30, 6.7, None),
        "Gabriel Martinelli": (19, 6.5, None), "Leandro Trossard": (11, 6.4, None)})
    return home, away


def lineups_9101():
    h, a = played_9101()
    home = side(17, "4-3-3", h, "Bernardo Silva",
                [missing(17, "Oscar Bobb", "F", "NOR", 1, "52", "Muscle Injury", 114,
                         "2026-10-05T00:00:00+00:00"),
                 missing(17, "Abdukodir Khusanov", "D", "UZB", 3, "45")])
    away = side(42, "4-2-3-1", a, "Martin Ødegaard",
                [missing(42, "Kai Havertz", "F", "GER", 1, "29", "Knee Injury", 107,
                         "2026-10-19T00:00:00+00:00")])
    return {"confirmed": True, "home": home, "away": away, "statisticalVersion": 3}


# ---- incidents (shapes of the real /incidents endpoint and tests/data/fixtures) ----------------
def rpt(minute, added=None):
    """reversedPeriodTime: minutes left in the period (1 in added time)."""
    if added:
        return 1
    end = 45 if minute <= 45 else 90 if minute <= 90 else 105 if minute <= 105 else 120
    return end - minute + 1


def inc_goal(iid, t, h, a, is_home, klass, tid, scorer, assist=None, added=None,
             net=True):
    g = {}
    if klass == "penalty":
        g["from"] = "penalty"
    elif klass == "ownGoal":
        g["from"] = "owngoal"
    g.update({"homeScore": h, "awayScore": a, "player": pl(tid, scorer)})
    if assist:
        g["assist1"] = pl(tid, assist)
    if net:
        g["footballPassingNetworkAction"] = [
            {"player": pl(tid, assist or scorer), "eventType": "pass", "time": t,
             "playerCoordinates": {"x": 71.3, "y": 18.9},
             "passEndCoordinates": {"x": 91.2, "y": 47.5}, "isHome": is_home},
            {"player": pl(tid, scorer), "eventType": "goal", "bodyPart": "left-foot",
             "time": t, "playerCoordinates": {"x": 92.4, "y": 46.1},
             "gkCoordinates": {"x": 99.1, "y": 50.4},
             "goalShotCoordinates": {"x": 100, "y": 47.9},
             "goalMouthCoordinates": {"x": 0, "y": 47.9},
             "isHome": is_home, "goalType": "regular", "xg": 0.4311,
             "situation": "assisted", "goalMouthLocation": "low-right"}]
    g.update({"id": iid, "time": t})
    if added is not None:
        g["addedTime"] = added
    g.update({"isHome": is_home, "incidentClass": klass, "incidentType": "goal",
              "reversedPeriodTime": rpt(t, added)})
    return g


def inc_card(iid, t, is_home, klass, tid, who, reason="Foul", added=None):
    c = {"player": pl(tid, who), "playerName": who, "reason": reason, "rescinded": False,
         "id": iid, "time": t}
    if added is not None:
        c["addedTime"] = added
    c.update({"isHome": is_home, "incidentClass": klass, "incidentType": "card",
              "reversedPeriodTime": rpt(t, added)})
    return c


def inc_sub(iid, t, is_home, tid, pin, pout, injury=False):
    return {"playerIn": pl(tid, pin), "playerOut": pl(tid, pout), "id": iid, "time": t,
            "injury": injury, "isHome": is_home, "incidentClass": "regular",
            "incidentType": "substitution", "reversedPeriodTime": rpt(t)}


def inc_period(text, t, h, a):
    return {"text": text, "homeScore": h, "awayScore": a, "isLive": False, "time": t,
            "addedTime": 999, "timeSeconds": t * 60, "incidentType": "period",
            "reversedPeriodTime": 1, "reversedPeriodTimeSeconds": 0,
            "periodTimeSeconds": 2700 if t <= 90 else 900}


def inc_injury(t, length):
    return {"length": length, "time": t, "addedTime": 0, "incidentType": "injuryTime",
            "reversedPeriodTime": 1}


def inc_var_penalty(iid, t, is_home, tid, who):
    return {"confirmed": True, "player": pl(tid, who), "id": iid, "time": t,
            "isHome": is_home, "incidentClass": "penaltyAwarded", "incidentType": "varDecision",
            "reversedPeriodTime": rpt(t)}


def incidents_body(chrono, home, away):
    pch, gch = COLORS[home]
    pca, gca = COLORS[away]
    return {"incidents": list(reversed(chrono)),
            "home": {"goalkeeperColor": gch, "playerColor": pch},
            "away": {"goalkeeperColor": gca, "playerColor": pca}}


def chrono_9101():
    return [
        inc_card(129101001, 12, False, "yellow", 42, "Gabriel"),
        inc_goal(129101002, 23, 1, 0, True, "regular", 17, "Erling Haaland", "Jérémy Doku"),
        inc_injury(45, 3),
        inc_period("HT", 45, 1, 0),
        inc_card(129101003, 50, True, "yellow", 17, "Joško Gvardiol"),
        inc_goal(129101004, 51, 1, 1, False, "penalty", 42, "Bukayo Saka", net=False),
        inc_sub(129101005, 60, False, 42, "Mikel Merino", "Martin Ødegaard"),
        inc_sub(129101006, 66, True, 17, "Rayan Cherki", "Phil Foden"),
        inc_card(129101007, 70, False, "yellow", 42, "Declan Rice", reason="Argument"),
        inc_sub(129101008, 71, False, 42, "Gabriel Martinelli", "Eberechi Eze"),
        inc_sub(129101009, 72, True, 17, "Mateo Kovačić", "Tijjani Reijnders"),
        inc_card(129101010, 77, False, "yellow", 42, "William Saliba"),
        inc_var_penalty(129101011, 77, True, 17, "Erling Haaland"),
        inc_goal(129101012, 78, 2, 1, True, "penalty", 17, "Erling Haaland", net=False),
        inc_sub(129101013, 79, True, 17, "Omar Marmoush", "Jérémy Doku"),
        inc_sub(129101014, 79, False, 42, "Leandro Trossard", "Jurriën Timber"),
        inc_sub(129101015, 80, True, 17, "Nathan Aké", "Nico O'Reilly"),
        inc_injury(90, 5),
        inc_card(129101016, 90, True, "yellow", 17, "Bernardo Silva",
                 reason="Time wasting", added=3),
        inc_period("FT", 90, 2, 1),
    ]


def incidents_9101_live():
    # at t=0 the match is in added time (90+2): no 90+3 card, no FT marker yet
    return incidents_body(chrono_9101()[:-2], 17, 42)


def incidents_9101():
    return incidents_body(chrono_9101(), 17, 42)


# ============================================================ 9102 Liverpool 1-1 Chelsea (5-4 p)
# Liverpool subs: 58' Ekitike for Gakpo, 75' Mac Allister for Szoboszlai, 102' Robertson for
# Kerkez, 106' Chiesa for Salah.  Chelsea: 64' Garnacho for Estêvão, 83' Delap for João Pedro,
# 99' Gusto for James, 110' Andrey Santos for Enzo Fernández.
def played_9102():
    home = {n: (120, r, None) for n, r in (
        ("Alisson", 7.4), ("Jeremie Frimpong", 7.1), ("Virgil van Dijk", 7.2),
        ("Ryan Gravenberch", 7.3), ("Florian Wirtz", 7.7), ("Alexander Isak", 6.9))}
    home["Florian Wirtz"] = (120, 7.7, {"goalAssist": 1, "keyPass": 4})
    home.update({
        "Ibrahima Konaté": (120, 6.2, {"ownGoals": 1}),
        "Milos Kerkez": (102, 6.8, None), "Dominik Szoboszlai": (75, 7.0, None),
        "Mohamed Salah": (106, 7.9, {"goals": 1, "expectedGoals": 0.48,
                                             "onTargetScoringAttempt": 3, "shotOffTarget": 1}),
        "Cody Gakpo": (58, 6.5, None), "Hugo Ekitike": (62, 6.9, None),
        "Alexis Mac Allister": (45, 7.0, None), "Andrew Robertson": (18, 6.7, None),
        "Federico Chiesa": (14, 6.6, None)})
    away = {n: (120, r, None) for n, r in (
        ("Robert Sánchez", 7.9), ("Wesley Fofana", 7.0), ("Levi Colwill", 7.1),
        ("Marc Cucurella", 6.8), ("Moisés Caicedo", 7.2), ("Cole Palmer", 7.3),
        ("Pedro Neto", 6.9))}
    away.update({
        "Reece James": (99, 7.0, None), "Enzo Fernández": (110, 6.9, None),
        "Estêvão": (64, 6.8, None), "João Pedro": (83, 6.6, None),
        "Alejandro Garnacho": (56, 6.7, None), "Liam Delap": (37, 6.5, None),
        "Malo Gusto": (21, 6.6, None), "Andrey Santos": (10, 6.5, None)})
    return home, away


def lineups_9102():
    h, a = played_9102()
    home = side(44, "4-2-3-1", h, "Virgil van Dijk",
                [missing(44, "Conor Bradley", "D", "IRL", 1, "12", "Hamstring Injury", 115,
                         "2026-10-12T00:00:00+00:00"),
                 missing(44, "Giovanni Leoni", "D", "ITA", 1, "15", "Knee Injury", 107,
                         "2027-03-01T00:00:00+00:00")])
    away = side(38, "4-2-3-1", a, "Reece James",
                [missing(38, "Romeo Lavia", "M", "BEL", 1, "45", "Thigh Injury", 116,
                         "2026-10-26T00:00:00+00:00"),
                 missing(38, "Benoît Badiashile", "D", "FRA", 1, "5", "Calf Injury", 116,
                         mtype="doubtful")])
    return {"confirmed": True, "home": home, "away": away, "statisticalVersion": 3}


def incidents_9102():
    chrono = [
        inc_card(129102001, 19, False, "yellow", 38, "Moisés Caicedo"),
        # Chelsea's 1-0: an own goal by Liverpool's Konaté.  isHome is the side credited
        # with the goal (Chelsea, away); player is the Liverpool defender.
        inc_goal(129102002, 34, 0, 1, False, "ownGoal", 44, "Ibrahima Konaté", net=False),
        inc_injury(45, 2),
        inc_period("HT", 45, 0, 1),
        inc_sub(129102003, 58, True, 44, "Hugo Ekitike", "Cody Gakpo"),
        inc_sub(129102004, 64, False, 38, "Alejandro Garnacho", "Estêvão"),
        inc_goal(129102005, 71, 1, 1, True, "regular", 44, "Mohamed Salah", "Florian Wirtz"),
        inc_sub(129102006, 75, True, 44, "Alexis Mac Allister", "Dominik Szoboszlai"),
        inc_card(129102007, 80, True, "yellow", 44, "Virgil van Dijk"),
        inc_sub(129102008, 83, False, 38, "Liam Delap", "João Pedro"),
        inc_injury(90, 4),
        inc_period("FT", 90, 1, 1),
        inc_sub(129102009, 99, False, 38, "Malo Gusto", "Reece James", injury=True),
        inc_sub(129102010, 102, True, 44, "Andrew Robertson", "Milos Kerkez"),
        inc_sub(129102011, 106, True, 44, "Federico Chiesa", "Mohamed Salah"),
        inc_card(129102012, 108, False, "yellow", 38, "Marc Cucurella", reason="Argument"),
        inc_sub(129102013, 110, False, 38, "Andrey Santos", "Enzo Fernández"),
        inc_period("ET", 120, 1, 1),
    ]
    return incidents_body(chrono, 44, 38)


# ============================================================ 9104 Brighton 0-0 Wolves
# Low coverage: no ratings, a few statistics keys, no /statistics, incidents without subs.
def lineups_9104():
    hp = {r[0]: (90, None, None) for r in SQUADS[30][:11]}
    ap = {r[0]: (90, None, None) for r in SQUADS[3][:11]}
    home = side(30, "4-2-3-1", hp, "Lewis Dunk",
                [missing(30, "Solly March", "M", "ENG", 1, "7", "Knee Injury", 107,
                         "2026-11-30T00:00:00+00:00")], full=False)
    away = side(3, "3-4-2-1", ap, "Toti Gomes", [], full=False)
    return {"confirmed": True, "home": home, "away": away}


def incidents_9104():
    chrono = [
        inc_card(129104001, 33, False, "yellow", 3, "André"),
        inc_period("HT", 45, 0, 0),
        inc_card(129104002, 67, True, "yellow", 30, "Carlos Baleba"),
        inc_period("FT", 90, 0, 0),
    ]
    return incidents_body(chrono, 30, 3)


# ============================================================ round 13 line-ups (pre-match)
TOT_PRED = ["Guglielmo Vicario", "Pedro Porro", "Cristian Romero", "Micky van de Ven",
            "Destiny Udogie", "João Palhinha", "Rodrigo Bentancur", "Mohammed Kudus",
            "Xavi Simons", "Mathys Tel", "Dominic Solanke",
            "Antonín Kinský", "Kevin Danso", "Djed Spence", "Pape Matar Sarr",
            "Lucas Bergvall", "Wilson Odobert", "Richarlison"]
# the confirmed XI differs from the prediction: Odobert starts, Tel on the bench
TOT_CONF = [n if n not in ("Mathys Tel", "Wilson Odobert") else
            {"Mathys Tel": "Wilson Odobert", "Wilson Odobert": "Mathys Tel"}[n] for n in TOT_PRED]
NEW_PRED = [r[0] for r in SQUADS[39]]
# Barnes starts instead of Murphy in the confirmed line-up
NEW_CONF = [n if n not in ("Jacob Murphy", "Harvey Barnes") else
            {"Jacob Murphy": "Harvey Barnes", "Harvey Barnes": "Jacob Murphy"}[n]
            for n in NEW_PRED]


def lineups_9201(confirmed):
    home = side(33, "4-2-3-1", None, "Cristian Romero",
                [missing(33, "James Maddison", "M", "ENG", 1, "10", "Knee Injury", 107,
                         "2027-01-15T00:00:00+00:00"),
                 missing(33, "Dejan Kulusevski", "M", "SWE", 1, "21", "Knee Injury", 107,
                         "2026-11-15T00:00:00+00:00")],
                order=TOT_CONF if confirmed else TOT_PRED)
    away = side(39, "4-3-3", None, "Bruno Guimarães",
                [missing(39, "Tino Livramento", "D", "ENG", 1, "21", "Knee Injury", 107,
                         "2026-10-20T00:00:00+00:00")],
                order=NEW_CONF if confirmed else NEW_PRED)
    if not confirmed:
        # predicted line-ups come without captains
        for s in (home, away):
            for p in s["players"]:
                p.pop("captain", None)
    return {"confirmed": confirmed, "home": home, "away": away}


def lineups_9202(confirmed):
    home_miss = [missing(40, "Ross Barkley", "M", "ENG", 1, "6", "Knee Injury", 107,
                         "2026-12-01T00:00:00+00:00")]
    away_miss = [missing(37, "Niclas Füllkrug", "F", "GER", 1, "11", "Muscle Injury", 114,
                         "2026-10-10T00:00:00+00:00", mtype="doubtful")] if not confirmed \
        else []
    av = [r[0] for r in SQUADS[40]]
    wh = [r[0] for r in SQUADS[37]]
    home = side(40, "4-2-3-1", None, "John McGinn", home_miss, order=av)
    away = side(37, "4-2-3-1", None, "Jarrod Bowen", away_miss, order=wh)
    if not confirmed:
        for s in (home, away):
            for p in s["players"]:
                p.pop("captain", None)
    return {"confirmed": confirmed, "home": home, "away": away}


# ============================================================ statistics
# key, name, group, statisticsType, valueType, renderType, kind
ROWS = [
    ("ballPossession", "Ball possession", "Match overview", "positive", "event", 2, "pct"),
    ("expectedGoals", "Expected goals", "Match overview", "positive", "event", 1, "dec"),
    ("bigChanceCreated", "Big chances", "Match overview", "positive", "event", 1, "int"),
    ("totalShotsOnGoal", "Total shots", "Match overview", "positive", "event", 1, "int"),
    ("goalkeeperSaves", "Goalkeeper saves", "Match overview", "positive", "event", 1, "int"),
    ("cornerKicks", "Corner kicks", "Match overview", "positive", "event", 1, "int"),
    ("fouls", "Fouls", "Match overview", "negative", "event", 1, "int"),
    ("passes", "Passes", "Match overview", "positive", "event", 1, "int"),
    ("totalTackle", "Tackles", "Match overview", "positive", "event", 1, "int"),
    ("freeKicks", "Free kicks", "Match overview", "positive", "event", 1, "int"),
    ("yellowCards", "Yellow cards", "Match overview", "negative", "event", 1, "int"),
    ("totalShotsOnGoal", "Total shots", "Shots", "positive", "event", 1, "int"),
    ("shotsOnGoal", "Shots on target", "Shots", "positive", "event", 1, "int"),
    ("hitWoodwork", "Hit woodwork", "Shots", "positive", "event", 1, "int"),
    ("shotsOffGoal", "Shots off target", "Shots", "negative", "event", 1, "int"),
    ("blockedScoringAttempt", "Blocked shots", "Shots", "negative", "event", 1, "int"),
    ("totalShotsInsideBox", "Shots inside box", "Shots", "positive", "event", 1, "int"),
    ("totalShotsOutsideBox", "Shots outside box", "Shots", "positive", "event", 1, "int"),
    ("bigChanceScored", "Big chances scored", "Attack", "positive", "event", 1, "int"),
    ("bigChanceMissed", "Big chances missed", "Attack", "negative", "event", 1, "int"),
    ("accurateThroughBall", "Through balls", "Attack", "positive", "event", 1, "int"),
    ("touchesInOppBox", "Touches in penalty area", "Attack", "positive", "event", 1, "int"),
    ("offsides", "Offsides", "Attack", "negative", "event", 1, "int"),
    ("accuratePasses", "Accurate passes", "Passes", "positive", "team", 3, "frac"),
    ("accurateLongBalls", "Long balls", "Passes", "positive", "team", 3, "frac"),
    ("accurateCross", "Crosses", "Passes", "positive", "team", 3, "frac"),
    ("duelWonPercent", "Duels", "Duels", "positive", "event", 2, "pct"),
    ("dispossessed", "Dispossessed", "Duels", "negative", "event", 1, "int"),
    ("groundDuelsPercentage", "Ground duels", "Duels", "positive", "team", 3, "frac"),
    ("aerialDuelsPercentage", "Aerial duels", "Duels", "positive", "team", 3, "frac"),
    ("interceptionWon", "Interceptions", "Defending", "positive", "event", 1, "int"),
    ("ballRecovery", "Recoveries", "Defending", "positive", "event", 1, "int"),
    ("totalClearance", "Clearances", "Defending", "positive", "event", 1, "int"),
    ("goalkeeperSaves", "Total saves", "Goalkeeping", "positive", "event", 1, "int"),
    ("goalsPrevented", "Goals prevented", "Goalkeeping", "positive", "event", 1, "dec"),
    ("goalKicks", "Goal kicks", "Goalkeeping", "positive", "event", 1, "int"),
]
GROUPS = ["Match overview", "Shots", "Attack", "Passes", "Duels", "Defending", "Goalkeeping"]


def fmt(kind, v):
    if kind == "pct":
        return "%d%%" % v
    if kind == "dec":
        return "%.2f" % v
    if kind == "frac":
        return "%d/%d (%d%%)" % (v[0], v[1], int(v[0] * 100.0 / v[1] + 0.5))
    return str(v)


def statistics(values, periods):
    """values: key -> {period: (home, away)}; 'ALL' is the sum of the other periods for
    counts and fractions unless given (percentages and decimals always give it)."""
    kinds = {r[0]: r[6] for r in ROWS}
    vals = copy.deepcopy(values)
    for key, per in vals.items():
        if "ALL" in per:
            continue
        parts = [per[p] for p in per]
        if kinds[key] == "frac":
            per["ALL"] = tuple((sum(x[s][0] for x in parts), sum(x[s][1] for x in parts))
                               for s in (0, 1))
        else:
            per["ALL"] = (sum(x[0] for x in parts), sum(x[1] for x in parts))
    out = []
    for per in ["ALL"] + periods:
        groups = []
        for g in GROUPS:
            items = []
            for key, name, grp, stype, vtype, rtype, kind in ROWS:
                if grp != g or key not in vals or per not in vals[key]:
                    continue
                h, a = vals[key][per]
                hv = h[0] if kind == "frac" else h
                av = a[0] if kind == "frac" else a
                it = {"name": name, "home": fmt(kind, h), "away": fmt(kind, a),
                      "compareCode": 1 if hv > av else 2 if av > hv else 3,
                      "statisticsType": stype, "valueType": vtype,
                      "homeValue": hv, "awayValue": av}
                if kind == "frac":
                    it["homeTotal"] = h[1]
                    it["awayTotal"] = a[1]
                it["renderType"] = rtype
                it["key"] = key
                items.append(it)
            if items:
                groups.append({"groupName": g, "statisticsItems": items})
        out.append({"period": per, "groups": groups})
    return {"statistics": out}


def two(h1, a1, h2, a2):
    return {"1ST": (h1, a1), "2ND": (h2, a2)}


def three(h1, a1, h2, a2, h3, a3):
    return {"1ST": (h1, a1), "2ND": (h2, a2), "ET": (h3, a3)}


def statistics_9101():
    v = {
        "ballPossession": {"1ST": (57, 43), "2ND": (52, 48), "ALL": (55, 45)},
        "expectedGoals": {"1ST": (0.94, 0.31), "2ND": (1.37, 1.11), "ALL": (2.31, 1.42)},
        "bigChanceCreated": two(2, 0, 2, 2),
        "totalShotsOnGoal": two(8, 4, 7, 6),
        "goalkeeperSaves": two(1, 2, 2, 2),
        "cornerKicks": two(3, 2, 4, 3),
        "fouls": two(5, 6, 6, 8),
        "passes": two(288, 214, 251, 237),
        "totalTackle": two(8, 10, 9, 11),
        "freeKicks": two(6, 5, 8, 6),
        "yellowCards": two(0, 1, 2, 2),
        "shotsOnGoal": two(3, 1, 3, 3),
        "hitWoodwork": two(0, 0, 1, 0),
        "shotsOffGoal": two(3, 2, 2, 2),
        "blockedScoringAttempt": two(2, 1, 2, 1),
        "totalShotsInsideBox": two(6, 2, 5, 4),
        "totalShotsOutsideBox": two(2, 2, 2, 2),
        "bigChanceScored": two(1, 0, 1, 1),
        "bigChanceMissed": two(1, 0, 1, 1),
        "accurateThroughBall": two(1, 0, 2, 1),
        "touchesInOppBox": two(15, 8, 14, 12),
        "offsides": two(1, 1, 0, 2),
        "accuratePasses": two((254, 288), (179, 214), (216, 251), (199, 237)),
        "accurateLongBalls": two((11, 19), (8, 18), (9, 17), (10, 21)),
        "accurateCross": two((2, 8), (1, 5), (3, 9), (2, 10)),
        "duelWonPercent": {"1ST": (53, 47), "2ND": (49, 51), "ALL": (51, 49)},
        "dispossessed": two(4, 5, 5, 4),
        "groundDuelsPercentage": two((21, 38), (17, 38), (18, 37), (19, 37)),
        "aerialDuelsPercentage": two((6, 11), (5, 11), (5, 12), (7, 12)),
        "interceptionWon": two(4, 5, 3, 6),
        "ballRecovery": two(22, 25, 20, 23),
        "totalClearance": two(6, 12, 9, 10),
        "goalsPrevented": {"1ST": (0.12, 0.35), "2ND": (-0.21, 0.40), "ALL": (-0.09, 0.75)},
        "goalKicks": two(2, 7, 4, 5),
    }
    return statistics(v, ["1ST", "2ND"])


def statistics_9102():
    # extra time is counted in ALL only (Sofascore periods here are ALL, 1ST, 2ND)
    v = {
        "ballPossession": {"1ST": (61, 39), "2ND": (63, 37), "ALL": (62, 38)},
        "expectedGoals": {"1ST": (0.58, 0.44), "2ND": (1.21, 0.37), "ALL": (2.19, 1.02)},
        "bigChanceCreated": three(1, 1, 2, 0, 1, 1),
        "totalShotsOnGoal": three(7, 4, 9, 3, 5, 3),
        "goalkeeperSaves": three(2, 2, 1, 2, 1, 2),
        "cornerKicks": three(3, 1, 5, 2, 2, 1),
        "fouls": three(4, 7, 6, 8, 3, 5),
        "passes": three(312, 201, 318, 188, 164, 109),
        "totalTackle": three(7, 12, 6, 13, 4, 7),
        "freeKicks": three(7, 4, 8, 6, 5, 3),
        "yellowCards": three(0, 1, 1, 0, 0, 1),
        "shotsOnGoal": three(2, 2, 3, 1, 2, 1),
        "hitWoodwork": three(0, 0, 1, 0, 0, 0),
        "shotsOffGoal": three(3, 1, 4, 1, 2, 1),
        "blockedScoringAttempt": three(2, 1, 2, 1, 1, 1),
        "totalShotsInsideBox": three(5, 3, 7, 2, 3, 2),
        "totalShotsOutsideBox": three(2, 1, 2, 1, 2, 1),
        "bigChanceScored": three(0, 0, 1, 0, 0, 0),
        "bigChanceMissed": three(1, 1, 1, 0, 1, 1),
        "accurateThroughBall": three(1, 1, 2, 0, 1, 0),
        "touchesInOppBox": three(17, 9, 21, 6, 11, 5),
        "offsides": three(2, 1, 1, 2, 0, 1),
        "accuratePasses": three((281, 312), (168, 201), (285, 318), (151, 188),
                                (143, 164), (86, 109)),
        "accurateLongBalls": three((9, 16), (7, 17), (8, 15), (6, 18), (4, 8), (3, 9)),
        "accurateCross": three((3, 11), (1, 4), (4, 13), (1, 6), (2, 7), (1, 3)),
        "duelWonPercent": {"1ST": (52, 48), "2ND": (54, 46), "ALL": (53, 47)},
        "dispossessed": three(5, 4, 6, 5, 3, 2),
        "groundDuelsPercentage": three((19, 35), (16, 35), (22, 40), (18, 40),
                                       (10, 19), (9, 19)),
        "aerialDuelsPercentage": three((7, 13), (6, 13), (5, 11), (6, 11), (3, 7), (4, 7)),
        "interceptionWon": three(3, 6, 2, 7, 2, 3),
        "ballRecovery": three(24, 21, 22, 23, 12, 11),
        "totalClearance": three(5, 13, 4, 16, 3, 9),
        "goalsPrevented": {"1ST": (0.31, 0.27), "2ND": (0.05, 0.62), "ALL": (0.48, 1.21)},
        "goalKicks": three(3, 6, 2, 8, 1, 4),
    }
    # only ALL, 1ST and 2ND are published; ET is folded into ALL by statistics()
    return statistics(v, ["1ST", "2ND"])


# ============================================================ write
def dump(name, obj):
    with open(os.path.join(OUT, name), "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, indent=1)
        f.write("\n")


def main():
    for f in os.listdir(OUT):
        if f.endswith(".json"):
            os.remove(os.path.join(OUT, f))

    with open(os.path.join(OUT, "error404.json"), "w") as f:
        f.write('{"error":{"code":404,"message":"Not Found"}}\n')
    dump("events_empty.json", {"events": []})

    r13 = [E9201, E9202, E9203]
    # (after, 9101 spec, 9102 spec)
    phases = [(0, E9101_LIVE, E9102_LIVE), (15, E9101_FT, E9102_LIVE), (25, E9101_FT, E9102_FT)]
    for after, e1, e2 in phases:
        r12 = [e1, e2, E9103, E9104]
        # a few events in the lighter list shape, as in real lists
        dump("scheduled_today_t%02d.json" % after,
             {"events": [list_event(s, slim=s is E9103) for s in
                         [E9104, e2, e1, E9103, E9201, E9202, E9203]]})
        dump("round12_t%02d.json" % after, {"events": [list_event(s) for s in r12]})
    dump("round13.json", {"events": [list_event(s) for s in r13]})

    dump("live_t00.json", {"events": [list_event(E9901), list_event(E9102_LIVE),
                                      list_event(E9101_LIVE)]})
    dump("live_t15.json", {"events": [list_event(E9901), list_event(E9102_LIVE)]})
    dump("live_t25.json", {"events": [list_event(E9901)]})

    dump("event_9101_live.json", detail_event(E9101_LIVE))
    dump("event_9101_finished.json", detail_event(E9101_FT))
    dump("event_9102_live.json", detail_event(E9102_LIVE))
    dump("event_9102_finished.json", detail_event(E9102_FT))
    dump("event_9103.json", detail_event(E9103))
    dump("event_9104.json", detail_event(E9104))
    dump("event_9201.json", detail_event(E9201))
    dump("event_9202.json", detail_event(E9202))

    dump("lineups_9101.json", lineups_9101())
    dump("lineups_9102.json", lineups_9102())
    dump("lineups_9104.json", lineups_9104())
    dump("lineups_9201_predicted.json", lineups_9201(False))
    dump("lineups_9201_confirmed.json", lineups_9201(True))
    dump("lineups_9202_predicted.json", lineups_9202(False))
    dump("lineups_9202_confirmed.json", lineups_9202(True))

    dump("statistics_9101.json", statistics_9101())
    dump("statistics_9102.json", statistics_9102())

    dump("incidents_9101_live.json", incidents_9101_live())
    dump("incidents_9101.json", incidents_9101())
    dump("incidents_9102.json", incidents_9102())
    dump("incidents_9104.json", incidents_9104())

    def seq(*steps):
        out = []
        for st in steps:
            after, body = st[0], st[1]
            e = {"after": after}
            if len(st) > 2:
                e["status"] = st[2]
            e["body"] = body
            out.append(e)
        return out

    routes = {
        "/unique-tournament/17/scheduled-events/{yesterday}": seq((0, "events_empty.json")),
        "/unique-tournament/17/scheduled-events/{today}": seq(
            (0, "scheduled_today_t00.json"), (15, "scheduled_today_t15.json"),
            (25, "scheduled_today_t25.json")),
        "/unique-tournament/17/scheduled-events/{tomorrow}": seq((0, "events_empty.json")),
        "/unique-tournament/17/season/76986/events/round/12": seq(
            (0, "round12_t00.json"), (15, "round12_t15.json"), (25, "round12_t25.json")),
        "/unique-tournament/17/season/76986/events/round/13": seq((0, "round13.json")),
        "/sport/football/events/live": seq(
            (0, "live_t00.json"), (15, "live_t15.json"), (25, "live_t25.json")),
        "/event/9101": seq((0, "event_9101_live.json"), (15, "event_9101_finished.json")),
        "/event/9101/lineups": seq((0, "lineups_9101.json")),
        "/event/9101/statistics": seq((0, "statistics_9101.json")),
        "/event/9101/incidents": seq((0, "incidents_9101_live.json"),
                                     (15, "incidents_9101.json")),
        "/event/9102": seq((0, "event_9102_live.json"), (25, "event_9102_finished.json")),
        "/event/9102/lineups": seq((0, "lineups_9102.json")),
        "/event/9102/statistics": seq((0, "statistics_9102.json")),
        "/event/9102/incidents": seq((0, "incidents_9102.json")),
        "/event/9103": seq((0, "event_9103.json")),
        "/event/9104": seq((0, "event_9104.json")),
        "/event/9104/lineups": seq((0, "lineups_9104.json")),
        "/event/9104/incidents": seq((0, "incidents_9104.json")),
        "/event/9201": seq((0, "event_9201.json")),
        "/event/9201/lineups": seq((0, "error404.json", 404),
                                   (10, "lineups_9201_predicted.json"),
                                   (25, "lineups_9201_confirmed.json")),
        "/event/9202": seq((0, "event_9202.json")),
        "/event/9202/lineups": seq((0, "lineups_9202_predicted.json"),
                                   (35, "lineups_9202_confirmed.json")),
    }
    scenario = {
        "comment": "Built-in match day played by `make demo` (see README.md in this folder). "
                   "Generated by generate.py; every route is time-based (seconds since the "
                   "fake started). No standings route on purpose.",
        "base_time": B,
        "routes": routes,
    }
    with open(os.path.join(OUT, "scenario.json"), "w", encoding="utf-8") as f:
        f.write('{\n  "comment": %s,\n  "base_time": %d,\n  "routes": {\n'
                % (json.dumps(scenario["comment"]), B))
        keys = list(routes)
        for i, k in enumerate(keys):
            f.write("    %s: [\n" % json.dumps(k))
            for j, e in enumerate(routes[k]):
                f.write("      %s%s\n" % (json.dumps(e), "," if j < len(routes[k]) - 1 else ""))
            f.write("    ]%s\n" % ("," if i < len(keys) - 1 else ""))
        f.write("  }\n}\n")


if __name__ == "__main__":
    main()
