"""Sofascore shapes shared by the scenario generators (tests/data/scenarios/*/generate.py and
tests/system/chaos/generate.py): the sport, the England category, the Premier League teams, the
status tuples (code, description, type) and the team object as /event/{id} sends it."""

SPORT = {"name": "Football", "slug": "football", "id": 1}


def category(name, cat_id, alpha2, alpha3):
    """A country's category object as Sofascore sends it."""
    slug = name.lower()
    return {"name": name, "slug": slug, "sport": SPORT, "priority": 10, "id": cat_id,
            "country": {"alpha2": alpha2, "alpha3": alpha3, "name": name, "slug": slug},
            "flag": slug, "alpha2": alpha2}


ENGLAND = category("England", 1, "EN", "ENG")
PL_TEAMS = {  # id: (name, short name, name code)
    42: ("Arsenal", "Arsenal", "ARS"), 38: ("Chelsea", "Chelsea", "CHE"),
    44: ("Liverpool", "Liverpool", "LIV"), 17: ("Manchester City", "Man City", "MCI"),
    35: ("Manchester United", "Man Utd", "MUN"), 33: ("Tottenham Hotspur", "Tottenham", "TOT"),
    39: ("Newcastle United", "Newcastle", "NEW"), 40: ("Aston Villa", "Aston Villa", "AVL"),
    30: ("Brighton & Hove Albion", "Brighton", "BHA"), 37: ("West Ham United", "West Ham", "WHU"),
    48: ("Everton", "Everton", "EVE"), 43: ("Fulham", "Fulham", "FUL"),
    50: ("Brentford", "Brentford", "BRE"), 7: ("Crystal Palace", "Crystal Palace", "CRY"),
    3: ("Wolverhampton", "Wolves", "WOL"), 60: ("Bournemouth", "Bournemouth", "BOU"),
    14: ("Nottingham Forest", "Forest", "NFO"), 34: ("Leeds United", "Leeds", "LEE"),
    6: ("Burnley", "Burnley", "BUR"), 41: ("Sunderland", "Sunderland", "SUN"),
}

NS = (0, "Not started", "notstarted")
FT = (100, "Ended", "finished")
AET = (110, "AET", "finished")
AP = (120, "AP", "finished")
PP = (60, "Postponed", "postponed")
CAN = (70, "Canceled", "canceled")
H1 = (6, "1st half", "inprogress")
H2 = (7, "2nd half", "inprogress")
HT = (31, "Halftime", "inprogress")


def slug(s):
    return "".join(c if c.isalnum() else "-" for c in s.lower()).strip("-")


def team(tid, teams=PL_TEAMS, translations=True):
    name, short, code = teams[tid]
    t = {"name": name, "slug": slug(name), "shortName": short, "gender": "M", "sport": SPORT,
         "userCount": 100000 + tid, "nameCode": code, "disabled": False, "national": False,
         "type": 0, "id": tid, "subTeams": [],
         "teamColors": {"primary": "#ef0107", "secondary": "#ffffff", "text": "#ffffff"}}
    if translations:
        t["fieldTranslations"] = {"nameTranslation": {"ru": name}, "shortNameTranslation": {}}
    return t
