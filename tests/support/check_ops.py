#!/usr/bin/env python3
"""check_ops: the alert rules and the Grafana dashboard use only metrics the programs serve.

Usage:
    check_ops.py [--rules FILE] [--dashboard FILE] [--no-promtool] METRICS_FILE...
    check_ops.py --self-test

METRICS_FILE: Prometheus text exposition (the output of GET /metrics, or
tests/data/fixtures/metrics-sample.txt), parsed with promcheck.parse; their families together
are what may be used. Defaults: ops/prometheus/bf-alerts.yml and ops/grafana/bf-dashboard.json
of this checkout.

Checks:
  - every metric name in each rule's expr, each dashboard target's expr and each templating
    query is a family (# TYPE) of the metrics files, or "up" (a name_bucket/_sum/_count of a
    histogram or summary counts as its family);
  - each rule has alert, expr, labels.severity (critical|warning|info) and annotations.summary,
    no unknown keys, a valid duration in "for"; alert names and group names are unique;
  - the dashboard: uid "bf-datavideos", schemaVersion >= 36, a datasource variable
    DS_PROMETHEUS that every panel and target uses, unique panel ids, every panel (not a row)
    has a gridPos and a target with an expr;
  - when promtool is on PATH (Debian package prometheus): `promtool check rules` on the rules and
    `promtool test rules` on the unit tests beside them (bf-alerts.test.yml).
Exit 0 when all hold, else 1 with one line per problem (the rule or panel that has it).
Python 3 with PyYAML (Debian package python3-yaml).
"""

import json
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import promcheck  # noqa: E402

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
RULES = os.path.join(ROOT, "ops", "prometheus", "bf-alerts.yml")
DASHBOARD = os.path.join(ROOT, "ops", "grafana", "bf-dashboard.json")
ALWAYS_KNOWN = {"up"}
SEVERITIES = ("critical", "warning", "info")
RULE_KEYS = {"alert", "expr", "for", "keep_firing_for", "labels", "annotations"}

# PromQL words that are not metric names when they are not followed by "(".
KEYWORDS = {"and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right",
            "bool", "offset", "atan2", "inf", "nan", "start", "end"}
# aggregations: "sum by (x) (...)" puts a word between the name and its "("
AGGREGATIONS = {"sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values",
                "bottomk", "topk", "quantile", "limitk", "limit_ratio"}
# followed by a list of label names in parentheses
GROUPING = {"by", "without", "on", "ignoring", "group_left", "group_right"}
_IDENT = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
_NUMBER = re.compile(r"(?:0[xX][0-9a-fA-F]+|[0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)"
                     r"(?:[0-9a-zA-Z_]*)")  # a number or a duration such as 5m, 1h30m
_DUMMY = re.match("", "")
_DURATION = re.compile(r"(?:[0-9]+(?:ms|[smhdwy]))+\Z|0\Z")


class ExprError(ValueError):
    pass


def _skip_string(expr, i):
    """The index after the string literal that starts at expr[i] (", ' or `)."""
    q = expr[i]
    j = i + 1
    while j < len(expr):
        if expr[j] == "\\" and q != "`":
            j += 2
            continue
        if expr[j] == q:
            return j + 1
        j += 1
    raise ExprError("unterminated string at column %d" % (i + 1))


def _skip_group(expr, i, close):
    """The index after the bracket that closes the one at expr[i] (strings skipped)."""
    opening = expr[i]
    depth = 0
    j = i
    while j < len(expr):
        c = expr[j]
        if c in "\"'`":
            j = _skip_string(expr, j)
            continue
        if c == opening:
            depth += 1
        elif c == close:
            depth -= 1
            if depth == 0:
                return j + 1
        j += 1
    raise ExprError("unclosed %r at column %d" % (opening, i + 1))


def _next_char(expr, i):
    while i < len(expr) and expr[i].isspace():
        i += 1
    return (expr[i] if i < len(expr) else ""), i


