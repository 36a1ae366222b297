#!/usr/bin/env python3
"""Writes the replayed match day of `make bench` (part matchday-requests, issue 18) for the
fake data servers: a Premier League round of 10 matches in 3 kick-off slots, in the shapes of
Sofascore (tests/fakes/fake-sofascore) or of API-Football (tests/fakes/fake-apifootball).

    generate.py --provider sofascore|api-football --scale F --out DIR [--start EPOCH] [--seed S]

The day, in real time (S = the fake's start, every time a whole minute):

- one followed competition: Sofascore unique tournament 17, season 76986 (API-Football
  league 39, season 2026), round 12, the 20 teams of tests/data/scenarios/sofashapes.py paired
  into 10 matches;
- kick-offs in 3 slots: 4 at T0 = S + 90 min, 3 at T0 + 2 h 30, 3 at T0 + 5 h;
- line-ups: Sofascore predicted from the start (`confirmed: false`) and confirmed 55-65 min
  before kick-off; API-Football `lineups: []` until 20-40 min before kick-off, then both
  sides with 11 in startXI (no predicted line-ups there);
- each match live from kick-off: 1st half, half-time at +47 min, 2nd half at +62 min,
  finished at +108..112 min with its result (statistics and incidents/events, line-ups with
  ratings); it is in the live list while it is in progress;
- the round is complete once the last match has finished: the round list and the standings
  say so (the standings route answers from the start, as the real one does).

Every time of the day is divided by F (--scale): the `after` of every route (seconds since the
fake started) and every timestamp in the bodies (BASE + offset / F, BASE = base_time, which the
fake moves to its start or to --shift-to). F must divide 60, so that a minute and every
default interval of the programs (read from `bfctl config keys`) scaled by F
are whole seconds: F = 60 turns the ~8 h 20 min day into ~8 min 20 s.

Bodies are built from the shapes of tests/system/chaos/generate.py (Sofascore event objects,
API-Football fixture items, the parts of matchday-apifootball's fixtures 9101 and 9201 with
their teams made each match's) and the fixture files of tests/data/fixtures/sofascore/
(line-ups, statistics, incidents, standings) and tests/data/scenarios/matchday-apifootball/
(standings): nothing is written by hand here.

API-Football: the day lists are routed by date (/fixtures?date=YYYY-MM-DD), the UTC day of each
kick-off once the fake has moved base_time to --start (run it with `--shift-to START`), as the
chaos generator does; the three days around --start are always routed.

DIR/expected.json: the matches (id, slot, kick-off, line-ups published, half-time, 2nd half,
finished, all in scaled seconds after the fake's start), the subjects that must be rendered (21)
and the scaled settings the programs must run with (for tests/bench/matchday/run.sh).
"""
import argparse
import importlib.util
import json
import os
import random
import shutil
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..", "..")
FIXTURES = os.path.join(ROOT, "tests", "data", "fixtures", "sofascore")
AF_DAY = os.path.join(ROOT, "tests", "data", "scenarios", "matchday-apifootball")
M, H, D = 60, 3600, 86400

ROUND = 12
SLOTS = [(90 * M, 4), (90 * M + 150 * M, 3), (90 * M + 300 * M, 3)]  # (kick-off after S, matches)
HT_AT, H2_AT = 47 * M, 62 * M  # after kick-off

# The settings the day is replayed with: the programs' defaults, read from
# `bfctl config keys` (--defaults-from; run.sh passes the bfctl it runs), every one a
# duration that run.sh writes divided by F.
SETTINGS = ("producer.schedule_interval", "producer.live_interval", "producer.lineup_lead",
            "producer.finish_watch_after", "producer.finish_check_after",
            "producer.requeue_after", "lineups.wait_tiers", "lineups.near_kickoff",
            "lineups.give_up_after", "results.wait_tiers")
UNITS = {"s": 1, "m": M, "h": H, "d": D}


def duration(text):
    text = text.strip()
    if text and text[-1] in UNITS:
        return int(text[:-1]) * UNITS[text[-1]]
    return int(text)


def defaults_from(bfctl):
    """The defaults of SETTINGS in seconds, from the key table `bfctl config keys` prints
    (| `key` | type | `default` | ...)."""
    out = subprocess.run([bfctl, "config", "keys"], check=True, capture_output=True,
                         text=True).stdout
    found = {}
    for line in out.splitlines():
        cells = [c.strip().strip("`") for c in line.split("|")[1:-1]]
        if len(cells) >= 3 and cells[0] in SETTINGS:
            v = [duration(x) for x in cells[2].split(",")]
            found[cells[0]] = v if cells[1] == "durations" else v[0]
    missing = [k for k in SETTINGS if k not in found]
    if missing:
        sys.exit("generate.py: %s config keys has no default for %s" % (bfctl, ", ".join(missing)))
    return found


