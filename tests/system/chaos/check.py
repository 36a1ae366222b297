#!/usr/bin/env python3
"""The assertions of a chaos run (tests/system/chaos/run.sh, tests/system/chaos/cluster.sh).

    check.py DIR

reads, in DIR:
  scenario/expected.json   what the scenario must produce (tests/system/chaos/generate.py)
  jobs.tsv                 kind, subject, state, attempts   (psql, tab separated)
  renders.tsv              kind, subject, state, plainly_render_id, plainly_state
  videos.json              the video events a subscriber's queue bound to bf.videos got
                           (POST /api/queues/VHOST/Q/get of the management API)
  queues.json              GET /api/queues/VHOST of the management API
  plainly-stats.json       GET /_fake/stats of the fake Plainly
  plainly-renders.json     GET /renders?size=1000 of the fake Plainly (what it stored)
  plainly-requests.jsonl   the fake Plainly's request record (--record)
and prints "ok - ..." / "not ok - ..." lines, then "# figure name value" lines that the
scripts print in their summary. Exit status 0 when every check passed.
"""
import collections
import json
import os
import sys

d = sys.argv[1]
results = []
figures = collections.OrderedDict()


def check(ok, text, detail=None):
    results.append(ok)
    print(("ok - " if ok else "not ok - ") + text)
    if not ok and detail:
        for line in detail[:25]:
            print("#   " + line)
        if len(detail) > 25:
            print("#   ... and %d more" % (len(detail) - 25))


def load_json(name, default=None):
    try:
        with open(os.path.join(d, name)) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        print("# cannot read %s: %s" % (name, e))
        return default


def load_tsv(name):
    rows = []
    try:
        with open(os.path.join(d, name)) as f:
            for line in f:
                line = line.rstrip("\n")
                if line:
                    rows.append(line.split("\t"))
    except OSError as e:
        print("# cannot read %s: %s" % (name, e))
    return rows


exp = load_json("scenario/expected.json", {"jobs": {}, "renders": []})
want_jobs = exp["jobs"]
want_renders = set(exp["renders"])

# ---- jobs --------------------------------------------------------------------------
jobs = {r[1]: (r[0], r[2], int(r[3]) if len(r) > 3 and r[3].isdigit() else 0)
        for r in load_tsv("jobs.tsv")}
by_state = collections.Counter((k, s) for k, s, _ in jobs.values())
wrong = ["%s: state %s, expected %s" % (s, jobs[s][1] if s in jobs else "(no job)", st)
         for s, st in sorted(want_jobs.items()) if s not in jobs or jobs[s][1] != st]
check(not wrong, "every due job reached its final state (%d jobs: %s)" % (
    len(want_jobs), ", ".join("%s %s %d" % (k, s, n) for (k, s), n in sorted(by_state.items()))),
    wrong)
extra = sorted(s for s in jobs if s not in want_jobs)
check(not extra, "no job the scenario does not call for", ["%s: %s" % (s, jobs[s][1]) for s in extra])
lost_subjects = set(s for s, st in want_jobs.items() if s not in jobs or jobs[s][1] != st)

# ---- queues -------------------------------------------------------------------------
queues = load_json("queues.json", [])
left = ["%s: %s ready, %s unacked" % (q.get("name"), q.get("messages_ready", "?"),
                                      q.get("messages_unacknowledged", "?"))
        for q in queues or [] if (q.get("messages") or 0) != 0
        or (q.get("messages_ready") or 0) != 0 or (q.get("messages_unacknowledged") or 0) != 0]
names = sorted(q.get("name") for q in queues or [])
check(bool(queues) and not left,
      "no message left in any queue (%d queues: work, wait and dead)" % len(names),
      left or ["no queue listed by the management API"])