def metric_names(expr):
    """The metric names an expression selects, in order, each once.  Skips function and
    aggregation names, keywords, label lists of by/without/on/ignoring/group_left/group_right,
    {label matchers}, [ranges], strings, numbers and durations, Grafana variables ($x, ${x})
    and # comments.  Raises ExprError on unbalanced brackets or strings."""
    names = []
    i = 0
    depth = 0
    while i < len(expr):
        c = expr[i]
        if c.isspace():
            i += 1
        elif c == "#":
            while i < len(expr) and expr[i] != "\n":
                i += 1
        elif c in "\"'`":
            i = _skip_string(expr, i)
        elif c == "{":
            i = _skip_group(expr, i, "}")
        elif c == "[":
            i = _skip_group(expr, i, "]")
        elif c in ")]}":
            if c == ")":
                depth -= 1
                if depth < 0:
                    raise ExprError("unbalanced ')' at column %d" % (i + 1))
            else:
                raise ExprError("unbalanced %r at column %d" % (c, i + 1))
            i += 1
        elif c == "(":
            depth += 1
            i += 1
        elif c == "$":
            i += 1
            if i < len(expr) and expr[i] == "{":
                i = _skip_group(expr, i, "}")
            else:
                m = _IDENT.match(expr, i)
                i = m.end() if m else i
        elif c.isdigit() or (c == "." and i + 1 < len(expr) and expr[i + 1].isdigit()):
            m = _NUMBER.match(expr, i)
            i = m.end()
        elif _IDENT.match(expr, i):
            word = _IDENT.match(expr, i).group(0)
            i += len(word)
            nxt, j = _next_char(expr, i)
            low = word.lower()
            if low in GROUPING:
                if nxt == "(":
                    i = _skip_group(expr, j, ")")
            elif nxt == "(":
                pass  # a function or an aggregation: sum(...)
            elif low in AGGREGATIONS and (_IDENT.match(expr, j) or _DUMMY).group(0).lower() in \
                    ("by", "without"):
                pass  # an aggregation with its grouping first: sum by (x) (...)
            elif low in KEYWORDS:
                pass
            elif word not in names:
                names.append(word)
        else:
            i += 1  # operators, commas, @
    if depth != 0:
        raise ExprError("unclosed '('")
    return names


def grafana_query_names(query):
    """The metric names of a templating query: label_values(SELECTOR, label),
    query_result(EXPR); none for label_values(label), label_names(), metrics(regex)."""
    if isinstance(query, dict):
        query = query.get("query", "")
    q = (query or "").strip()
    m = re.match(r"label_values\((.*),\s*[a-zA-Z_][a-zA-Z0-9_]*\s*\)\Z", q, re.S)
    if m:
        return metric_names(m.group(1))
    m = re.match(r"query_result\((.*)\)\Z", q, re.S)
    if m:
        return metric_names(m.group(1))
    if re.match(r"(label_values|label_names|metrics)\(", q) or q == "":
        return []
    return metric_names(q)


def resolve(name, families):
    """The family a name used in an expression refers to, or None."""
    if name in families or name in ALWAYS_KNOWN:
        return name
    for suffix in ("_bucket", "_sum", "_count"):
        base = name[:-len(suffix)]
        if name.endswith(suffix) and base in families and \
                families[base]["type"] in (("histogram",) if suffix == "_bucket" else
                                           ("histogram", "summary")):
            return base
    return None


def check_expr(expr, families, where):
    try:
        names = metric_names(expr)
    except ExprError as e:
        return ["%s: cannot read expr: %s" % (where, e)], []
    return ["%s: unknown metric %s" % (where, n) for n in names
            if resolve(n, families) is None], names