def load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


# the chaos generator: Sofascore event objects and API-Football fixture items
chaos = load("chaos_generate", os.path.join(ROOT, "tests", "system", "chaos", "generate.py"))
BASE = chaos.BASE
shapes = chaos.sofashapes


def day_plan(seed):
    """The 10 matches: id, slot, home, away, goals, and every moment in REAL seconds after
    the start (line-ups for both providers, kick-off, half-time, 2nd half, finish)."""
    rnd = random.Random(seed)
    teams = sorted(shapes.PL_TEAMS)
    rnd.shuffle(teams)
    matches, i = [], 0
    for slot, (kick, n) in enumerate(SLOTS):
        for _ in range(n):
            hg, ag = rnd.randint(0, 4), rnd.randint(0, 3)
            matches.append({
                "id": 15_100_001 + i, "slot": slot + 1,
                "home": teams[2 * i], "away": teams[2 * i + 1],
                "hg": hg, "ag": ag, "ht": (min(hg, 1), min(ag, 1)),
                "kickoff": kick,
                "confirmed_sofascore": kick - rnd.randint(55, 65) * M,
                "published_apifootball": kick - rnd.randint(20, 40) * M,
                "halftime": kick + HT_AT, "second_half": kick + H2_AT,
                "finished": kick + rnd.randint(108, 112) * M,
            })
            i += 1
    return matches


def status_at(m, t):
    """NS, 1H, HT, 2H or FT at real second t."""
    if t < m["kickoff"]:
        return "NS"
    if t < m["halftime"]:
        return "1H"
    if t < m["second_half"]:
        return "HT"
    if t < m["finished"]:
        return "2H"
    return "FT"


def score_at(m, st):
    return {"NS": None, "1H": (0, 0), "HT": m["ht"], "2H": m["ht"],
            "FT": (m["hg"], m["ag"])}[st]


def changes(m):
    return [0, m["kickoff"], m["halftime"], m["second_half"], m["finished"]]


# ---- Sofascore ----------------------------------------------------------------------------
SOFA_ST = {"NS": shapes.NS, "1H": shapes.H1, "HT": shapes.HT, "2H": shapes.H2, "FT": shapes.FT}
UT, SEASON = chaos.UT, chaos.SEASON


def sofascore(matches, sc, out):
    for f in ("lineups_confirmed.json", "lineups_unconfirmed.json", "statistics.json",
              "incidents_goals.json", "standings_total.json"):
        shutil.copy(os.path.join(FIXTURES, f), os.path.join(out, f))
    files, routes = {}, {}

    def put(name, body):
        files[name] = body
        return name

    def obj_at(m, t):
        st = status_at(m, t)
        g = score_at(m, st) or (None, None)
        changed = 0 if st == "NS" else BASE + sc(max(c for c in changes(m) if c <= t))
        return chaos.event(m["id"], ROUND, m["home"], m["away"], BASE + sc(m["kickoff"]),
                           SOFA_ST[st], g[0], g[1], changed=changed)

    # the lists change whenever a match does
    moments = sorted(set(c for m in matches for c in changes(m)))
    today, live, rnd = [], [], []
    last = {}
    for p, t in enumerate(moments):
        objs = [obj_at(m, t) for m in matches]
        for name, entries, body in (
                ("today", today, {"events": objs}),
                ("live", live, {"events": [o for o in objs if o["status"]["type"] == "inprogress"]}),
                ("round%d" % ROUND, rnd, {"events": objs})):
            if last.get(name) != body:
                last[name] = body
                entries.append({"after": sc(t), "etag": "%s-p%d" % (name, p),
                                "body": put("%s_p%02d.json" % (name, p), body)})
    empty = put("events_empty.json", {"events": []})
    routes["/unique-tournament/%d/scheduled-events/{yesterday}" % UT] = [{"after": 0, "body": empty}]
    routes["/unique-tournament/%d/scheduled-events/{today}" % UT] = today
    routes["/unique-tournament/%d/scheduled-events/{tomorrow}" % UT] = [{"after": 0, "body": empty}]
    routes["/sport/football/events/live"] = live
    routes["/unique-tournament/%d/season/%d/events/round/%d" % (UT, SEASON, ROUND)] = rnd
    routes["/unique-tournament/%d/season/%d/standings/total" % (UT, SEASON)] = [
        {"after": 0, "body": "standings_total.json"}]
    for m in matches:
        eid, base = m["id"], "/event/%d" % m["id"]
        entries = []
        for c in changes(m):
            entries.append({"after": sc(c), "body": put("event_%d_%s.json" % (eid, status_at(m, c)),
                                                        {"event": obj_at(m, c)})})
        routes[base] = entries
        # predicted line-ups from the start (Sofascore has them days before), confirmed
        # about an hour before kick-off; statistics and incidents from kick-off
        routes[base + "/lineups"] = [
            {"after": 0, "body": "lineups_unconfirmed.json"},
            {"after": sc(m["confirmed_sofascore"]), "body": "lineups_confirmed.json"}]
        routes[base + "/statistics"] = [{"after": sc(m["kickoff"]), "body": "statistics.json"}]
        routes[base + "/incidents"] = [{"after": sc(m["kickoff"]), "body": "incidents_goals.json"}]
    subjects = ["line-up:%d" % m["id"] for m in matches] + \
        ["result:%d" % m["id"] for m in matches] + \
        ["tournament-stats:%d:%d:%d" % (UT, SEASON, ROUND)]
    return routes, files, subjects, {"unique_tournament": UT, "season": SEASON}


