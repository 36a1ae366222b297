#!/usr/bin/env python3
"""Writes a chaos scenario for tests/fakes/fake-sofascore (or, with --provider api-football,
for tests/fakes/fake-apifootball), and what it must produce.

    generate.py --out DIR --events N [--span SECONDS] [--seed S] [--expire-at SECONDS]
                [--provider sofascore|api-football] [--start EPOCH]

One followed tournament (unique tournament 17, season 76986), N events:

- "played" rounds 1..R (R = about N/12 short, N/20 long): per round one postponed match
  (kick-off next week: no job), every 4th round also a canceled one (no job); of the
  others about 40% are finished from the start (A) and the rest are live at t=0 and end
  at one of the phases (B: every PHASE seconds up to --span). The last match of round r
  ends at phase ceil(r * P / R), so rounds complete one after the other while the run
  goes on. Every A/B match has line-ups, statistics (a few have none: 404, like a lower
  league) and incidents: a result video each, and a round video per played round.
- one "upcoming" round R+1: the rest of the events, kicking off 20-70 min after the
  start (C: line-ups 404 or predicted first, confirmed at a random moment before
  --span: one line-up video each), and about one in five kicking off --expire-at
  seconds after the start with line-ups that never get confirmed (D: the line-up job
  expires once kick-off + lineups.give_up_after has passed).

Bodies: line-ups, statistics, incidents and standings are the fixtures of
tests/data/fixtures/sofascore/ (the same file for every event: the consumers key what they
store by the event id of the request); only event objects (lists, /event/{id}) are
generated, in the trimmed shape of tests/data/scenarios/producer-matchday/generate.py.
Timestamps are BASE + offset; the fake moves BASE to its start.

With --provider api-football: the same events (same draws for the same seed) as fixtures of
league 39, season 2026, "Regular Season - R", in the shapes of
tests/data/scenarios/matchday-apifootball/ (README there):

- /fixtures?id=N holds the fixture with its events, line-ups, statistics and players. A/B:
  the parts of that match day's fixture 9101 (live in the second half, then at full time),
  its two teams made the fixture's; the one in ten "without statistics" has
  `statistics: []`. P: `PST`, kept on its day (API-Football keeps a postponed fixture's date
  until a new one is known), kick-off within 2.5 h of the start; X: `CANC`. C: `NS` with
  `lineups: []` (not published), then at the confirm time both sides with 11 in startXI
  (the parts of fixture 9201). D: `NS` with 10 in the away side's startXI (fixture 9202's),
  never completed.
- Day lists /fixtures?date=YYYY-MM-DD: every fixture of league 39 on the UTC day of its
  kick-off as the fake shows it, plus three fixtures of other leagues (one live, one
  finished, one kicking off in the line-up window) that must be ignored. The day is
  computed from --start, the time the fake moves base_time to (run it with
  `--shift-to START`), and written as a date, not as {today}/{yesterday}/{tomorrow}: a
  placeholder is the machine's date when the request comes, which names the next day once
  the clock passes midnight during a run, while the fixtures' days stay where they were.
  The three days around --start are always routed (an empty list when no fixture falls on
  them); any other date gets the fake's empty answer, as the real API gives.
- /fixtures?live=all (live items with their events), the round lists
  /fixtures?league=39&round=Regular Season - R&season=2026, and /standings?league=39&season=2026
  (matchday-apifootball's standings_t25.json). Every route is time-based.

DIR/expected.json: {"jobs": {"result:ID": "done", "line-up:ID": "done"|"expired",
"tournament-stats:17:76986:R": "done"}, "renders": [subjects], "counts": {...}} (with
API-Football "tournament-stats:39:2026:R", and counts has the provider, --start and the
fixtures per day).
"""
import argparse
import importlib.util
import json
import math
import os
import random
import shutil
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree (imports below)

BASE = 1790000000
M, H, D = 60, 3600, 86400
UT, TID, SEASON = 17, 1, 76986
HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "..", "data", "fixtures", "sofascore")
sys.path.insert(0, os.path.join(HERE, "..", "..", "data", "scenarios"))
import sofashapes  # noqa: E402  (the shapes the scenario generators share)