def check_rules(doc, families):
    """Problems of a rule file (the loaded YAML), and the metric names its exprs use."""
    problems, used = [], []
    if not isinstance(doc, dict) or not isinstance(doc.get("groups"), list):
        return ["rules: no list of groups"], used
    alerts, groups = {}, set()
    for gi, g in enumerate(doc["groups"]):
        gname = g.get("name") if isinstance(g, dict) else None
        if not gname:
            problems.append("rules: group %d has no name" % (gi + 1))
            continue
        if gname in groups:
            problems.append("rules: group %s given twice" % gname)
        groups.add(gname)
        if not isinstance(g.get("rules"), list) or not g["rules"]:
            problems.append("rules: group %s has no rules" % gname)
            continue
        for ri, r in enumerate(g["rules"]):
            where = "rule %s/%s" % (gname, (r or {}).get("alert") or "#%d" % (ri + 1))
            if not isinstance(r, dict):
                problems.append("%s: not a mapping" % where)
                continue
            if "record" in r:
                problems.append("%s: a recording rule (this file holds alerts only)" % where)
                continue
            for k in sorted(set(r) - RULE_KEYS):
                problems.append("%s: unknown key %s" % (where, k))
            name = r.get("alert")
            if not isinstance(name, str) or not re.match(r"[a-zA-Z_][a-zA-Z0-9_]*\Z", name):
                problems.append("%s: alert name missing or invalid" % where)
            elif name in alerts:
                problems.append("%s: alert name %s also in group %s" % (where, name, alerts[name]))
            else:
                alerts[name] = gname
            expr = r.get("expr")
            if not isinstance(expr, str) or not expr.strip():
                problems.append("%s: no expr" % where)
            else:
                p, names = check_expr(expr, families, where)
                problems += p
                used += names
            for key in ("for", "keep_firing_for"):
                if key in r and not (isinstance(r[key], str) and _DURATION.match(r[key])):
                    problems.append("%s: %s: %r is not a duration (such as 2m, 1h30m)" %
                                    (where, key, r[key]))
            labels = r.get("labels")
            if not isinstance(labels, dict) or labels.get("severity") not in SEVERITIES:
                problems.append("%s: labels.severity missing or not one of %s" %
                                (where, "|".join(SEVERITIES)))
            ann = r.get("annotations")
            if not isinstance(ann, dict) or not isinstance(ann.get("summary"), str) or \
                    not ann["summary"].strip():
                problems.append("%s: annotations.summary missing" % where)
    return problems, used


def _panels(panels):
    for p in panels or []:
        yield p
        yield from _panels(p.get("panels"))


def _is_ds_var(ds):
    return ds in ("${DS_PROMETHEUS}", "$DS_PROMETHEUS") or \
        isinstance(ds, dict) and ds.get("uid") in ("${DS_PROMETHEUS}", "$DS_PROMETHEUS")


def check_dashboard(doc, families):
    """Problems of a Grafana dashboard (the loaded JSON), and the metric names it uses."""
    problems, used = [], []
    if doc.get("uid") != "bf-datavideos":
        problems.append("dashboard: uid is %r, not \"bf-datavideos\"" % doc.get("uid"))
    if not isinstance(doc.get("schemaVersion"), int) or doc["schemaVersion"] < 36:
        problems.append("dashboard: schemaVersion %r, not 36 or later" % doc.get("schemaVersion"))
    variables = (doc.get("templating") or {}).get("list") or []
    if not any(v.get("name") == "DS_PROMETHEUS" and v.get("type") == "datasource" and
               v.get("query") == "prometheus" for v in variables):
        problems.append("dashboard: no datasource variable DS_PROMETHEUS (type datasource, "
                        "query prometheus)")
    for v in variables:
        if v.get("type") == "query":
            where = "dashboard variable %s" % v.get("name")
            if not _is_ds_var(v.get("datasource")):
                problems.append("%s: datasource is not ${DS_PROMETHEUS}" % where)
            try:
                names = grafana_query_names(v.get("query") or v.get("definition"))
            except ExprError as e:
                problems.append("%s: cannot read query: %s" % (where, e))
                continue
            used += names
            problems += ["%s: unknown metric %s" % (where, n) for n in names
                         if resolve(n, families) is None]
    ids = {}
    for p in _panels(doc.get("panels")):
        title = p.get("title") or "(untitled)"
        where = "panel %r" % title
        if p.get("id") in ids:
            problems.append("%s: id %r also used by panel %r" % (where, p.get("id"), ids[p["id"]]))
        ids[p.get("id")] = title
        g = p.get("gridPos") or {}
        if not all(isinstance(g.get(k), int) for k in "hwxy") or g["x"] + g["w"] > 24:
            problems.append("%s: gridPos missing or wider than 24 columns" % where)
        if p.get("type") == "row":
            continue
        if not _is_ds_var(p.get("datasource")):
            problems.append("%s: datasource is not ${DS_PROMETHEUS}" % where)
        targets = [t for t in p.get("targets") or [] if isinstance(t, dict)]
        if not any(t.get("expr") for t in targets):
            problems.append("%s: no target with an expr" % where)
        for t in targets:
            if "datasource" in t and not _is_ds_var(t["datasource"]):
                problems.append("%s target %s: datasource is not ${DS_PROMETHEUS}" %
                                (where, t.get("refId")))
            if t.get("expr"):
                p2, names = check_expr(t["expr"], families, "%s target %s" % (where, t.get("refId")))
                problems += p2
                used += names
    return problems, used