# ---- Plainly -----------------------------------------------------------------------
stats = load_json("plainly-stats.json", {}) or {}
by_subject = stats.get("by_subject", {})
posts_by_subject = stats.get("posts_by_subject", {})
dups = {s: n for s, n in by_subject.items() if n > 1}
missing = sorted(s for s in want_renders if by_subject.get(s, 0) == 0)
unexpected = sorted(s for s in by_subject if s not in want_renders)
check(not dups, "fake Plainly: no subject rendered twice (%d subjects stored)" % len(by_subject),
      ["%s: %d renders" % (s, n) for s, n in sorted(dups.items())])
check(not missing, "fake Plainly: every expected video requested (%d)" % len(want_renders),
      missing)
check(not unexpected, "fake Plainly: no render for a subject without a due video",
      ["%s: %d" % (s, by_subject[s]) for s in unexpected])

# The request record: every POST with its answer (random faults included: the fake
# rolls them before it routes, so they never reach posts_by_subject).
posts = collections.defaultdict(list)
listings = collections.Counter()
status_count = collections.Counter()
try:
    with open(os.path.join(d, "plainly-requests.jsonl")) as f:
        for line in f:
            try:
                r = json.loads(line)
            except ValueError:
                continue
            if r.get("method") == "POST" and r.get("path") == "/renders":
                body = r.get("body") if isinstance(r.get("body"), dict) else {}
                subj = (body.get("attributes") or {}).get("bfSubject", "?")
                posts[subj].append(r.get("status"))
                status_count[r.get("status")] += 1
            elif r.get("method") == "GET" and r.get("path") == "/renders":
                listings[r.get("status")] += 1
except OSError as e:
    print("# cannot read plainly-requests.jsonl: %s" % e)
multi = {s: st for s, st in posts.items() if len(st) > 1}
unexplained = ["%s: answers %s" % (s, st) for s, st in sorted(multi.items())
               if sum(1 for x in st if x == 200) > 1 or by_subject.get(s, 0) != 1]
check(not unexplained,
      "POSTs repeated for a subject only after a 500 or a timeout (%d subjects posted more than "
      "once, %d extra POSTs, every one after an answer that stored nothing)" % (
          len(multi), sum(len(st) - 1 for st in multi.values())), unexplained)
# Lost answers: POSTs the fake stored but answered 500 or not at all (its script's
# accept-then-500 / accept-then-reset). The render exists without any 200 POST for the
# subject: only the consumers' reconciliation (GET /renders?projectId=) can have
# recorded it, and it must not have posted again.
try:
    with open(os.path.join(d, "plainly-script.txt")) as f:
        script = [x for x in f.read().strip().split(",") if x]
except OSError:
    script = []
used = len(script) - int(stats.get("script_left", 0)) if script else 0
lost_answers = sum(1 for x in script[:used] if x.startswith("accept-then"))
reconciled = sorted(s for s, n in by_subject.items() if n == 1 and 200 not in posts.get(s, []))
reposted = sorted(s for s, n in by_subject.items()
                  if n > 1 and any(x in (0, 500) for x in posts.get(s, [])))
check(len(reconciled) == lost_answers and not reposted,
      "lost answers reconciled without a second POST (%d POSTs stored but answered 500 or "
      "nothing: %d subjects rendered once with no 200 POST)" % (lost_answers, len(reconciled)),
      ["%s: rendered %d times, POST answers %s (posted again after a lost answer)"
       % (s, by_subject[s], posts.get(s)) for s in reposted]
      + ["%s: reconciled, POST answers %s" % (s, posts.get(s)) for s in reconciled])
figures["lost answers reconciled (accept-then-500/reset)"] = len(reconciled)
pbs_over = {s: n for s, n in posts_by_subject.items() if n > 1}
check(all(by_subject.get(s, 0) == n for s, n in pbs_over.items()),
      "fake Plainly: posts_by_subject > 1 only where by_subject says so too (%d subjects)" % len(pbs_over),
      ["%s: posts %d, stored %d" % (s, n, by_subject.get(s, 0)) for s, n in sorted(pbs_over.items())])

# ---- renders table against what Plainly stored --------------------------------------
renders = {r[1]: (r[0], r[2], r[3] if len(r) > 3 else "", r[4] if len(r) > 4 else "")
           for r in load_tsv("renders.tsv")}
