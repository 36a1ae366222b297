#!/usr/bin/env python3
"""Writes the scenarios of tests/integration/test_producer.c:

    tests/data/scenarios/producer-matchday/   two followed tournaments (17, 8), one not
    tests/data/scenarios/producer-round404/   a complete round whose round list answers 404
    tests/data/scenarios/producer-standby/    a time-based day list for the takeover case
    tests/data/scenarios/producer-badinput/   malformed, truncated and half-bad lists

Run it from anywhere: python3 tests/data/scenarios/producer-matchday/generate.py
The output is committed; the test reads only the JSON.  Event objects follow the
shape of real Sofascore answers (../shared/sofascore-samples/), trimmed to the keys
that matter plus a few that do not (translations, colours, coverage), so the parser
meets the noise it meets in production.

Every timestamp is written as BASE + offset; the fake shifts BASE to its start time
(the test passes --shift-to), so "+45 min" means 45 minutes after the test started.
The expected messages in test_producer.c are computed by hand from the tables below:
keep both in step.
"""
import json
import os
import sys

BASE = 1790000000
M, H, D = 60, 3600, 86400
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)
import sofashapes  # noqa: E402  (the shapes the scenario generators share)

SPORT = sofashapes.SPORT
CATS = {
    17: sofashapes.ENGLAND,
    8: sofashapes.category("Spain", 32, "ES", "ESP"),
    35: sofashapes.category("Germany", 30, "DE", "DEU"),
    23: sofashapes.category("Italy", 31, "IT", "ITA"),
}
TOURS = {  # ut: (tournament id, name, slug, season id, season name)
    17: (1, "Premier League", "premier-league", 96668, "Premier League 26/27"),
    8: (36, "LaLiga", "laliga", 97012, "LaLiga 26/27"),
    35: (42, "Bundesliga", "bundesliga", 97044, "Bundesliga 26/27"),
    23: (33, "Serie A", "serie-a", 97120, "Serie A 26/27"),
}
TEAMS = {  # id: (name, short name, name code)
    **sofashapes.PL_TEAMS,
    2829: ("Real Madrid", "Real Madrid", "RMA"), 2817: ("Barcelona", "Barcelona", "BAR"),
    2836: ("Atlético Madrid", "Atlético", "ATM"), 2833: ("Sevilla", "Sevilla", "SEV"),
    2828: ("Valencia", "Valencia", "VAL"), 2819: ("Villarreal", "Villarreal", "VIL"),
    2824: ("Real Sociedad", "Real Sociedad", "RSO"), 2825: ("Athletic Club", "Athletic", "ATH"),
    2816: ("Real Betis", "Betis", "BET"), 24264: ("Girona FC", "Girona", "GIR"),
    2821: ("Celta Vigo", "Celta", "CEL"), 2820: ("Osasuna", "Osasuna", "OSA"),
    2859: ("Getafe", "Getafe", "GET"), 2826: ("Mallorca", "Mallorca", "MLL"),
    2818: ("Rayo Vallecano", "Rayo", "RAY"), 2885: ("Deportivo Alavés", "Alavés", "ALA"),
    2814: ("Espanyol", "Espanyol", "ESP"), 2849: ("Levante UD", "Levante", "LEV"),
    2846: ("Elche", "Elche", "ELC"), 2851: ("Real Oviedo", "Oviedo", "OVI"),
    2672: ("FC Bayern München", "Bayern", "FCB"), 2673: ("Borussia Dortmund", "Dortmund", "BVB"),
    2681: ("Bayer 04 Leverkusen", "Leverkusen", "B04"), 36360: ("RB Leipzig", "Leipzig", "RBL"),
    2697: ("Inter", "Inter", "INT"), 2692: ("Milan", "Milan", "MIL"),
}

NS, FT, AET, AP = sofashapes.NS, sofashapes.FT, sofashapes.AET, sofashapes.AP
PP, CAN, H1, H2, HT = sofashapes.PP, sofashapes.CAN, sofashapes.H1, sofashapes.H2, sofashapes.HT
slug = sofashapes.slug


def team(tid):
    return sofashapes.team(tid, TEAMS)