def load_families(paths):
    """The union of the families of exposition files; problems for invalid ones."""
    families, problems = {}, []
    for path in paths:
        try:
            text = open(path, encoding="utf-8").read()
        except (OSError, UnicodeDecodeError) as e:
            problems.append("%s: %s" % (path, e))
            continue
        try:
            for name, f in promcheck.parse(text).items():
                if name in families and families[name]["type"] != f["type"]:
                    problems.append("%s: %s is a %s here and a %s in another file" %
                                    (path, name, f["type"], families[name]["type"]))
                families.setdefault(name, f)
        except promcheck.FormatError as e:
            problems += ["%s:%d: %s" % (path, n, msg) for n, msg in e.problems]
    return families, problems


def run_promtool(rules):
    """Problems found by promtool (check rules; test rules when the tests exist), or None
    when promtool is not installed."""
    tool = shutil.which("promtool")
    if tool is None:
        return None
    problems = []
    r = subprocess.run([tool, "check", "rules", rules], capture_output=True, text=True)
    if r.returncode != 0:
        problems.append("promtool check rules %s:\n%s" % (rules, (r.stdout + r.stderr).strip()))
    tests = re.sub(r"\.ya?ml\Z", "", rules) + ".test.yml"
    if os.path.exists(tests):
        r = subprocess.run([tool, "test", "rules", os.path.basename(tests)],
                           capture_output=True, text=True, cwd=os.path.dirname(tests) or ".")
        if r.returncode != 0:
            problems.append("promtool test rules %s:\n%s" % (tests, (r.stdout + r.stderr).strip()))
    return problems


def main(argv):
    import argparse
    if argv == ["--self-test"]:
        return self_test()
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rules", default=RULES)
    ap.add_argument("--dashboard", default=DASHBOARD)
    ap.add_argument("--no-promtool", action="store_true", help="do not run promtool")
    ap.add_argument("metrics", nargs="+", metavar="METRICS_FILE")
    a = ap.parse_args(argv)
    import yaml
    families, problems = load_families(a.metrics)
    try:
        rules = yaml.safe_load(open(a.rules, encoding="utf-8"))
        p, used_r = check_rules(rules, families)
        problems += ["%s: %s" % (a.rules, x) for x in p]
    except (OSError, yaml.YAMLError) as e:
        problems.append("%s: %s" % (a.rules, e))
        used_r = []
    try:
        dash = json.load(open(a.dashboard, encoding="utf-8"))
        p, used_d = check_dashboard(dash, families)
        problems += ["%s: %s" % (a.dashboard, x) for x in p]
    except (OSError, ValueError) as e:
        problems.append("%s: %s" % (a.dashboard, e))
        used_d = []
    note = ""
    if not a.no_promtool:
        p = run_promtool(a.rules)
        if p is None:
            note = "; promtool not installed: PromQL syntax and rule tests not run"
        else:
            problems += p
            note = "; promtool check rules and test rules: ok" if not p else ""
    for x in problems:
        print(x)
    if problems:
        return 1
    unused = sorted(n for n in families if n not in {resolve(u, families) for u in used_r + used_d})
    print("check_ops: ok: %d metric names in the rules, %d in the dashboard, all among %d "
          "families%s%s" % (len(set(used_r)), len(set(used_d)), len(families),
                            "; not shown anywhere: " + ", ".join(unused) if unused else "", note))
    return 0