CAT, TEAMS = sofashapes.ENGLAND, sofashapes.PL_TEAMS
TEAM_IDS = sorted(TEAMS)

NS, FT, PP, CAN, H2 = sofashapes.NS, sofashapes.FT, sofashapes.PP, sofashapes.CAN, sofashapes.H2
slug = sofashapes.slug


def team(tid):
    return sofashapes.team(tid, translations=False)


def score(st, goals):
    if st in (NS, PP, CAN) or goals is None:
        return {}
    s = {"current": goals, "display": goals, "period1": min(goals, 1), "normaltime": goals}
    s["period2"] = goals - s["period1"]
    return s


def event(eid, rnd, home, away, start, st, hg=None, ag=None, changed=0):
    e = {
        "tournament": {"name": "Premier League", "slug": "premier-league", "category": CAT,
                       "uniqueTournament": {"name": "Premier League", "slug": "premier-league",
                                            "primaryColorHex": "#3c1c5a", "category": CAT,
                                            "userCount": 1500000, "id": UT,
                                            "hasEventPlayerStatistics": True,
                                            "displayInverseHomeAwayTeams": False},
                       "priority": 600, "isLive": False, "id": TID},
        "season": {"name": "Premier League 26/27", "year": "26/27", "editor": False, "id": SEASON},
        "roundInfo": {"round": rnd},
        "customId": "cH%dx" % (eid % 100000),
        "status": {"code": st[0], "description": st[1], "type": st[2]},
        "homeTeam": team(home),
        "awayTeam": team(away),
        "homeScore": score(st, hg),
        "awayScore": score(st, ag),
        "time": {} if st in (NS, PP, CAN) else {"injuryTime1": 2,
                                                 "currentPeriodStartTimestamp": start + 47 * M},
        "changes": {"changes": ["status.code"], "changeTimestamp": changed} if changed
        else {"changeTimestamp": 0},
        "id": eid,
        "slug": slug(TEAMS[home][0]) + "-" + slug(TEAMS[away][0]),
        "startTimestamp": start,
        "finalResultOnly": False,
    }
    if st == FT:
        e["winnerCode"] = 1 if hg > ag else 2 if ag > hg else 3
    return e