def score(st, goals, pens=None, extra=None):
    """Score object as Sofascore sends it: {} before kick-off and for postponed or
    canceled; with code 120 current includes the shoot-out, display does not."""
    if st in (NS, PP, CAN) or goals is None:
        return {}
    s = {"current": goals, "display": goals, "period1": min(goals, 1), "normaltime": goals}
    if st[2] == "finished" or st in (H2,):
        s["period2"] = goals - s["period1"]
    if extra is not None:  # goals scored in extra time
        s["normaltime"] = goals - extra
        s["period2"] = s["normaltime"] - s["period1"]
        s.update({"extra1": extra, "extra2": 0, "overtime": extra})
    if pens is not None:
        s["penalties"] = pens
        s["current"] = goals + pens
    return s


def event(eid, ut, rnd, home, away, start, st, hg=None, ag=None, winner=None, pens=None,
          extra=None, changed=0):
    tid, tname, tslug, sid, sname = TOURS[ut]
    e = {
        "tournament": {"name": tname, "slug": tslug, "category": CATS[ut],
                       "uniqueTournament": {"name": tname, "slug": tslug, "primaryColorHex": "#3c1c5a",
                                            "category": CATS[ut], "userCount": 1500000, "id": ut,
                                            "hasEventPlayerStatistics": True,
                                            "displayInverseHomeAwayTeams": False},
                       "priority": 600, "isLive": False, "id": tid},
        "season": {"name": sname, "year": "26/27", "editor": False, "id": sid},
        "roundInfo": {"round": rnd},
        "customId": "xY%dz" % (eid % 1000),
        "status": {"code": st[0], "description": st[1], "type": st[2]},
        "homeTeam": team(home),
        "awayTeam": team(away),
        "homeScore": score(st, hg, pens[0] if pens else None, extra[0] if extra else None),
        "awayScore": score(st, ag, pens[1] if pens else None, extra[1] if extra else None),
        "time": {} if st in (NS, PP, CAN) else {"injuryTime1": 2, "currentPeriodStartTimestamp": start + 47 * M},
        "changes": {"changes": ["status.code", "status.description"], "changeTimestamp": changed}
        if changed else {"changeTimestamp": 0},
        "hasGlobalHighlights": False,
        "crowdsourcingDataDisplayEnabled": False,
        "id": eid,
        "slug": slug(TEAMS[home][0]) + "-" + slug(TEAMS[away][0]),
        "startTimestamp": start,
        "finalResultOnly": False,
        "feedLocked": True,
        "isEditor": False,
    }
    if winner:
        e["winnerCode"] = winner
    return e


def events(*evs):
    return {"events": list(evs)}


def write(name, routes, files, comment):
    d = os.path.join(ROOT, name)
    os.makedirs(d, exist_ok=True)
    for fname, body in files.items():
        with open(os.path.join(d, fname), "w") as f:
            json.dump(body, f, indent=1, ensure_ascii=False)
            f.write("\n")
    with open(os.path.join(d, "scenario.json"), "w") as f:
        json.dump({"comment": comment, "base_time": BASE, "routes": routes}, f, indent=1,
                  ensure_ascii=False)
        f.write("\n")


B = BASE

# ---- producer-matchday -----------------------------------------------------------
# Premier League (ut 17, season 96668)
# round 12: 8 finished, 1 postponed (moved), 1 canceled: completes once results are stored
R12 = [
    event(14025101, 17, 12, 42, 38, B - 27 * H, FT, 2, 1, 1, changed=B - 25 * H),
    event(14025102, 17, 12, 44, 17, B - 27 * H, FT, 1, 1, 3, changed=B - 25 * H),
    event(14025103, 17, 12, 35, 33, B - 25 * H, FT, 0, 2, 2, changed=B - 23 * H),
    event(14025104, 17, 12, 39, 40, B - 25 * H, FT, 3, 0, 1, changed=B - 23 * H),
    event(14025105, 17, 12, 30, 37, B - 23 * H, FT, 1, 0, 1, changed=B - 21 * H),
    event(14025106, 17, 12, 48, 43, B - 23 * H, FT, 2, 2, 3, changed=B - 21 * H),
    event(14025107, 17, 12, 50, 7, B - 5 * H, FT, 1, 2, 2, changed=B - 3 * H),
    event(14025108, 17, 12, 3, 60, B - 3 * H, FT, 0, 0, 3, changed=B - 1 * H),
    # postponed; its startTimestamp moved to next week (the test seeds the old time)
    event(14025109, 17, 12, 14, 34, B + 7 * D, PP, changed=B - 6 * H),
    event(14025110, 17, 12, 6, 41, B - 2 * H, CAN, changed=B - 3 * H),
]
# round 13: three in the line-up window, one just past it, others later, one live,
# and 14025207, rescheduled into the window (its old line-up job expired: re-armed)
R13_TODAY = [
    event(14025201, 17, 13, 38, 44, B + 30 * M, NS),
    event(14025202, 17, 13, 17, 42, B + 45 * M, NS),
    event(14025203, 17, 13, 33, 39, B + 60 * M, NS),
    event(14025204, 17, 13, 40, 35, B + 80 * M, NS),
    event(14025205, 17, 13, 37, 50, B + 3 * H, NS),
    event(14025206, 17, 13, 43, 30, B - 20 * M, H1, 0, 1),
    event(14025207, 17, 13, 7, 48, B + 50 * M, NS, changed=B - 1 * H),
]
R13_TOMORROW = [
    event(14025208, 17, 13, 60, 14, B + 26 * H, NS),
    event(14025209, 17, 13, 34, 3, B + 28 * H, NS),
]
# a Bundesliga event inside a Premier League list: not followed, never stored
FOREIGN = event(14040201, 35, 9, 2672, 2673, B - 24 * H, FT, 3, 1, 1)