stored = load_json("plainly-renders.json", []) or []
plainly_id = {}
for r in stored:
    s = (r.get("attributes") or {}).get("bfSubject")
    if s:
        plainly_id.setdefault(s, set()).add(r.get("id"))
bad = []
for s in sorted(want_renders):
    row = renders.get(s)
    if row is None:
        bad.append("%s: no renders row" % s)
    elif row[1] != "done" or row[3] != "DONE":
        bad.append("%s: renders.state %s, plainly_state %s" % (s, row[1], row[3]))
    elif row[2] not in plainly_id.get(s, set()):
        bad.append("%s: plainly_render_id %s, Plainly has %s" % (s, row[2], sorted(plainly_id.get(s, []))))
for s in sorted(renders):
    if s not in want_renders:
        bad.append("%s: renders row (%s) for a subject without a due video" % (s, renders[s][1]))
check(not bad, "renders table: every video 'done' (followed by bf-renders) with the id Plainly "
      "gave it (%d)" % len(renders), bad)

# ---- video events, as a subscriber counts them (dropping duplicates by message_id) ----
videos = load_json("videos.json", []) or []
seen = collections.Counter()
events = {}
malformed = []
for m in videos:
    props = m.get("properties") or {}
    mid = props.get("message_id")
    try:
        ev = json.loads(m.get("payload") or "")
    except ValueError:
        ev = None
    if not mid or not isinstance(ev, dict):
        malformed.append("%s: %s" % (m.get("routing_key"), (m.get("payload") or "")[:120]))
        continue
    seen[mid] += 1
    events[mid] = (m.get("routing_key"), ev)
final_by_subject = collections.defaultdict(list)
for mid, (rk, ev) in events.items():
    final_by_subject[ev.get("subject")].append((mid, rk, ev))
bad = list(malformed)
for s in sorted(want_renders):
    evs = final_by_subject.get(s, [])
    row = renders.get(s)
    if len(evs) != 1:
        bad.append("%s: %d distinct final video events %s" % (s, len(evs), sorted(e[0] for e in evs)))
        continue
    mid, rk, ev = evs[0]
    kind = row[0] if row else "?"
    if rk != "video.%s.done" % kind or ev.get("state") != "done":
        bad.append("%s: event %s routed %s, state %s" % (s, mid, rk, ev.get("state")))
    elif row is None or ev.get("render_id") != row[2]:
        bad.append("%s: event for render %s, the renders row holds %s" % (
            s, ev.get("render_id"), row[2] if row else "(no row)"))
for s in sorted(final_by_subject):
    if s not in want_renders:
        bad.append("%s: a video event for a subject without a due video" % s)
check(not bad, "video events: exactly one final event (video.<kind>.done) per render, as a "
      "subscriber dropping duplicates by message_id counts them (%d distinct, %d received)"
      % (len(events), len(videos)), bad)
figures["video events received (distinct message_id)"] = "%d (%d)" % (len(videos), len(events))

lost_subjects |= set(missing)
figures["jobs"] = len(jobs)
figures["renders (stored by Plainly)"] = sum(by_subject.values())
figures["duplicates"] = sum(n - 1 for n in dups.values()) + sum(by_subject[s] for s in unexpected)
figures["lost (subjects whose job did not end as due, or whose video is missing)"] = len(lost_subjects)
figures["Plainly POSTs"] = sum(status_count.values())
figures["Plainly POST answers"] = ", ".join("%s x%d" % (k, v) for k, v in sorted(status_count.items(), key=lambda kv: str(kv[0])))
figures["Plainly listings (reconcile look-ups)"] = ", ".join("%s x%d" % (k, v) for k, v in sorted(listings.items(), key=lambda kv: str(kv[0])))
figures["subjects posted more than once"] = len(multi)
figures["max attempts of a job"] = max((a for _, _, a in jobs.values()), default=0)
for k, v in figures.items():
    print("# figure %s: %s" % (k, v))
sys.exit(0 if all(results) else 1)