# ---- API-Football --------------------------------------------------------------------------
AF_LEAGUE, AF_SEASON = chaos.AF_LEAGUE, chaos.AF_SEASON
AF_ELAPSED = {"NS": None, "1H": 1, "HT": 45, "2H": 46, "FT": 90}


def apifootball(matches, sc, start, out):
    md = chaos.af_matchday()
    chaos.AF_LONG.setdefault("HT", "Halftime")
    shift = start - BASE
    files, routes = {}, {}

    def put(name, body):
        files[name] = body
        return name

    ft_parts, ft_teams = chaos.af_parts("fixture_9101_ft.json")
    live_parts, live_teams = chaos.af_parts("fixture_9101_2h.json")
    lu_parts, lu_teams = chaos.af_parts("fixture_9201_lineups.json")
    shutil.copy(os.path.join(AF_DAY, "standings_t25.json"), os.path.join(out, "standings.json"))
    everything = ("events", "lineups", "statistics", "players")

    def parts(m, tpl, tpl_teams, keys):
        remap = {tpl_teams[0]: m["home"], tpl_teams[1]: m["away"]}
        return {k: chaos.af_remap(md, tpl[k], remap) for k in keys}

    def obj_at(m, t):
        st = status_at(m, t)
        g = score_at(m, st)
        return chaos.af_fixture(md, m["id"], AF_LEAGUE, ROUND, m["home"], m["away"],
                                BASE + sc(m["kickoff"]), st, AF_ELAPSED[st], g,
                                m["ht"] if st in ("HT", "2H", "FT") else None,
                                g if st == "FT" else None)

    def by_time(fs):
        return sorted(fs, key=lambda f: (f["fixture"]["timestamp"], f["fixture"]["id"]))

    def day_of(f):
        return md.day(f["fixture"]["timestamp"] + shift)

    def seq(name, moments, bodies):
        entries, last = [], None
        for p, (t, body) in enumerate(zip(moments, bodies)):
            if body != last:
                entries.append({"after": sc(t), "body": put("%s_p%02d.json" % (name, p), body)})
                last = body
        return entries

    moments = sorted(set(c for m in matches for c in changes(m)))
    objs = [[obj_at(m, t) for m in matches] for t in moments]
    days = sorted(set(day_of(f) for f in objs[0]) | set(md.day(start + d * D) for d in (-1, 0, 1)))
    for d in days:
        routes["/fixtures?date=%s" % d] = seq("fixtures_%s" % d, moments, [
            md.envelope("fixtures", {"date": d}, by_time([f for f in fs if day_of(f) == d]))
            for fs in objs])
    params = {"league": str(AF_LEAGUE), "season": str(AF_SEASON),
              "round": "Regular Season - %d" % ROUND}
    routes["/fixtures?league=%d&round=Regular Season - %d&season=%d" % (
        AF_LEAGUE, ROUND, AF_SEASON)] = seq("round%d" % ROUND, moments, [
            md.envelope("fixtures", params, by_time(fs)) for fs in objs])
    live_events = {m["id"]: parts(m, live_parts, live_teams, ["events"])["events"]
                   for m in matches}

    def live_item(f):
        x = dict(f)
        x["events"] = live_events[f["fixture"]["id"]]
        return x

    routes["/fixtures?live=all"] = seq("live", moments, [md.envelope("fixtures", {"live": "all"}, [
        live_item(f) for f in fs if f["fixture"]["status"]["short"] in ("1H", "HT", "2H")])
        for fs in objs])
    routes["/standings?league=%d&season=%d" % (AF_LEAGUE, AF_SEASON)] = [
        {"after": 0, "body": "standings.json"}]

    def one(f, kw):
        x = dict(f)
        for k in everything:
            x[k] = kw.get(k, [])
        return md.envelope("fixtures", {"id": str(f["fixture"]["id"])}, [x])

    for m in matches:
        eid, name = m["id"], "fixture_%d" % m["id"]
        lu = parts(m, lu_parts, lu_teams, ["lineups"])
        pub = m["published_apifootball"]
        entries = [
            {"after": 0, "body": put(name + "_ns.json", one(obj_at(m, 0), {}))},
            {"after": sc(pub), "body": put(name + "_lineups.json", one(obj_at(m, pub), lu))}]
        for c in changes(m)[1:]:
            st = status_at(m, c)
            kw = parts(m, ft_parts if st == "FT" else live_parts,
                       ft_teams if st == "FT" else live_teams, everything)
            entries.append({"after": sc(c), "body": put("%s_%s.json" % (name, st),
                                                        one(obj_at(m, c), kw))})
        routes["/fixtures?id=%d" % eid] = entries
    subjects = ["line-up:%d" % m["id"] for m in matches] + \
        ["result:%d" % m["id"] for m in matches] + \
        ["tournament-stats:%d:%d:%d" % (AF_LEAGUE, AF_SEASON, ROUND)]
    return routes, files, subjects, {"league": AF_LEAGUE, "season": AF_SEASON, "start": start,
                                     "days": days}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--provider", choices=("sofascore", "api-football"), required=True)
    ap.add_argument("--scale", type=int, default=60,
                    help="every time of the day divided by this (a divisor of 60)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--start", type=int, default=None,
                    help="api-football: the time the fake moves base_time to (its --shift-to;"
                         " default now)")
    ap.add_argument("--seed", type=int, default=18)
    ap.add_argument("--defaults-from", default=os.path.join(ROOT, "bin", "bfctl"),
                    help="the bfctl whose defaults the day is replayed with")
    a = ap.parse_args()
    f = a.scale
    if f < 1 or 60 % f != 0:
        ap.error("--scale must divide 60 (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60): a minute "
                 "and every default interval must stay a whole number of seconds")

    def sc(t):
        return t // f

    out = a.out
    if os.path.isdir(out):
        shutil.rmtree(out)
    os.makedirs(out)
    matches = day_plan(a.seed)
    if a.provider == "api-football":
        start = a.start if a.start is not None else int(time.time())
        routes, files, subjects, extra = apifootball(matches, sc, start, out)
        comment = ("replayed match day for make bench (matchday-requests), API-Football shapes, "
                   "scale %d: serve it with fake-apifootball --shift-to %d" % (f, start))
    else:
        routes, files, subjects, extra = sofascore(matches, sc, out)
        comment = "replayed match day for make bench (matchday-requests), Sofascore shapes, scale %d" % f
    for name, body in files.items():
        with open(os.path.join(out, name), "w") as fh:
            json.dump(body, fh, separators=(",", ":"), ensure_ascii=False)
    with open(os.path.join(out, "scenario.json"), "w") as fh:
        json.dump({"comment": comment, "base_time": BASE, "routes": routes}, fh, indent=1)

    published = "confirmed_sofascore" if a.provider == "sofascore" else "published_apifootball"
    last = max(m["finished"] for m in matches)
    defaults = defaults_from(a.defaults_from)
    for k, v in defaults.items():
        if any(x % f for x in (v if isinstance(v, list) else [v])):
            sys.exit("generate.py: the default %s (%s s) is not a whole number of seconds at "
                     "scale %d" % (k, v, f))
    settings = {k: ([x // f for x in v] if isinstance(v, list) else v // f)
                for k, v in defaults.items()}
    expected = {
        "provider": a.provider, "scale": f, "seed": a.seed, "round": ROUND,
        "matches": [{"id": m["id"], "slot": m["slot"], "home": m["home"], "away": m["away"],
                     "kickoff_s": sc(m["kickoff"]), "lineups_published_s": sc(m[published]),
                     "halftime_s": sc(m["halftime"]), "second_half_s": sc(m["second_half"]),
                     "finished_s": sc(m["finished"])} for m in matches],
        "subjects": subjects, "videos": len(subjects), "last_finish_s": sc(last),
        "day_real_s": last, "settings_s": settings, "defaults_s": defaults,
    }
    expected.update(extra)
    with open(os.path.join(out, "expected.json"), "w") as fh:
        json.dump(expected, fh, indent=1)
    print(json.dumps({"provider": a.provider, "scale": f, "matches": len(matches),
                      "videos": len(subjects), "routes": len(routes), "files": len(files),
                      "last_finish_s": sc(last), "day_real": "%dh%02d" % (last // H, last % H // M)}))


if __name__ == "__main__":
    main()