# LaLiga (ut 8, season 97012)
# round 7: AET, penalties, a plain finish, two past kick-off + 150 min whose list lags
# (it still says 2nd half, and not started): /event/{id} says finished; the round list
# reveals one more match next week, so the round is NOT complete
R7_LIST = [
    event(14031101, 8, 7, 2829, 2817, B - 22 * H, AET, 2, 1, 1, extra=(1, 0), changed=B - 20 * H),
    event(14031102, 8, 7, 2836, 2833, B - 20 * H, AP, 1, 1, 1, pens=(5, 4), changed=B - 18 * H),
    event(14031103, 8, 7, 2828, 2819, B - 4 * H - 30 * M, FT, 2, 0, 1, changed=B - 2 * H - 30 * M),
    event(14031104, 8, 7, 2824, 2825, B - 155 * M, H2, 1, 1),
    event(14031105, 8, 7, 2816, 24264, B - 4 * H, NS),
]
E_LEFT_FINAL = event(14031104, 8, 7, 2824, 2825, B - 155 * M, FT, 2, 1, 1, changed=B - 5 * M)
E_STALE_FINAL = event(14031105, 8, 7, 2816, 24264, B - 4 * H, FT, 1, 0, 1, changed=B - 2 * H)
R7_HIDDEN = event(14031106, 8, 7, 2821, 2820, B + 5 * D, NS)
R8_TODAY = [
    event(14031201, 8, 8, 2859, 2826, B + 35 * M, NS),
    event(14031202, 8, 8, 2818, 2885, B + 3 * H + 10 * M, NS),
    event(14031203, 8, 8, 2814, 2849, B - 50 * M, HT, 1, 0),
]
R8_TOMORROW = [
    event(14031204, 8, 8, 2846, 2851, B + 25 * H, NS),
    event(14031205, 8, 8, 2817, 2836, B + 27 * H, NS),
]
# not followed
N1 = event(14040101, 35, 9, 2681, 36360, B - 70 * M, H2, 2, 2)
N3 = event(14040102, 35, 9, 2672, 2681, B + 40 * M, NS)
N5 = event(14050101, 23, 8, 2697, 2692, B - 45 * M, HT, 0, 0)

