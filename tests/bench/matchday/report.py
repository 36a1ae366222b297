#!/usr/bin/env python3
"""The figures of a replayed match day (tests/bench/matchday/run.sh): requests by kind, per
video and per match, and the line-up latency, from what the fakes recorded.

    report.py --expected DIR/expected.json --requests FAKE.log --plainly PLAINLY.jsonl
              --start-ms MS --end-ms MS --jobs JOBS.tsv --json OUT.json

--requests: the data fake's --log (fake-sofascore: `ms METHOD PATH STATUS`; fake-apifootball:
`ms METHOD ROUTE KEY STATUS key=...`, the route key may hold spaces). --plainly: fake-plainly's
--record. --start-ms: when the data fake's clock started (its `after` 0); --end-ms: when the
run was stopped. --jobs: `kind<TAB>subject<TAB>state` rows of the jobs table.

Prints the figures and writes them to --json. Times in the scenario are scaled seconds after
the fake's start; "day" figures multiply by the scale.
"""
import argparse
import json
import re
import sys
import time

KIND_ORDER = [
    "schedule (today)", "schedule (yesterday, tomorrow)", "statuses of watched matches",
    "live",
    "line-up checks", "per event: event", "per event: line-ups (result)",
    "per event: statistics", "per event: incidents",
    "ids batches: line-up checks", "ids batches: statuses and results", "per fixture",
    "round", "standings", "other",
]


def utc_day(ms):
    return time.strftime("%Y-%m-%d", time.gmtime(ms / 1000))


