#!/usr/bin/env python3
"""Writes a chaos scenario for tests/fakes/fake-sofascore, and what it must produce.

    generate.py --out DIR --events N [--span SECONDS] [--seed S] [--expire-at SECONDS]

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

DIR/expected.json: {"jobs": {"result:ID": "done", "line-up:ID": "done"|"expired",
"tournament-stats:17:76986:R": "done"}, "renders": [subjects], "counts": {...}}.
"""
import argparse
import json
import math
import os
import random
import shutil
import sys

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
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    out = a.out
    if os.path.isdir(out):
        shutil.rmtree(out)
    os.makedirs(out)
    for f in ("lineups_confirmed.json", "lineups_unconfirmed.json", "statistics.json",
              "incidents_goals.json", "standings_total.json", "error404.json"):
        shutil.copy(os.path.join(FIXTURES, f), os.path.join(out, f))

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

    for name, body in files.items():
        with open(os.path.join(out, name), "w") as f:
            json.dump(body, f, separators=(",", ":"), ensure_ascii=False)
    with open(os.path.join(out, "scenario.json"), "w") as f:
        json.dump({"comment": "chaos scenario, generated by tests/system/chaos/generate.py "
                              "(seed %d, %d events)" % (a.seed, n),
                   "base_time": BASE, "routes": routes}, f, indent=1)
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
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump({"jobs": jobs, "renders": sorted(renders), "counts": counts}, f, indent=1)
    print(json.dumps(counts))


if __name__ == "__main__":
    main()