write("producer-matchday", {
    "/unique-tournament/17/scheduled-events/{yesterday}": [{"body": "ut17_yesterday.json"}],
    "/unique-tournament/17/scheduled-events/{today}": [
        {"body": "ut17_today.json", "etag": "ut17-today-v1", "headers": {"Cache-Control": "max-age=10"}}],
    "/unique-tournament/17/scheduled-events/{tomorrow}": [{"body": "ut17_tomorrow.json"}],
    "/unique-tournament/8/scheduled-events/{yesterday}": [{"body": "ut8_yesterday.json"}],
    "/unique-tournament/8/scheduled-events/{today}": [{"body": "ut8_today.json"}],
    "/unique-tournament/8/scheduled-events/{tomorrow}": [{"body": "ut8_tomorrow.json"}],
    "/unique-tournament/35/scheduled-events/{today}": [{"body": "ut35_today.json"}],
    "/event/14031104": [{"body": "event_14031104.json"}],
    "/event/14031105": [{"body": "event_14031105.json"}],
    "/unique-tournament/17/season/96668/events/round/12": [{"body": "ut17_round12.json"}],
    "/unique-tournament/8/season/97012/events/round/7": [{"body": "ut8_round7.json"}],
}, {
    "ut17_yesterday.json": events(*R12[:6], FOREIGN),
    "ut17_today.json": events(*R12[6:], *R13_TODAY),
    "ut17_tomorrow.json": events(*R13_TOMORROW),
    "ut8_yesterday.json": events(*R7_LIST[:2]),
    "ut8_today.json": events(*R7_LIST[2:], *R8_TODAY),
    "ut8_tomorrow.json": events(*R8_TOMORROW),
    "ut35_today.json": events(N1, N3, N5,
                              event(14040103, 35, 9, 36360, 2673, B - 3 * H, FT, 1, 0, 1)),
    "event_14031104.json": {"event": E_LEFT_FINAL},
    "event_14031105.json": {"event": E_STALE_FINAL},
    "ut17_round12.json": events(*R12),
    "ut8_round7.json": events(*R7_LIST[:3], E_LEFT_FINAL, E_STALE_FINAL, R7_HIDDEN),
}, "test_producer.c matchday: Premier League (17) and LaLiga (8) followed, Bundesliga (35) and "
   "Serie A (23) not. Generated by producer-matchday/generate.py.")

# ---- producer-round404 -------------------------------------------------------------
# a round of two matches, both finished; the round list is unknown (404): the local
# view is trusted
R20 = [
    event(14026001, 17, 20, 42, 44, B - 5 * H, FT, 1, 0, 1, changed=B - 3 * H),
    event(14026002, 17, 20, 38, 17, B - 3 * H, FT, 2, 2, 3, changed=B - 1 * H),
]
write("producer-round404", {
    "/unique-tournament/17/scheduled-events/{today}": [{"body": "ut17_today.json"}],
}, {
    "ut17_today.json": events(*R20),
}, "test_producer.c: a complete round whose round list answers 404. Generated by "
   "producer-matchday/generate.py.")

# ---- producer-standby ----------------------------------------------------------------
# one match in the line-up window, one finished, one live; after 3600 s of fake time
# (POST /_fake/advance) the live one has ended (today's list says so): a new result job
# becomes due
S_LIVE = event(14027003, 17, 21, 35, 33, B - 30 * M, H1, 1, 0)
S_TODAY = [event(14027001, 17, 21, 42, 38, B + 40 * M, NS),
           event(14027002, 17, 21, 44, 17, B - 3 * H, FT, 3, 1, 1)]
write("producer-standby", {
    "/unique-tournament/17/scheduled-events/{today}": [
        {"after": 0, "body": "ut17_today.json"},
        {"after": 3600, "body": "ut17_today_later.json"},
    ],
}, {
    "ut17_today.json": events(*S_TODAY, S_LIVE),
    "ut17_today_later.json": events(*S_TODAY, event(14027003, 17, 21, 35, 33, B - 30 * M, FT,
                                                    2, 0, 1, changed=B + 80 * M)),
}, "test_producer.c: two producers, one active. Generated by producer-matchday/generate.py.")