def parse_requests(path, provider):
    """[(ms, route, status)]"""
    out = []
    with open(path) as f:
        for line in f:
            p = line.split()
            if len(p) < 4:
                continue
            if provider == "api-football":
                # ms METHOD KEY... STATUS key=present [refused=Name]
                tail = [x for x in p[2:] if x.startswith("key=") or x.startswith("refused=")]
                body = p[2:len(p) - len(tail)]
                route, status = " ".join(body[:-1]), body[-1]
            else:
                route, status = p[2], p[3]
            out.append((int(p[0]), route, int(status)))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--expected", required=True)
    ap.add_argument("--requests", required=True)
    ap.add_argument("--plainly", required=True)
    ap.add_argument("--start-ms", type=int, required=True)
    ap.add_argument("--end-ms", type=int, required=True)
    ap.add_argument("--jobs", required=True)
    ap.add_argument("--json", required=True)
    a = ap.parse_args()

    exp = json.load(open(a.expected))
    prov, scale = exp["provider"], exp["scale"]
    st = exp["settings_s"]
    matches = {m["id"]: m for m in exp["matches"]}
    t0 = a.start_ms

    def rel(ms):
        return (ms - t0) / 1000.0

    def in_progress(t):
        return [m["id"] for m in matches.values() if m["kickoff_s"] <= t < m["finished_s"]]

    def phase(t):
        if in_progress(t):
            return "a followed match in progress"
        if t < min(m["kickoff_s"] for m in matches.values()):
            return "before the first kick-off"
        if t >= max(m["finished_s"] for m in matches.values()):
            return "after the last match"
        return "between slots (none in progress)"

    reqs = parse_requests(a.requests, prov)
    by_kind, by_phase, per_match = {}, {}, {i: 0 for i in matches}
    live_idle = 0
    checks = {i: [] for i in matches}  # line-up checks per match: scaled t
    failed = 0

    def count(kind, t):
        by_kind[kind] = by_kind.get(kind, 0) + 1
        ph = phase(t)
        by_phase.setdefault(ph, {})
        by_phase[ph][kind] = by_phase[ph].get(kind, 0) + 1

    watch = st.get("producer.finish_watch_after")

    def watched(t):
        """A followed match is watched for its final whistle at scaled t (a second early:
        the fake's clock starts a moment before the programs')."""
        return watch is not None and any(
            m["kickoff_s"] + watch - 1 <= t <= m["finished_s"] + st["producer.live_interval"]
            for m in matches.values())

    for ms, route, status in reqs:
        t = rel(ms)
        if status != 200 and status != 304:
            failed += 1
        if prov == "sofascore":
            m = re.match(r"^/event/(\d+)(/(\w+))?$", route)
            if route.startswith("/unique-tournament/") and "/scheduled-events/" in route:
                kind = "schedule (yesterday, tomorrow)" if not route.endswith(utc_day(ms)) \
                    else "statuses of watched matches" if watched(t) else "schedule (today)"
            elif route == "/sport/football/events/live":
                kind = "live"
            elif m:
                eid, part = int(m.group(1)), m.group(3) or "event"
                if eid in per_match:
                    per_match[eid] += 1
                if part == "lineups" and eid in matches and t < matches[eid]["kickoff_s"]:
                    kind = "line-up checks"
                    checks[eid].append(t)
                elif part == "lineups":
                    kind = "per event: line-ups (result)"
                else:
                    kind = "per event: " + part
            elif "/events/round/" in route:
                kind = "round"
            elif route.endswith("/standings/total"):
                kind = "standings"
            else:
                kind = "other"
        else:
            if route.startswith("/fixtures?date="):
                kind = "schedule (today)" if route.endswith(utc_day(ms)) else \
                    "schedule (yesterday, tomorrow)"
            elif route == "/fixtures?live=all":
                kind = "live"
            elif route.startswith("/fixtures?ids="):
                ids = [int(x) for x in route[len("/fixtures?ids="):].split("-") if x.isdigit()]
                if ids and all(i in matches and t < matches[i]["kickoff_s"] for i in ids):
                    kind = "ids batches: line-up checks"
                    for i in ids:
                        checks[i].append(t)
                else:
                    kind = "ids batches: statuses and results"
            elif route.startswith("/fixtures?id="):
                kind = "per fixture"
                eid = int(route[len("/fixtures?id="):] or 0)
                if eid in per_match:
                    per_match[eid] += 1
            elif route.startswith("/fixtures?") and "round=" in route:
                kind = "round"
            elif route.startswith("/standings?"):
                kind = "standings"
            else:
                kind = "other"
        if kind == "live" and not in_progress(t):
            live_idle += 1
        count(kind, t)
    total = len(reqs)

    # videos: the renders fake-plainly stored (POST /renders answered 200), first POST per subject
    first_post, stored = {}, set()
    with open(a.plainly) as f:
        for line in f:
            try:
                r = json.loads(line)
            except ValueError:
                continue
            if r.get("method") != "POST" or r.get("path") != "/renders":
                continue
            subj = ((r.get("body") or {}).get("attributes") or {}).get("bfSubject")
            if subj is None:
                continue
            first_post.setdefault(subj, r["t"])
            if r.get("status") == 200:
                stored.add(subj)
    videos = len(stored)
    want = set(exp["subjects"])
    jobs = {}
    with open(a.jobs) as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            if len(p) >= 3:
                jobs.setdefault(p[0], {}).setdefault(p[2], 0)
                jobs[p[0]][p[2]] += 1

    # line-up latency: publication (scenario, scaled) -> first render POST (real seconds)
    tiers = st["lineups.wait_tiers"]
    bound = tiers[0] + 2.0
    lat = []
    for i, m in sorted(matches.items()):
        pub_ms = t0 + m["lineups_published_s"] * 1000
        post = first_post.get("line-up:%d" % i)
        before = m["kickoff_s"] - m["lineups_published_s"]
        c = checks[i]
        lat.append({
            "event_id": i, "slot": m["slot"], "kickoff_s": m["kickoff_s"],
            "published_s": m["lineups_published_s"],
            "published_before_kickoff_s": before,
            "render_post_s": None if post is None else round((post - t0) / 1000.0, 3),
            "latency_s": None if post is None else round((post - pub_ms) / 1000.0, 3),
            "line_up_checks": len(c),
            "checks_before_publication": sum(1 for t in c if t < m["lineups_published_s"]),
        })
    got = sorted(x["latency_s"] for x in lat if x["latency_s"] is not None)
    lat_max = got[-1] if got else None
    lat_p50 = got[(len(got) - 1) // 2] if got else None
    lat_ok = len(got) == len(matches) and lat_max <= bound

    n = len(matches)
    per_video = total / videos if videos else None
    if prov == "api-football":
        goal = {"what": "at most 60 requests for the whole day (21 videos)", "limit": 60,
                "value": total, "met": total <= 60 and videos == len(want)}
    else:
        goal = {"what": "at most 6 requests per match", "limit": 6,
                "value": round(total / n, 2), "met": total / n <= 6 and videos == len(want)}
    duration = (a.end_ms - t0) / 1000.0
    summary = {
        "provider": prov, "scale": scale, "matches": n, "slots": len(set(m["slot"] for m in matches.values())),
        "videos_expected": len(want), "videos_made": videos,
        "videos_by_kind": {k: sum(1 for s in stored if s.startswith(k + ":"))
                           for k in ("line-up", "result", "tournament-stats")},
        "missing_videos": sorted(want - stored), "unexpected_videos": sorted(stored - want),
        "jobs": jobs,
        "replay_seconds": round(duration, 1), "day_hours": round(duration * scale / 3600.0, 2),
        "settings_scaled_s": st,
        "requests": total, "requests_failed": failed,
        "requests_by_kind": {k: by_kind[k] for k in KIND_ORDER if k in by_kind},
        "requests_by_phase": by_phase,
        "live_polls_while_no_followed_match_in_progress": live_idle,
        "requests_per_video": None if per_video is None else round(per_video, 2),
        "requests_per_match": round(total / n, 2),
        "own_requests_per_match": {str(k): v for k, v in per_match.items()},
        "goal": goal,
        "lineup_latency": {"bound_s": bound, "shortest_tier_s": tiers[0], "max_s": lat_max,
                           "p50_s": lat_p50, "met": lat_ok, "per_match": lat},
    }
    with open(a.json, "w") as f:
        json.dump(summary, f, indent=1)

    w = sys.stdout.write
    w("match day replay, %s, scale %d: %d matches in %d slots, %.0f s (%.1f h of a real day)\n"
      % (prov, scale, n, summary["slots"], duration, summary["day_hours"]))
    w("videos made: %d of %d (%s)%s\n" % (
        videos, len(want), ", ".join("%s %d" % kv for kv in summary["videos_by_kind"].items()),
        "; missing: " + " ".join(summary["missing_videos"]) if summary["missing_videos"] else ""))
    w("jobs: %s\n" % "; ".join("%s %s" % (k, ", ".join("%s %d" % x for x in sorted(v.items())))
                              for k, v in sorted(jobs.items())))
    w("requests: %d (%d not 200/304); per video %s; per match %.1f\n" % (
        total, failed, "-" if per_video is None else "%.1f" % per_video, total / n))
    w("by kind:\n")
    for k in KIND_ORDER:
        if k in by_kind:
            w("  %-36s %5d\n" % (k, by_kind[k]))
    w("live polls while no followed match is in progress: %d of %d\n"
      % (live_idle, by_kind.get("live", 0)))
    w("by phase of the day:\n")
    for ph in ("before the first kick-off", "a followed match in progress",
               "between slots (none in progress)", "after the last match"):
        if ph in by_phase:
            w("  %-34s %5d  (%s)\n" % (ph, sum(by_phase[ph].values()), ", ".join(
                "%s %d" % (k, by_phase[ph][k]) for k in KIND_ORDER if k in by_phase[ph])))
    w("line-up latency (publication -> first render POST), bound = shortest tier %ds + 2 s = %.0f s:\n"
      % (tiers[0], bound))
    for x in lat:
        w("  %d slot %d: published %3ds before kick-off, %s; %d checks (%d before publication)\n"
          % (x["event_id"], x["slot"], x["published_before_kickoff_s"],
             "no render" if x["latency_s"] is None else "%.2f s" % x["latency_s"],
             x["line_up_checks"], x["checks_before_publication"]))
    w("goal (%s): %s -> %s\n" % (goal["what"], goal["value"], "met" if goal["met"] else "NOT met"))
    w("goal (line-up latency <= %.0f s): max %s -> %s\n" % (
        bound, "-" if lat_max is None else "%.2f s" % lat_max, "met" if lat_ok else "NOT met"))


if __name__ == "__main__":
    main()