def draw(a, rnd):
    """The events (dicts: id, round, kind A B P X C D, home, away, start, ...), the
    phases (seconds after the start) and the number of played rounds: the same draws
    for both providers."""
    n = a.events
    nphases = max(1, a.span // a.phase)
    phases = [p * a.phase for p in range(nphases + 1)]  # 0, PHASE, ..., span
    upcoming_n = max(4, n // 5)
    played_n = n - upcoming_n
    nrounds = max(1, played_n // a.per_round)
    ids = iter(range(15_000_001, 15_000_001 + n))

    # what each event is, and how it evolves: {id: (round, kind, data)}
    evs = []  # dicts: id, round, kind (A B P C X C D), start, finish_phase, ...
    for r in range(1, nrounds + 1):
        size = played_n // nrounds + (1 if r <= played_n % nrounds else 0)
        last_phase = max(1, math.ceil(r * nphases / nrounds))
        kinds = ["P"] + (["X"] if r % 4 == 0 else [])
        rest = size - len(kinds)
        na = int(rest * 0.4)
        kinds += ["A"] * na + ["B"] * (rest - na)
        rnd.shuffle(kinds)
        bs = [i for i, k in enumerate(kinds) if k == "B"]
        for i, k in enumerate(kinds):
            eid = next(ids)
            home, away = rnd.sample(TEAM_IDS, 2)
            e = {"id": eid, "round": r, "kind": k, "home": home, "away": away,
                 "hg": rnd.randint(0, 4), "ag": rnd.randint(0, 3)}
            if k == "A":
                e["start"] = BASE - rnd.randint(150, 300) * M
            elif k == "B":
                e["start"] = BASE - rnd.randint(95, 110) * M
                e["finish"] = last_phase if bs and i == bs[-1] else rnd.randint(1, last_phase)
            elif k == "P":
                e["start"] = BASE + 7 * D + rnd.randint(0, 300) * M
            else:  # X: canceled
                e["start"] = BASE - rnd.randint(60, 200) * M
            e["stats"] = rnd.random() >= 0.1  # about one in ten without statistics
            evs.append(e)
    for i in range(upcoming_n):
        eid = next(ids)
        home, away = rnd.sample(TEAM_IDS, 2)
        if i % 5 == 4:
            e = {"id": eid, "round": nrounds + 1, "kind": "D", "home": home, "away": away,
                 "start": BASE + a.expire_at}
        else:
            conf = rnd.randint(3, max(4, a.span))
            e = {"id": eid, "round": nrounds + 1, "kind": "C", "home": home, "away": away,
                 "start": BASE + rnd.randint(20, 70) * M, "confirm": conf,
                 "first404": rnd.random() < 0.3}
        evs.append(e)
    return evs, phases, nrounds


def sofascore(evs, phases, nrounds, out):
    """Routes and bodies in Sofascore shapes, and the jobs and renders they call for."""
    for f in ("lineups_confirmed.json", "lineups_unconfirmed.json", "statistics.json",
              "incidents_goals.json", "standings_total.json", "error404.json"):
        shutil.copy(os.path.join(FIXTURES, f), os.path.join(out, f))

    def obj_at(e, t):
        """The event object as Sofascore shows it t seconds after the start."""
        k = e["kind"]
        if k == "A":
            return event(e["id"], e["round"], e["home"], e["away"], e["start"], FT, e["hg"],
                         e["ag"], changed=e["start"] + 115 * M)
        if k == "B":
            if t >= phases[e["finish"]]:
                return event(e["id"], e["round"], e["home"], e["away"], e["start"], FT,
                             e["hg"], e["ag"], changed=BASE + phases[e["finish"]])
            return event(e["id"], e["round"], e["home"], e["away"], e["start"], H2,
                         max(0, e["hg"] - 1), e["ag"])
        if k == "P":
            return event(e["id"], e["round"], e["home"], e["away"], e["start"], PP,
                         changed=BASE - 6 * H)
        if k == "X":
            return event(e["id"], e["round"], e["home"], e["away"], e["start"], CAN,
                         changed=BASE - 3 * H)
        return event(e["id"], e["round"], e["home"], e["away"], e["start"], NS)

    routes = {}
    files = {}

    def put(name, body):
        files[name] = body
        return name

    # the day's list, the round lists and the live list change at each phase
    today, live = [], []
    rounds = {r: [] for r in range(1, nrounds + 2)}
    for p, t in enumerate(phases):
        objs = [obj_at(e, t) for e in evs]
        today.append({"after": t, "body": put("today_p%02d.json" % p, {"events": objs}),
                      "etag": "today-p%d" % p})
        live.append({"after": t, "body": put("live_p%02d.json" % p, {"events": [
            o for o in objs if o["status"]["type"] == "inprogress"]}), "etag": "live-p%d" % p})
        for r in rounds:
            rounds[r].append({"after": t, "etag": "r%d-p%d" % (r, p), "body": put(
                "round%02d_p%02d.json" % (r, p), {"events": [
                    o for e, o in zip(evs, objs) if e["round"] == r]})})
    empty = put("events_empty.json", {"events": []})
    routes["/unique-tournament/%d/scheduled-events/{yesterday}" % UT] = [{"body": empty}]
    routes["/unique-tournament/%d/scheduled-events/{today}" % UT] = today
    routes["/unique-tournament/%d/scheduled-events/{tomorrow}" % UT] = [{"body": empty}]
    routes["/sport/football/events/live"] = live
    for r, entries in rounds.items():
        routes["/unique-tournament/%d/season/%d/events/round/%d" % (UT, SEASON, r)] = entries
    routes["/unique-tournament/%d/season/%d/standings/total" % (UT, SEASON)] = [
        {"body": "standings_total.json"}]

    jobs, renders = {}, []
    for e in evs:
        k, eid = e["kind"], e["id"]
        base = "/event/%d" % eid
        if k in ("A", "B"):
            if k == "A":
                routes[base] = [{"after": 0, "body": put("event_%d.json" % eid,
                                                         {"event": obj_at(e, 0)})}]
            else:
                t = phases[e["finish"]]
                routes[base] = [
                    {"after": 0, "body": put("event_%d_live.json" % eid, {"event": obj_at(e, 0)})},
                    {"after": t, "body": put("event_%d.json" % eid, {"event": obj_at(e, t)})}]
            routes[base + "/lineups"] = [{"body": "lineups_confirmed.json"}]
            if e["stats"]:
                routes[base + "/statistics"] = [{"body": "statistics.json"}]
            routes[base + "/incidents"] = [{"body": "incidents_goals.json"}]
            jobs["result:%d" % eid] = "done"
            renders.append("result:%d" % eid)
        elif k in ("P", "X"):
            routes[base] = [{"body": put("event_%d.json" % eid, {"event": obj_at(e, 0)})}]
        elif k == "C":
            routes[base] = [{"body": put("event_%d.json" % eid, {"event": obj_at(e, 0)})}]
            c = e["confirm"]
            seq = [{"after": 0, "status": 404, "body": "error404.json"}] if e["first404"] else []
            seq.append({"after": c // 2 if e["first404"] else 0, "body": "lineups_unconfirmed.json"})
            seq.append({"after": c, "body": "lineups_confirmed.json"})
            routes[base + "/lineups"] = seq
            jobs["line-up:%d" % eid] = "done"
            renders.append("line-up:%d" % eid)
        else:  # D: never confirmed
            routes[base] = [{"body": put("event_%d.json" % eid, {"event": obj_at(e, 0)})}]
            routes[base + "/lineups"] = [{"body": "lineups_unconfirmed.json"}]
            jobs["line-up:%d" % eid] = "expired"
    for r in range(1, nrounds + 1):
        s = "tournament-stats:%d:%d:%d" % (UT, SEASON, r)
        jobs[s] = "done"
        renders.append(s)
    return routes, files, jobs, renders


# ---- API-Football ---------------------------------------------------------------------
AF_LEAGUE, AF_SEASON = 39, 2026
# the hand-written API-Football match day: the model of every shape, and the source of the
# parts every fixture answer shares (events, line-ups, statistics, players)
AF_DAY = os.path.join(HERE, "..", "..", "data", "scenarios", "matchday-apifootball")
AF_LONG = {"NS": "Not Started", "1H": "First Half", "2H": "Second Half",
           "FT": "Match Finished", "PST": "Match Postponed", "CANC": "Match Cancelled"}
# other leagues' fixtures in the day lists (the producer asks for every league at once and
# keeps league 39): (id, league, round, home, away, kick-off - B, status, elapsed, goals);
# the teams of ../../data/scenarios/matchday-apifootball
AF_OTHERS = [
    (16_000_001, 140, 10, 2829, 2817, -25 * M, "1H", 25, (0, 1)),  # live the whole run
    (16_000_002, 78, 4, 2672, 2673, -210 * M, "FT", 90, (3, 1)),
    (16_000_003, 135, 4, 2697, 2692, 30 * M, "NS", None, None),  # in the line-up window
]


def af_matchday():
    """../../data/scenarios/matchday-apifootball/generate.py as a module (its team table,
    league objects, dates and envelope); loaded only for API-Football."""
    spec = importlib.util.spec_from_file_location(
        "matchday_apifootball", os.path.join(AF_DAY, "generate.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def af_pair(v):
    return {"home": v[0], "away": v[1]} if v else {"home": None, "away": None}


def af_fixture(md, fid, lid, rnd, home, away, start, short, elapsed=None, goals=None,
               ht=None, ft=None):
    """One item of a fixtures answer, as matchday-apifootball's fixture() writes it (the
    winner follows the score, running or final; null both for a draw or no score)."""
    started = short not in ("NS", "PST", "CANC")
    win = None if not goals or goals[0] == goals[1] else goals[0] > goals[1]
    return {
        "fixture": {
            "id": fid, "referee": None, "timezone": "UTC", "date": md.iso(start),
            "timestamp": start,
            "periods": {"first": start if started else None,
                        "second": start + 60 * M if short in ("2H", "FT") else None},
            "venue": {"id": 1000 + home, "name": md.TEAMS[home][1], "city": md.TEAMS[home][2]},
            "status": {"long": AF_LONG[short], "short": short, "elapsed": elapsed,
                       "extra": None}},
        "league": md.league(lid, "Regular Season - %d" % rnd),
        "teams": {
            "home": {"id": home, "name": md.TEAMS[home][0], "logo": md.logo(home),
                     "winner": None if win is None else win},
            "away": {"id": away, "name": md.TEAMS[away][0], "logo": md.logo(away),
                     "winner": None if win is None else not win}},
        "goals": af_pair(goals),
        "score": {"halftime": af_pair(ht), "fulltime": af_pair(ft), "extratime": af_pair(None),
                  "penalty": af_pair(None)},
    }


def af_parts(name):
    """events, lineups, statistics, players of a matchday-apifootball fixture answer, and its
    two teams."""
    with open(os.path.join(AF_DAY, name)) as f:
        fx = json.load(f)["response"][0]
    return ({k: fx[k] for k in ("events", "lineups", "statistics", "players")},
            (fx["teams"]["home"]["id"], fx["teams"]["away"]["id"]))


def af_remap(md, obj, teams):
    """obj with every team object ({id, name, logo, ...} under a key "team") of the template's
    teams made the fixture's (teams: {template id: fixture id})."""
    if isinstance(obj, list):
        return [af_remap(md, x, teams) for x in obj]
    if not isinstance(obj, dict):
        return obj
    out = {}
    for k, v in obj.items():
        if k == "team" and isinstance(v, dict) and v.get("id") in teams:
            t = dict(v)
            tid = teams[v["id"]]
            t.update(id=tid, name=md.TEAMS[tid][0], logo=md.logo(tid))
            out[k] = t
        else:
            out[k] = af_remap(md, v, teams)
    return out


def apifootball(a, evs, phases, nrounds, out):
    """Routes and bodies in API-Football shapes (league 39, season 2026), and the jobs and
    renders they call for.  Every route is time-based, keyed as fake-apifootball keys them."""
    md = af_matchday()
    shift = a.start - BASE  # what the fake (--shift-to START) adds to every time
    routes, files = {}, {}

    def put(name, body):
        files[name] = body
        return name

    def seq(name, bodies):
        """A time-based route from one body per phase: an entry where the body changes."""
        entries, last = [], None
        for p, (t, body) in enumerate(zip(phases, bodies)):
            if body != last:
                entries.append({"after": t, "body": put("%s_p%02d.json" % (name, p), body)})
                last = body
        return entries

    # the templates: a finished fixture with everything (9101 at full time, and live in the
    # second half), line-ups with 11 each before kick-off (9201), one with 10 in the away
    # side's startXI (9202)
    ft_parts, ft_teams = af_parts("fixture_9101_ft.json")
    live_parts, live_teams = af_parts("fixture_9101_2h.json")
    lu_parts, lu_teams = af_parts("fixture_9201_lineups.json")
    lu10_parts, lu10_teams = af_parts("fixture_9202_lineups_10.json")
    shutil.copy(os.path.join(AF_DAY, "standings_t25.json"), os.path.join(out, "standings.json"))

    def parts(e, tpl, tpl_teams, keys):
        m = {tpl_teams[0]: e["home"], tpl_teams[1]: e["away"]}
        return {k: af_remap(md, tpl[k], m) for k in keys}

    for e in evs:
        if e["kind"] == "P":
            # API-Football keeps a postponed fixture on its day (PST until a new date is
            # known): the Sofascore variant's kick-off a week later, 150 min earlier, brought
            # back to within 2.5 h of the start
            e["af_start"] = e["start"] - 7 * D - 150 * M
        else:
            e["af_start"] = e["start"]

    def obj_at(e, t):
        """The fixture object as API-Football shows it t seconds after the start."""
        k, s = e["kind"], e["af_start"]
        args = (md, e["id"], AF_LEAGUE, e["round"], e["home"], e["away"], s)
        live_goals = (max(0, e["hg"] - 1), e["ag"]) if "hg" in e else None
        ht = (min(live_goals[0], 1), min(live_goals[1], 1)) if live_goals else None
        final = (e.get("hg"), e.get("ag"))
        if k == "A" or (k == "B" and t >= phases[e["finish"]]):
            return af_fixture(*args, "FT", 90, final, ht, final)
        if k == "B":
            return af_fixture(*args, "2H", min(90, (BASE - s) // M - 15), live_goals, ht)
        if k == "P":
            return af_fixture(*args, "PST")
        if k == "X":
            return af_fixture(*args, "CANC")
        return af_fixture(*args, "NS")

    def other_at(o):
        fid, lid, rnd, home, away, off, short, elapsed, goals = o
        ht = (min(goals[0], 1), min(goals[1], 1)) if goals else None
        return af_fixture(md, fid, lid, rnd, home, away, BASE + off, short, elapsed, goals, ht,
                          goals if short == "FT" else None)

    others = [other_at(o) for o in AF_OTHERS]
    other_events = {16_000_001: [{
        "time": {"elapsed": 18, "extra": None}, "team": md.team_ref(2817),
        "player": {"id": 1912001, "name": "Raphinha"}, "assist": {"id": 1912002, "name": "Pedri"},
        "type": "Goal", "detail": "Normal Goal", "comments": None}]}

    def by_time(fixtures):
        return sorted(fixtures, key=lambda f: (f["fixture"]["timestamp"], f["fixture"]["id"]))

    def day_of(f):
        """The UTC day of a fixture's kick-off once the fake has moved it."""
        return md.day(f["fixture"]["timestamp"] + shift)

    # per phase: every fixture object, then the day lists, the round lists, the live list
    objs = [[obj_at(e, t) for e in evs] for t in phases]
    days = sorted(set(day_of(f) for f in objs[0] + others)
                  | set(md.day(a.start + d * D) for d in (-1, 0, 1)))
    day_counts = {}
    for d in days:
        lists = [by_time([f for f in fs + others if day_of(f) == d]) for fs in objs]
        day_counts[d] = len(lists[0])
        routes["/fixtures?date=%s" % d] = seq(
            "fixtures_%s" % d, [md.envelope("fixtures", {"date": d}, x) for x in lists])
    for r in range(1, nrounds + 2):
        params = {"league": str(AF_LEAGUE), "season": str(AF_SEASON),
                  "round": "Regular Season - %d" % r}
        routes["/fixtures?league=%d&round=Regular Season - %d&season=%d" % (
            AF_LEAGUE, r, AF_SEASON)] = seq("round%02d" % r, [md.envelope(
                "fixtures", params, by_time([f for e, f in zip(evs, fs) if e["round"] == r]))
                for fs in objs])

    # live items carry their events (the date and round lists do not)
    def live_item(f, events):
        x = dict(f)
        x["events"] = events
        return x

    live_events = {e["id"]: parts(e, live_parts, live_teams, ["events"])["events"]
                   for e in evs if e["kind"] == "B"}
    routes["/fixtures?live=all"] = seq("live", [md.envelope("fixtures", {"live": "all"}, [
        live_item(f, other_events[f["fixture"]["id"]]) for f in others
        if f["fixture"]["status"]["short"] == "1H"] + [
        live_item(f, live_events[f["fixture"]["id"]]) for f in fs
        if f["fixture"]["status"]["short"] == "2H"]) for fs in objs])
    routes["/standings?league=%d&season=%d" % (AF_LEAGUE, AF_SEASON)] = [
        {"after": 0, "body": "standings.json"}]

    # one /fixtures?id=N answer: the fixture with its events, line-ups, statistics, players
    def one(f, **kw):
        x = dict(f)
        for k in ("events", "lineups", "statistics", "players"):
            x[k] = kw.get(k, [])
        return md.envelope("fixtures", {"id": str(f["fixture"]["id"])}, [x])

    everything = ("events", "lineups", "statistics", "players")
    jobs, renders = {}, []
    for e in evs:
        k, eid = e["kind"], e["id"]
        key = "/fixtures?id=%d" % eid
        name = "fixture_%d" % eid
        if k in ("A", "B"):
            fin = parts(e, ft_parts, ft_teams, everything)
            if not e["stats"]:
                fin["statistics"] = []  # low coverage: no team statistics at all
            if k == "A":
                routes[key] = [{"after": 0, "body": put(name + ".json", one(obj_at(e, 0), **fin))}]
            else:
                t = phases[e["finish"]]
                now = parts(e, live_parts, live_teams, everything)
                if not e["stats"]:
                    now["statistics"] = []
                routes[key] = [
                    {"after": 0, "body": put(name + "_live.json", one(obj_at(e, 0), **now))},
                    {"after": t, "body": put(name + ".json", one(obj_at(e, t), **fin))}]
            jobs["result:%d" % eid] = "done"
            renders.append("result:%d" % eid)
        elif k in ("P", "X"):
            routes[key] = [{"after": 0, "body": put(name + ".json", one(obj_at(e, 0)))}]
        elif k == "C":
            # lineups [] (not published: API-Football has neither a 404 nor predicted
            # line-ups here), then both sides with 11 in startXI at the confirm time
            c = e["confirm"]
            lu = parts(e, lu_parts, lu_teams, ["lineups"])
            routes[key] = [
                {"after": 0, "body": put(name + "_ns.json", one(obj_at(e, 0)))},
                {"after": c, "body": put(name + "_lineups.json", one(obj_at(e, c), **lu))}]
            jobs["line-up:%d" % eid] = "done"
            renders.append("line-up:%d" % eid)
        else:  # D: the away side's startXI stays at 10: never official
            lu = parts(e, lu10_parts, lu10_teams, ["lineups"])
            routes[key] = [{"after": 0, "body": put(name + "_lineups_10.json",
                                                     one(obj_at(e, 0), **lu))}]
            jobs["line-up:%d" % eid] = "expired"
    for r in range(1, nrounds + 1):
        s = "tournament-stats:%d:%d:%d" % (AF_LEAGUE, AF_SEASON, r)
        jobs[s] = "done"
        renders.append(s)
    extra = {"provider": "api-football", "start": a.start, "days": day_counts,
             "other_leagues": len(AF_OTHERS)}
    return routes, files, jobs, renders, extra


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--events", type=int, required=True)
    ap.add_argument("--span", type=int, default=60, help="last change, seconds after start")
    ap.add_argument("--phase", type=int, default=10, help="seconds between list changes")
    ap.add_argument("--per-round", type=int, default=12)
    ap.add_argument("--expire-at", type=int, default=45,
                    help="kick-off of the line-ups that never get confirmed (s after start)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--provider", choices=("sofascore", "api-football"), default="sofascore")
    ap.add_argument("--start", type=int, default=None,
                    help="api-football: the time the fake moves base_time to (its --shift-to; "
                         "default now): the day lists are that time's UTC days")
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    out = a.out
    if os.path.isdir(out):
        shutil.rmtree(out)
    os.makedirs(out)
    evs, phases, nrounds = draw(a, rnd)
    n = a.events
    if a.provider == "api-football":
        if a.start is None:
            a.start = int(time.time())
        routes, files, jobs, renders, extra = apifootball(a, evs, phases, nrounds, out)
        comment = ("chaos scenario in API-Football shapes, generated by "
                   "tests/system/chaos/generate.py (seed %d, %d events, start %d: serve it "
                   "with fake-apifootball --shift-to %d)" % (a.seed, n, a.start, a.start))
    else:
        routes, files, jobs, renders = sofascore(evs, phases, nrounds, out)
        extra = {}
        comment = ("chaos scenario, generated by tests/system/chaos/generate.py "
                   "(seed %d, %d events)" % (a.seed, n))

    for name, body in files.items():
        with open(os.path.join(out, name), "w") as f:
            json.dump(body, f, separators=(",", ":"), ensure_ascii=False)
    with open(os.path.join(out, "scenario.json"), "w") as f:
        json.dump({"comment": comment, "base_time": BASE, "routes": routes}, f, indent=1)
    kinds = {}
    for e in evs:
        kinds[e["kind"]] = kinds.get(e["kind"], 0) + 1
    counts = {
        "events": n, "rounds": nrounds, "upcoming_round": nrounds + 1,
        "finished_at_start": kinds.get("A", 0), "finishing_live": kinds.get("B", 0),
        "postponed": kinds.get("P", 0), "canceled": kinds.get("X", 0),
        "lineups_confirmed": kinds.get("C", 0), "lineups_never_confirmed": kinds.get("D", 0),
        "jobs": len(jobs), "renders": len(renders), "last_change": phases[-1],
        "expire_kickoff": a.expire_at,
    }
    counts.update(extra)
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump({"jobs": jobs, "renders": sorted(renders), "counts": counts}, f, indent=1)
    print(json.dumps(counts))


if __name__ == "__main__":
    main()