# ---- producer-badinput ---------------------------------------------------------------
good1 = event(14028001, 17, 22, 42, 38, B + 40 * M, NS)
good2 = event(14028002, 17, 22, 44, 17, B - 3 * H, FT, 2, 0, 1)
good3 = event(14028003, 17, 22, 35, 33, B + 5 * H, NS)
bad_id_type = event(14028004, 17, 22, 39, 40, B + 2 * H, NS)
bad_id_type["id"] = "abc"  # wrong type
no_ids = event(14028005, 17, 22, 30, 37, B + 2 * H, NS)
del no_ids["id"]  # an event without an id
no_team_id = event(14028006, 17, 22, 48, 43, B + 2 * H, NS)
del no_team_id["awayTeam"]["id"]  # a team without an id
absurd = event(14028007, 17, 22, 50, 7, B + 2 * H, NS)
absurd["startTimestamp"] = 253402300800 * 10  # year ~82000: absurd even after the shift
ts_string = event(14028008, 17, 22, 3, 60, B + 2 * H, NS)
ts_string["startTimestamp"] = str(B + 2 * H)  # wrong type
live_good = event(14028009, 17, 22, 14, 34, B - 30 * M, H1, 0, 0)
write("producer-badinput", {
    # broken every time
    "/unique-tournament/17/scheduled-events/{yesterday}": [{"fault": "malformed"}],
    "/unique-tournament/17/scheduled-events/{tomorrow}": [
        {"fault": "truncate", "body": "ut17_tomorrow.json"}],
    # first good (with bad events among good ones), then malformed, then truncated,
    # then an object without "events", then a JSON array
    "/unique-tournament/17/scheduled-events/{today}": [
        {"body": "ut17_today.json"},
        {"fault": "malformed"},
        {"fault": "truncate", "body": "ut17_today_changed.json"},
        {"inline": {"error": {"code": 200, "message": "no events"}}},
        {"inline": [1, 2, 3]},
    ],
}, {
    "ut17_today.json": events(good1, bad_id_type, good2, no_ids, no_team_id, absurd, ts_string,
                              good3, live_good),
    # what a broken answer would have said: the rows must not take any of it
    "ut17_today_changed.json": events(event(14028001, 17, 22, 42, 38, B + 10 * M, PP),
                                      event(14028002, 17, 22, 44, 17, B - 3 * H, FT, 0, 5, 2)),
    "ut17_tomorrow.json": events(event(14028010, 17, 23, 42, 44, B + 26 * H, NS)),
}, "test_producer.c: bad input. Generated by producer-matchday/generate.py.")

# ---- producer-watch ---------------------------------------------------------------------
# Two matches past kick-off + 110 min, still in the 2nd half in today's list; after 3600 s
# of fake time (POST /_fake/advance) the list says both finished.  One match later today
# (its line-up job due 6 s after the start with lineup_lead 75m), one tomorrow.  The
# per-event routes bf-results asks (line-ups, statistics, incidents); /event/{id} answers
# too, but nothing should ask it: the day list's finished event is what it would say.
import shutil  # noqa: E402

FIXTURES = os.path.join(ROOT, "..", "fixtures", "sofascore")
W_A = (14029001, 17, 23, 42, 38, B - 120 * M)
W_B = (14029002, 17, 23, 44, 17, B - 115 * M)
W_TODAY = [event(*W_A, H2, 1, 0), event(*W_B, H2, 0, 0),
           event(14029003, 17, 23, 35, 33, B + 75 * M + 6, NS)]
W_DONE = [event(*W_A, FT, 2, 0, 1, changed=B + 10 * M),
          event(*W_B, FT, 1, 1, 3, changed=B + 12 * M), W_TODAY[2]]
# Yesterday's list says the same as today's: from 00:00 to about 02:00 UTC the two matches
# kicked off yesterday, and the producer watches them through their kick-off day's list (at
# other hours it asks yesterday's list once, and finds the same events).
W_ROUTES = {
    "/unique-tournament/17/scheduled-events/{yesterday}": [
        {"after": 0, "body": "ut17_today.json"},
        {"after": 3600, "body": "ut17_today_finished.json"},
    ],
    "/unique-tournament/17/scheduled-events/{today}": [
        {"after": 0, "body": "ut17_today.json"},
        {"after": 3600, "body": "ut17_today_finished.json"},
    ],
    "/unique-tournament/17/scheduled-events/{tomorrow}": [
        {"inline": events(event(14029004, 17, 24, 42, 44, B + 26 * H, NS))}],
}
for e in W_DONE[:2]:
    eid = e["id"]
    W_ROUTES["/event/%d" % eid] = [{"inline": {"event": e}}]
    W_ROUTES["/event/%d/lineups" % eid] = [{"body": "lineups_confirmed.json"}]
    W_ROUTES["/event/%d/statistics" % eid] = [{"body": "statistics.json"}]
    W_ROUTES["/event/%d/incidents" % eid] = [{"body": "incidents_goals.json"}]
write("producer-watch", W_ROUTES, {
    "ut17_today.json": events(*W_TODAY),
    "ut17_today_finished.json": events(*W_DONE),
}, "test_producer.c watch: matches watched for their final whistle through today's list. "
   "Generated by producer-matchday/generate.py.")
for f in ("lineups_confirmed.json", "statistics.json", "incidents_goals.json"):
    shutil.copy(os.path.join(FIXTURES, f), os.path.join(ROOT, "producer-watch", f))