# --self-test -------------------------------------------------------------------------------

_METRICS = """\
# TYPE bf_messages_total counter
bf_messages_total{type="render",outcome="done"} 1
# TYPE bf_broker_connected gauge
bf_broker_connected 1
# TYPE bf_batch_duration_seconds histogram
bf_batch_duration_seconds_bucket{le="+Inf"} 1
bf_batch_duration_seconds_sum 1
bf_batch_duration_seconds_count 1
# TYPE bf_build_info gauge
bf_build_info{program="bf-lineups",version="1"} 1
# TYPE process_resident_memory_bytes gauge
process_resident_memory_bytes 1
"""


def _rule(**kw):
    r = {"alert": "BfX", "expr": "bf_broker_connected == 0", "for": "2m",
         "labels": {"severity": "critical"}, "annotations": {"summary": "x {{ $labels.instance }}"}}
    r.update(kw)
    return {k: v for k, v in r.items() if v is not None}


def _dash(exprs, **kw):
    ds = {"type": "prometheus", "uid": "${DS_PROMETHEUS}"}
    d = {"uid": "bf-datavideos", "schemaVersion": 39,
         "templating": {"list": [{"name": "DS_PROMETHEUS", "type": "datasource", "query": "prometheus"},
                                 {"name": "instance", "type": "query", "datasource": ds,
                                  "query": {"query": "label_values(bf_build_info, instance)"}}]},
         "panels": [{"type": "row", "id": 1, "title": "r", "gridPos": {"h": 1, "w": 24, "x": 0, "y": 0},
                     "panels": []}] +
                   [{"type": "timeseries", "id": i + 2, "title": "p%d" % i, "datasource": ds,
                     "gridPos": {"h": 8, "w": 12, "x": 0, "y": 1 + 8 * i},
                     "targets": [{"refId": "A", "expr": e, "datasource": ds}]}
                    for i, e in enumerate(exprs)]}
    d.update(kw)
    return d


def self_test():
    passed = failed = 0

    def report(ok, name, detail=None):
        nonlocal passed, failed
        if ok:
            passed += 1
            print("ok - check_ops: %s" % name)
        else:
            failed += 1
            print("not ok - check_ops: %s" % name)
            for d in str(detail or "").splitlines():
                print("#   %s" % d)

    fams = promcheck.parse(_METRICS)
    # the extractor
    cases = [
        ("bf_broker_connected == 0", ["bf_broker_connected"]),
        ('sum by (type, outcome) (rate(bf_messages_total{type=~"a|b", job="x y"}[5m]))',
         ["bf_messages_total"]),
        ("histogram_quantile(0.95, sum by (le, type) (rate(bf_batch_duration_seconds_bucket"
         "[$__rate_interval])))", ["bf_batch_duration_seconds_bucket"]),
        ("time() - max(a_ts and on (job, instance) (b_active == 1)) > 15 * 60",
         ["a_ts", "b_active"]),
        ("x * on (job, instance) group_left (program, version) y offset 1h30m > 2.5e3",
         ["x", "y"]),
        ("x * ignoring(le) group_right y unless z or bool_thing", ["x", "y", "z", "bool_thing"]),
        ("sum without (instance) (x) / count(y) by (job) + max by(a)(z)", ["x", "y", "z"]),
        ('label_replace(x, "dst", "$1", "src", "(.*)") or vector(1) + absent(q{a="}"})',
         ["x", "q"]),
        ("topk(5, x) # a comment naming not_a_metric\n + y", ["x", "y"]),
        ("x @ start() + y[5m:1m] + {__name__=\"ignored\"} + NaN + Inf - 0x1f", ["x", "y"]),
        ("sum by (le) (rate(x[${__range}])) > $threshold", ["x"]),
        ("x == bool 1 and on() y", ["x", "y"]),
    ]
    for expr, want in cases:
        try:
            got = metric_names(expr)
        except ExprError as e:
            got = "error: %s" % e
        report(got == want, "metric_names(%r) == %r" % (expr[:50], want), "got %r" % (got,))
    for expr in ("sum(x", "x{a=\"b\"", "x[5m", "x)", 'x{a="b}'):
        try:
            metric_names(expr)
            report(False, "metric_names(%r) raises" % expr)
        except ExprError:
            report(True, "metric_names(%r) raises" % expr)
    report(grafana_query_names({"query": "label_values(bf_build_info{a=\"b\"}, instance)"}) ==
           ["bf_build_info"] and grafana_query_names("label_values(instance)") == [],
           "templating queries: label_values(selector, label) and label_values(label)")
    report(resolve("bf_batch_duration_seconds_bucket", fams) == "bf_batch_duration_seconds" and
           resolve("bf_batch_duration_seconds_count", fams) == "bf_batch_duration_seconds" and
           resolve("up", fams) == "up" and resolve("bf_messages_total_count", fams) is None and
           resolve("bf_broker_connected_sum", fams) is None,
           "histogram suffixes resolve to their family, other suffixes do not")

    # rules
    def rules(*rs, groups=None):
        return {"groups": groups or [{"name": "g", "rules": list(rs)}]}

    def rule_case(name, doc, want):
        probs, _ = check_rules(doc, fams)
        if want is None:
            report(not probs, name, probs)
        else:
            report(any(want in p for p in probs), name, "expected %r in %r" % (want, probs))

    rule_case("a valid rule passes", rules(_rule(), _rule(
        alert="BfY", expr="rate(bf_messages_total[5m]) > 0 or up{job=~\"bf.*\"} == 0",
        **{"for": None})), None)
    rule_case("an expr with an unknown metric fails",
              rules(_rule(expr="bf_broker_conected == 0")), "unknown metric bf_broker_conected")
    rule_case("an unknown metric names its rule",
              rules(_rule(alert="BfZ", expr="sum(rate(bf_nothing_total[5m])) > 0")),
              "rule g/BfZ: unknown metric bf_nothing_total")
    rule_case("a histogram suffix of a gauge fails",
              rules(_rule(expr="bf_broker_connected_count > 0")), "unknown metric")
    rule_case("an unbalanced expr fails", rules(_rule(expr="sum(bf_broker_connected")),
              "cannot read expr")
    rule_case("no severity fails", rules(_rule(labels={"team": "x"})), "labels.severity")
    rule_case("an unknown severity fails", rules(_rule(labels={"severity": "page"})),
              "labels.severity")
    rule_case("no summary fails", rules(_rule(annotations={"description": "x"})),
              "annotations.summary")
    rule_case("no expr fails", rules(_rule(expr=None)), "no expr")
    rule_case("no alert name fails", rules(_rule(alert=None)), "alert name")
    rule_case("a bad for fails", rules(_rule(**{"for": "2 minutes"})), "not a duration")
    rule_case("a for without unit fails", rules(_rule(**{"for": 120})), "not a duration")
    rule_case("an unknown key fails", rules(_rule(fore="2m")), "unknown key fore")
    rule_case("a duplicate alert name fails", rules(_rule(), _rule()), "alert name BfX also")
    rule_case("a duplicate alert name in two groups fails",
              rules(groups=[{"name": "a", "rules": [_rule()]}, {"name": "b", "rules": [_rule()]}]),
              "also in group a")
    rule_case("a duplicate group name fails",
              rules(groups=[{"name": "a", "rules": [_rule()]},
                            {"name": "a", "rules": [_rule(alert="BfY")]}]), "given twice")
    rule_case("no groups fails", {"rules": []}, "no list of groups")

    # dashboard
    def dash_case(name, doc, want):
        probs, _ = check_dashboard(doc, fams)
        if want is None:
            report(not probs, name, probs)
        else:
            report(any(want in p for p in probs), name, "expected %r in %r" % (want, probs))

    dash_case("a valid dashboard passes", _dash([
        'sum by (type) (rate(bf_messages_total{instance=~"$instance"}[$__rate_interval]))',
        "histogram_quantile(0.5, sum by (le) (rate(bf_batch_duration_seconds_bucket[5m])))",
        "process_resident_memory_bytes * on (job, instance) group_left (program) bf_build_info"]),
        None)
    dash_case("a panel with an unknown metric fails",
              _dash(["rate(bf_messages_total[5m])", "bf_queue_depth"]),
              "panel 'p1' target A: unknown metric bf_queue_depth")
    d = _dash(["bf_broker_connected"])
    d["templating"]["list"][1]["query"] = {"query": "label_values(bf_nothing, instance)"}
    dash_case("a templating query with an unknown metric fails", d, "unknown metric bf_nothing")
    dash_case("another uid fails", _dash(["bf_broker_connected"], uid="x"), "uid")
    dash_case("an old schemaVersion fails", _dash(["bf_broker_connected"], schemaVersion=30),
              "schemaVersion")
    d = _dash(["bf_broker_connected"])
    d["templating"]["list"] = d["templating"]["list"][1:]
    dash_case("no DS_PROMETHEUS variable fails", d, "DS_PROMETHEUS")
    d = _dash(["bf_broker_connected"])
    d["panels"][1]["datasource"] = {"type": "prometheus", "uid": "abc123"}
    dash_case("a panel with a fixed datasource fails", d, "datasource is not")
    d = _dash(["bf_broker_connected", "bf_broker_connected"])
    d["panels"][2]["id"] = d["panels"][1]["id"]
    dash_case("a duplicate panel id fails", d, "also used by panel")
    d = _dash(["bf_broker_connected"])
    d["panels"][1]["targets"] = []
    dash_case("a panel without an expr fails", d, "no target with an expr")
    d = _dash(["bf_broker_connected"])
    d["panels"][0]["panels"] = [dict(d["panels"][1], id=99, targets=[{"refId": "B", "expr": "bf_gone"}])]
    dash_case("a panel inside a collapsed row is checked", d, "unknown metric bf_gone")

    # the command line on files: the fixture passes, an unknown metric fails
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        import yaml
        m = os.path.join(tmp, "m.txt")
        open(m, "w").write(_METRICS)
        r_ok, r_bad, dsh = (os.path.join(tmp, f) for f in ("ok.yml", "bad.yml", "d.json"))
        yaml.safe_dump(rules(_rule()), open(r_ok, "w"))
        yaml.safe_dump(rules(_rule(alert="BfUnknown", expr="bf_unknown_metric > 1")), open(r_bad, "w"))
        json.dump(_dash(["bf_broker_connected"]), open(dsh, "w"))
        me = [sys.executable, os.path.abspath(__file__), "--no-promtool", "--dashboard", dsh]
        r = subprocess.run(me + ["--rules", r_ok, m], capture_output=True, text=True)
        report(r.returncode == 0 and "check_ops: ok" in r.stdout, "command line: valid files exit 0",
               r.stdout + r.stderr)
        r = subprocess.run(me + ["--rules", r_bad, m], capture_output=True, text=True)
        report(r.returncode == 1 and "rule g/BfUnknown: unknown metric bf_unknown_metric" in r.stdout,
               "command line: a rule with an unknown metric exits 1 naming the rule",
               r.stdout + r.stderr)
        bad_m = os.path.join(tmp, "bad.txt")
        open(bad_m, "w").write("# TYPE x counter\nx 1\n")
        r = subprocess.run(me + ["--rules", r_ok, m, bad_m], capture_output=True, text=True)
        report(r.returncode == 1 and "bad.txt:2: counter sample x" in r.stdout,
               "command line: an invalid metrics file exits 1", r.stdout + r.stderr)
    print("check_ops self-test: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
