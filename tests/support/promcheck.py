#!/usr/bin/env python3
"""promcheck: a strict checker of the Prometheus text exposition format, version 0.0.4.

Usage:
    promcheck.py FILE...        check each file ("-" = standard input)
    promcheck.py --self-test    run the built-in cases (TAP-like "ok - ..." lines)

Exit 0 and one summary line per file when every file is valid; otherwise each problem as
FILE:LINE: message (line 0 = the file as a whole) and exit 1.

As a module:
    import promcheck
    fams = promcheck.parse(text)          # raises promcheck.FormatError (a ValueError)
    fams["bf_messages_total"] == {"type": "counter", "help": "...",
                                  "samples": [("bf_messages_total", {"type": ...}, 3.0), ...]}
    problems = promcheck.check(text)      # [(line, message), ...], [] when valid

What is checked (https://prometheus.io/docs/instrumenting/exposition_formats/):
  - the text is UTF-8 and ends with a newline; no carriage returns;
  - each line is blank, "# HELP name text", "# TYPE name counter|gauge|histogram|summary|untyped",
    another comment, or a sample: name[{label="value",...}] value [timestamp];
  - metric names [a-zA-Z_:][a-zA-Z0-9_:]*, label names [a-zA-Z_][a-zA-Z0-9_]* (not "__..."),
    no label twice in one sample; label values double-quoted with only the escapes \\ \" \n;
    HELP text with only the escapes \\ \n;
  - values as Go's strconv.ParseFloat takes them (decimal, hex with p exponent, Inf, +Inf, -Inf,
    Infinity, NaN in any case), in range; timestamps int64 milliseconds;
  - at most one HELP and one TYPE per family, the TYPE before the family's first sample; a
    family's lines (HELP, TYPE, samples) contiguous; no series (name and label set) twice;
  - counters: sample names end in _total (or _created), values >= 0;
  - histograms: only name_bucket (with le), name_sum, name_count (without le); per label set the
    buckets cumulative in le order, a le="+Inf" bucket equal to _count, _sum and _count present;
  - summaries: only name (with quantile in [0, 1]), name_sum, name_count; _sum and _count present.
Python 3 standard library only.
"""

import math
import re
import sys

METRIC_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*\Z")
LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*\Z")
TYPES = ("counter", "gauge", "histogram", "summary", "untyped")
_NAME_AT = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
_LABEL_AT = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
_BLANK = " \t"
# Go's strconv.ParseFloat (bitSize 64), without the digit-separating underscores it takes only
# after a base prefix (0x1_0p0), which no exposition writer emits.
_GO_DEC = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\Z")
_GO_HEX = re.compile(r"[+-]?0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)[pP][+-]?[0-9]+\Z")
_GO_INF = re.compile(r"[+-]?(?:inf|infinity)\Z", re.IGNORECASE)
_GO_NAN = re.compile(r"nan\Z", re.IGNORECASE)
_TIMESTAMP = re.compile(r"[+-]?[0-9]+\Z")


class FormatError(ValueError):
    """The text is not valid exposition format; .problems is [(line, message), ...]."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__("; ".join("line %d: %s" % p for p in problems[:5]) +
                         (" (and %d more)" % (len(problems) - 5) if len(problems) > 5 else ""))


def go_float(text):
    """The float Go's strconv.ParseFloat(text, 64) returns, or None where it fails."""
    if _GO_NAN.match(text):
        return math.nan
    if _GO_INF.match(text):
        return -math.inf if text.startswith("-") else math.inf
    try:
        if _GO_DEC.match(text):
            v = float(text)
        elif _GO_HEX.match(text):
            v = float.fromhex(text)
        else:
            return None
    except (ValueError, OverflowError):
        return None
    if math.isinf(v):
        return None  # out of range: ParseFloat returns ErrRange
    return v


def _fmt(v):
    return repr(v) if not math.isnan(v) else "NaN"


class _Line:
    """A cursor over one line."""

    def __init__(self, text):
        self.s = text
        self.i = 0

    def blanks(self):
        while self.i < len(self.s) and self.s[self.i] in _BLANK:
            self.i += 1

    def peek(self):
        return self.s[self.i] if self.i < len(self.s) else ""

    def token(self):
        """The text up to the next blank or the end."""
        start = self.i
        while self.i < len(self.s) and self.s[self.i] not in _BLANK:
            self.i += 1
        return self.s[start:self.i]

    def match(self, rx):
        m = rx.match(self.s, self.i)
        if m is None:
            return None
        self.i = m.end()
        return m.group(0)


def _unescape(raw, allowed):
    """raw with its escapes resolved; None and the bad escape if one is not in allowed."""
    out, i = [], 0
    while i < len(raw):
        c = raw[i]
        if c == "\\":
            if i + 1 >= len(raw) or raw[i + 1] not in allowed:
                return None, raw[i:i + 2]
            out.append("\n" if raw[i + 1] == "n" else raw[i + 1])
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out), None


def _parse_sample(line):
    """(name, [(label, value), ...], value_text, timestamp_text) or raises ValueError(message)."""
    c = _Line(line)
    c.blanks()
    name = c.match(_NAME_AT)
    if not name:
        raise ValueError("not a sample, comment or blank line: %r" % line[:60])
    labels = []
    after_name = c.i
    c.blanks()
    if c.peek() != "{" and c.i == after_name and c.i < len(c.s):
        raise ValueError("no blank between %s and its value" % name)
    if c.peek() == "{":
        c.i += 1
        while True:
            c.blanks()
            if c.peek() == "}":
                c.i += 1
                break
            lname = c.match(_LABEL_AT)
            if not lname:
                raise ValueError("invalid label name at column %d of %s" % (c.i + 1, name))
            c.blanks()
            if c.peek() != "=":
                raise ValueError("expected '=' after label name %s of %s" % (lname, name))
            c.i += 1
            c.blanks()
            if c.peek() != '"':
                raise ValueError("label %s of %s: value not double-quoted" % (lname, name))
            c.i += 1
            start = c.i
            while c.i < len(c.s) and c.s[c.i] != '"':
                c.i += 2 if c.s[c.i] == "\\" else 1
            if c.i >= len(c.s):
                raise ValueError("label %s of %s: unterminated value" % (lname, name))
            value, bad = _unescape(c.s[start:c.i], '\\"n')
            if value is None:
                raise ValueError("label %s of %s: invalid escape %r (only \\\\ \\\" \\n)" %
                                 (lname, name, bad))
            c.i += 1
            labels.append((lname, value))
            c.blanks()
            if c.peek() == ",":
                c.i += 1
            elif c.peek() != "}":
                raise ValueError("expected ',' or '}' after label %s of %s" % (lname, name))
        if c.i < len(c.s) and c.s[c.i] not in _BLANK:
            raise ValueError("no blank between the labels of %s and its value" % name)
    c.blanks()
    value = c.token()
    if not value:
        raise ValueError("sample %s has no value" % name)
    c.blanks()
    ts = c.token()
    c.blanks()
    if c.i < len(c.s):
        raise ValueError("unexpected text after the timestamp of %s: %r" % (name, c.s[c.i:][:30]))
    return name, labels, value, ts or None


def _family_of(name, types):
    """The family a sample name belongs to, given the declared types {family: (type, line)}."""
    if name in types:
        return name
    for suffix, kinds in (("_bucket", ("histogram",)), ("_sum", ("histogram", "summary")),
                          ("_count", ("histogram", "summary")), ("_created", ("counter",))):
        if name.endswith(suffix):
            base = name[:-len(suffix)]
            if base in types and types[base][0] in kinds:
                return base
            if suffix == "_created" and base + "_total" in types and \
                    types[base + "_total"][0] == "counter":
                return base + "_total"
    return name


def _analyse(text):
    """(families, problems): the families as parse() returns them and [(line, message), ...]."""
    problems = []
    families = {}

    def problem(n, msg):
        problems.append((n, msg))

    if text and not text.endswith("\n"):
        problem(text.count("\n") + 1, "the text does not end with a newline")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()

    # pass 1: the HELP and TYPE lines (a sample's family depends on the declared types)
    types, helps, meta = {}, {}, {}  # meta: line number -> (kind, name, payload)
    for n, line in enumerate(lines, 1):
        if "\r" in line:
            problem(n, "carriage return in the line (lines end with \\n only)")
            line = line.replace("\r", "")
            lines[n - 1] = line
        c = _Line(line)
        c.blanks()
        if c.peek() != "#":
            continue
        c.i += 1
        c.blanks()
        kw = c.token()
        if kw not in ("HELP", "TYPE"):
            continue
        c.blanks()
        name = c.token()
        if not name:
            problem(n, "# %s without a metric name" % kw)
            continue
        if not METRIC_NAME.match(name):
            problem(n, "invalid metric name %r in # %s" % (name, kw))
            continue
        if kw == "HELP":
            c.blanks()
            doc, bad = _unescape(c.s[c.i:], "\\n")
            if doc is None:
                problem(n, "HELP text of %s: invalid escape %r (only \\\\ \\n)" % (name, bad))
                doc = c.s[c.i:]
            if name in helps:
                problem(n, "second HELP for %s (first at line %d)" % (name, helps[name][1]))
                continue
            helps[name] = (doc, n)
            meta[n] = ("HELP", name)
        else:
            c.blanks()
            typ = c.token()
            c.blanks()
            if typ not in TYPES:
                problem(n, "TYPE of %s is %r, not one of %s" % (name, typ, "|".join(TYPES)))
                continue
            if c.i < len(c.s):
                problem(n, "unexpected text after # TYPE %s %s" % (name, typ))
                continue
            if name in types:
                problem(n, "second TYPE for %s (first at line %d)" % (name, types[name][1]))
                continue
            types[name] = (typ, n)
            meta[n] = ("TYPE", name)
    # a family whose sample names could be another family's ("a" histogram, "a_sum" gauge)
    for fam, (typ, n) in sorted(types.items(), key=lambda kv: kv[1][1]):
        owner = _family_of(fam, {k: v for k, v in types.items() if k != fam})
        if owner != fam:
            problem(n, "family %s clashes with the samples of %s family %s" %
                    (fam, types[owner][0], owner))

    # pass 2: samples, in order
    seen_series = {}  # (name, frozenset(labels)) -> line
    first_sample = {}  # family -> line
    closed = set()  # families whose block has ended
    current = None
    for n, line in enumerate(lines, 1):
        stripped = line.strip(_BLANK)
        if stripped == "":
            continue
        if stripped.startswith("#"):
            if n in meta:
                fam = meta[n][1]
                if fam != current:
                    if current is not None:
                        closed.add(current)
                    if fam in closed:
                        problem(n, "# %s %s: the family's lines are not together (it appeared "
                                "before line %d, then another family)" % (meta[n][0], fam, n))
                    current = fam
            continue
        try:
            name, labels, vtext, ts = _parse_sample(line)
        except ValueError as e:
            problem(n, str(e))
            continue
        fam = _family_of(name, types)
        if fam != current:
            if current is not None:
                closed.add(current)
            if fam in closed:
                problem(n, "%s: the samples of family %s are not together (interleaved with "
                        "another family)" % (name, fam))
            current = fam
        if fam not in first_sample:
            first_sample[fam] = n
            if fam in types and types[fam][1] > n:
                problem(types[fam][1], "TYPE of %s after its first sample (line %d)" % (fam, n))
        typ = types[fam][0] if fam in types else "untyped"
        names = [k for k, _ in labels]
        dup = sorted({k for k in names if names.count(k) > 1})
        if dup:
            problem(n, "%s: label %s given twice" % (name, ", ".join(dup)))
        for k in names:
            if k.startswith("__"):
                problem(n, "%s: label name %s is reserved (starts with __)" % (name, k))
        value = go_float(vtext)
        if value is None:
            problem(n, "%s: value %r is not a float (Go ParseFloat)" % (name, vtext))
            continue
        if ts is not None:
            if not _TIMESTAMP.match(ts) or not -2**63 <= int(ts) < 2**63:
                problem(n, "%s: timestamp %r is not an int64 of milliseconds" % (name, ts))
        lab = dict(labels)
        key = (name, frozenset(lab.items()))
        if key in seen_series:
            problem(n, "%s%s: series given twice (first at line %d)" %
                    (name, _labels_text(lab), seen_series[key]))
        else:
            seen_series[key] = n
        if typ == "counter":
            if not (name.endswith("_total") or name.endswith("_created")):
                problem(n, "counter sample %s: name does not end in _total" % name)
            if not value >= 0:
                problem(n, "counter %s: value %s is not >= 0" % (name, _fmt(value)))
        elif typ == "histogram":
            if name == fam + "_bucket":
                if "le" not in lab:
                    problem(n, "histogram bucket %s without an le label" % name)
                elif go_float(lab["le"]) is None or math.isnan(go_float(lab["le"])):
                    problem(n, "histogram bucket %s: le=%r is not a number" % (name, lab["le"]))
            elif name in (fam + "_sum", fam + "_count"):
                if "le" in lab:
                    problem(n, "%s has an le label (only _bucket samples do)" % name)
            else:
                problem(n, "%s is not a sample of histogram %s (_bucket, _sum, _count)" %
                        (name, fam))
            if name != fam + "_sum" and not value >= 0:
                problem(n, "histogram %s: value %s is not >= 0" % (name, _fmt(value)))
        elif typ == "summary":
            if name == fam:
                if "quantile" not in lab:
                    problem(n, "summary sample %s without a quantile label" % name)
                else:
                    q = go_float(lab["quantile"])
                    if q is None or not 0 <= q <= 1:
                        problem(n, "summary %s: quantile=%r is not in [0, 1]" %
                                (name, lab["quantile"]))
            elif name in (fam + "_sum", fam + "_count"):
                if "quantile" in lab:
                    problem(n, "%s has a quantile label" % name)
            else:
                problem(n, "%s is not a sample of summary %s" % (name, fam))
            if name == fam + "_count" and not value >= 0:
                problem(n, "summary %s: value %s is not >= 0" % (name, _fmt(value)))
        f = families.setdefault(fam, {"type": typ, "help": None, "samples": [], "_lines": []})
        f["samples"].append((name, lab, value))
        f["_lines"].append(n)

    # families declared but without samples
    for fam, (typ, _) in types.items():
        families.setdefault(fam, {"type": typ, "help": None, "samples": [], "_lines": []})
    for fam, (doc, _) in helps.items():
        families.setdefault(fam, {"type": "untyped", "help": None, "samples": [], "_lines": []})
        families[fam]["help"] = doc

    for fam, f in families.items():
        if f["type"] == "histogram":
            _check_histogram(fam, f, problem)
        elif f["type"] == "summary":
            _check_summary(fam, f, problem)
    for f in families.values():
        del f["_lines"]
    problems.sort(key=lambda p: p[0])
    return families, problems


def _labels_text(lab):
    if not lab:
        return ""
    return "{" + ",".join('%s="%s"' % (k, lab[k]) for k in sorted(lab)) + "}"


def _check_histogram(fam, f, problem):
    groups = {}  # label set without le -> {"buckets": [(le, value, line)], "sum":, "count":}
    for (name, lab, value), n in zip(f["samples"], f["_lines"]):
        rest = frozenset((k, v) for k, v in lab.items() if k != "le")
        g = groups.setdefault(rest, {"buckets": [], "sum": None, "count": None, "line": n})
        if name == fam + "_bucket" and "le" in lab:
            le = go_float(lab["le"])
            if le is not None and not math.isnan(le):
                g["buckets"].append((le, value, n, lab["le"]))
        elif name == fam + "_sum":
            g["sum"] = (value, n)
        elif name == fam + "_count":
            g["count"] = (value, n)
    for rest, g in groups.items():
        where = fam + _labels_text(dict(rest))
        buckets = sorted(g["buckets"], key=lambda b: b[0])
        for a, b in zip(buckets, buckets[1:]):
            if a[0] == b[0]:
                problem(b[2], "histogram %s: bucket le=%r given twice (le=%r at line %d)" %
                        (where, b[3], a[3], a[2]))
            elif b[1] < a[1]:
                problem(b[2], "histogram %s: bucket le=%r (%s) is less than bucket le=%r (%s): "
                        "buckets are cumulative" % (where, b[3], _fmt(b[1]), a[3], _fmt(a[1])))
        inf = [b for b in buckets if b[0] == math.inf]
        if not inf:
            problem(g["line"], "histogram %s has no le=\"+Inf\" bucket" % where)
        if g["sum"] is None:
            problem(g["line"], "histogram %s has no %s_sum" % (where, fam))
        if g["count"] is None:
            problem(g["line"], "histogram %s has no %s_count" % (where, fam))
        if inf and g["count"] is not None and inf[0][1] != g["count"][0]:
            problem(g["count"][1], "histogram %s: _count %s differs from the +Inf bucket %s" %
                    (where, _fmt(g["count"][0]), _fmt(inf[0][1])))


def _check_summary(fam, f, problem):
    groups = {}
    for (name, lab, value), n in zip(f["samples"], f["_lines"]):
        rest = frozenset((k, v) for k, v in lab.items() if k != "quantile")
        g = groups.setdefault(rest, {"sum": False, "count": False, "line": n})
        if name == fam + "_sum":
            g["sum"] = True
        elif name == fam + "_count":
            g["count"] = True
    for rest, g in groups.items():
        for part in ("sum", "count"):
            if not g[part]:
                problem(g["line"], "summary %s%s has no %s_%s" %
                        (fam, _labels_text(dict(rest)), fam, part))


def check(text):
    """The problems of an exposition text: [(line, message), ...], [] when it is valid."""
    return _analyse(text)[1]


def parse(text):
    """The families of a valid exposition text: {family: {"type", "help", "samples":
    [(sample_name, {label: value}, float)]}}.  Raises FormatError when the text is invalid."""
    families, problems = _analyse(text)
    if problems:
        raise FormatError(problems)
    return families


def _read(path):
    data = sys.stdin.buffer.read() if path == "-" else open(path, "rb").read()
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as e:
        return None, (data[:e.start].count(b"\n") + 1, "not UTF-8 (byte %d)" % e.start)


def main(argv):
    if argv == ["--self-test"]:
        return self_test()
    if not argv or any(a in ("-h", "--help") for a in argv):
        print(__doc__.split("\n\n")[1].strip(), file=sys.stderr if not argv else sys.stdout)
        return 2 if not argv else 0
    bad = 0
    for path in argv:
        shown = "<stdin>" if path == "-" else path
        try:
            text, err = _read(path)
        except OSError as e:
            print("%s:0: %s" % (shown, e.strerror))
            bad += 1
            continue
        if err is not None:
            print("%s:%d: %s" % (shown, err[0], err[1]))
            bad += 1
            continue
        families, problems = _analyse(text)
        for n, msg in problems:
            print("%s:%d: %s" % (shown, n, msg))
        if problems:
            bad += 1
        else:
            nsamples = sum(len(f["samples"]) for f in families.values())
            kinds = {}
            for f in families.values():
                kinds[f["type"]] = kinds.get(f["type"], 0) + 1
            print("%s: valid, %d families (%s), %d samples" %
                  (shown, len(families), ", ".join("%d %s" % (kinds[k], k) for k in sorted(kinds)),
                   nsamples))
    return 1 if bad else 0


# --self-test -------------------------------------------------------------------------------

_VALID = """\
# HELP bf_messages_total Work messages handled.\\nSecond line, a backslash \\\\.
# TYPE bf_messages_total counter
bf_messages_total{type="line-up",outcome="done"} 3
bf_messages_total{type="line-up",outcome="retry",} 0 1700000000000
bf_messages_total_created{type="line-up",outcome="done"} 1.7e9
# TYPE bf_broker_connected gauge
bf_broker_connected 1
# a comment
#another comment

# TYPE bf_temp gauge
bf_temp{a="x \\"q\\" \\\\ \\n"} -Inf
bf_temp{a="y"} NaN
bf_temp{a="z"} +inf
bf_temp{a="w"} 0x1p-2
bf_temp { a = "v" , b="" } .5e-3   -12
# HELP bf_batch_duration_seconds Batch time.
# TYPE bf_batch_duration_seconds histogram
bf_batch_duration_seconds_bucket{type="render",le="0.1"} 1
bf_batch_duration_seconds_bucket{type="render",le="1"} 4
bf_batch_duration_seconds_bucket{type="render",le="+Inf"} 5
bf_batch_duration_seconds_sum{type="render"} 7.25
bf_batch_duration_seconds_count{type="render"} 5
bf_batch_duration_seconds_bucket{type="result",le="1.0"} 0
bf_batch_duration_seconds_bucket{type="result",le="+Inf"} 0
bf_batch_duration_seconds_sum{type="result"} 0
bf_batch_duration_seconds_count{type="result"} 0
# TYPE rpc_seconds summary
rpc_seconds{quantile="0.5"} 0.1
rpc_seconds{quantile="0.99"} 0.9
rpc_seconds_sum 10
rpc_seconds_count 40
# TYPE bf_empty_total counter
untyped_thing 1
# HELP up_ish no type
up_ish{x="1"} 2
"""

# (case name, text, a piece of the expected message); each rule can fail
_INVALID = [
    ("no final newline", "# TYPE a gauge\na 1", "does not end with a newline"),
    ("carriage return", "# TYPE a gauge\r\na 1\n", "carriage return"),
    ("garbage line", "# TYPE a gauge\na 1\n-- x\n", "not a sample"),
    ("metric name with a dash", "bf-x 1\n", "no blank between"),
    ("metric name starting with a digit", "1abc 1\n", "not a sample"),
    ("invalid metric name in TYPE", "# TYPE a-b gauge\n", "invalid metric name"),
    ("HELP without a name", "# HELP\n", "without a metric name"),
    ("TYPE without a type", "# TYPE a\na 1\n", "not one of"),
    ("unknown type", "# TYPE a meter\na 1\n", "not one of"),
    ("TYPE with extra text", "# TYPE a gauge extra\na 1\n", "unexpected text after # TYPE"),
    ("invalid label name", 'a{1x="y"} 1\n', "invalid label name"),
    ("label name with a colon", 'a{x:y="y"} 1\n', "expected '='"),
    ("reserved label name", 'a{__x="y"} 1\n', "reserved"),
    ("label given twice", 'a{x="1",x="2"} 1\n', "given twice"),
    ("label value single-quoted", "a{x='y'} 1\n", "not double-quoted"),
    ("label value unquoted", "a{x=y} 1\n", "not double-quoted"),
    ("label value unterminated", 'a{x="y} 1\n', "unterminated"),
    ("label value bad escape", 'a{x="\\t"} 1\n', "invalid escape"),
    ("labels not closed", 'a{x="y" 1\n', "expected ','"),
    ("no blank after the labels", 'a{x="y"}1\n', "no blank between the labels"),
    ("HELP bad escape", "# HELP a x\\ty\na 1\n", "invalid escape"),
    ("value missing", "a\n", "has no value"),
    ("value not a float", "a one\n", "not a float"),
    ("value with a comma", "a 1,5\n", "not a float"),
    ("value Inf without sign but hex without p", "a 0x10\n", "not a float"),
    ("value out of range", "a 1e999\n", "not a float"),
    ("value signed NaN", "a -NaN\n", "not a float"),
    ("timestamp not an integer", "a 1 1.5\n", "timestamp"),
    ("timestamp beyond int64", "a 1 99999999999999999999\n", "timestamp"),
    ("text after the timestamp", "a 1 2 3\n", "unexpected text"),
    ("second HELP", "# HELP a x\n# HELP a y\na 1\n", "second HELP"),
    ("second TYPE", "# TYPE a gauge\n# TYPE a gauge\na 1\n", "second TYPE"),
    ("TYPE after the first sample", "a 1\n# TYPE a gauge\n", "after its first sample"),
    ("samples interleaved", "# TYPE a gauge\n# TYPE b gauge\na{x=\"1\"} 1\nb 1\na{x=\"2\"} 1\n",
     "not together"),
    ("HELP of a closed family", "# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\n# HELP a late\n",
     "not together"),
    ("duplicate series", "# TYPE a gauge\na{x=\"1\",y=\"2\"} 1\na{y=\"2\",x=\"1\"} 2\n",
     "series given twice"),
    ("duplicate series without labels", "a 1\na 2\n", "series given twice"),
    ("counter name without _total", "# TYPE bf_reqs counter\nbf_reqs 1\n", "does not end in _total"),
    ("counter negative", "# TYPE a_total counter\na_total -1\n", "not >= 0"),
    ("counter NaN", "# TYPE a_total counter\na_total NaN\n", "not >= 0"),
    ("bucket without le", "# TYPE h histogram\nh_bucket 1\nh_bucket{le=\"+Inf\"} 1\n"
     "h_sum 1\nh_count 1\n", "without an le label"),
    ("bucket le not a number", "# TYPE h histogram\nh_bucket{le=\"big\"} 1\n"
     "h_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n", "is not a number"),
    ("buckets not cumulative", "# TYPE h histogram\nh_bucket{le=\"1\"} 5\nh_bucket{le=\"2\"} 3\n"
     "h_bucket{le=\"+Inf\"} 5\nh_sum 1\nh_count 5\n", "cumulative"),
    ("buckets not cumulative out of order", "# TYPE h histogram\nh_bucket{le=\"2\"} 3\n"
     "h_bucket{le=\"1\"} 5\nh_bucket{le=\"+Inf\"} 5\nh_sum 1\nh_count 5\n", "cumulative"),
    ("bucket le twice", "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"1.0\"} 1\n"
     "h_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n", "given twice"),
    ("no +Inf bucket", "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n",
     "no le=\"+Inf\" bucket"),
    ("+Inf bucket differs from _count", "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\n"
     "h_sum 1\nh_count 3\n", "differs from the +Inf bucket"),
    ("histogram without _sum", "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_count 2\n",
     "has no h_sum"),
    ("histogram without _count", "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 2\n",
     "has no h_count"),
    ("histogram _count only, other label set", "# TYPE h histogram\n"
     "h_bucket{t=\"a\",le=\"+Inf\"} 2\nh_sum{t=\"a\"} 2\nh_count{t=\"a\"} 2\nh_count{t=\"b\"} 1\n",
     "no le=\"+Inf\" bucket"),
    ("histogram bare sample", "# TYPE h histogram\nh 1\n", "not a sample of histogram"),
    ("histogram _sum with le", "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 1\n"
     "h_sum{le=\"+Inf\"} 1\nh_count 1\n", "has an le label"),
    ("summary without quantile", "# TYPE s summary\ns 1\ns_sum 1\ns_count 1\n",
     "without a quantile"),
    ("summary quantile out of range", "# TYPE s summary\ns{quantile=\"2\"} 1\ns_sum 1\n"
     "s_count 1\n", "not in [0, 1]"),
    ("summary without _count", "# TYPE s summary\ns{quantile=\"0.5\"} 1\ns_sum 1\n",
     "has no s_count"),
    ("family clash", "# TYPE h histogram\n# TYPE h_sum gauge\nh_sum 1\n", "clashes"),
]


def self_test():
    passed = failed = 0

    def report(ok, name, detail=None):
        nonlocal passed, failed
        if ok:
            passed += 1
            print("ok - promcheck: %s" % name)
        else:
            failed += 1
            print("not ok - promcheck: %s" % name)
            if detail:
                for d in str(detail).splitlines():
                    print("#   %s" % d)

    probs = check(_VALID)
    report(not probs, "valid exposition passes", "\n".join("%d: %s" % p for p in probs))
    if not probs:
        fams = parse(_VALID)
        ok = (fams["bf_messages_total"]["type"] == "counter" and
              fams["bf_messages_total"]["help"] ==
              "Work messages handled.\nSecond line, a backslash \\." and
              len(fams["bf_messages_total"]["samples"]) == 3 and
              fams["bf_temp"]["samples"][0] == ("bf_temp", {"a": 'x "q" \\ \n'}, -math.inf) and
              fams["bf_temp"]["samples"][3][2] == 0.25 and
              fams["bf_temp"]["samples"][4] == ("bf_temp", {"a": "v", "b": ""}, 0.0005) and
              fams["bf_batch_duration_seconds"]["type"] == "histogram" and
              len(fams["bf_batch_duration_seconds"]["samples"]) == 9 and
              fams["untyped_thing"]["type"] == "untyped" and
              fams["up_ish"]["help"] == "no type" and
              fams["bf_empty_total"]["samples"] == [] and
              math.isnan(fams["bf_temp"]["samples"][1][2]))
        report(ok, "parse() returns families, types, help, unescaped labels and values", fams)
    for name, text, want in _INVALID:
        probs = check(text)
        hit = [p for p in probs if want in p[1]]
        report(bool(hit), "rejects: %s" % name,
               "expected a problem with %r, got %r" % (want, probs))
    try:
        parse("a one\n")
        report(False, "parse() raises FormatError on invalid text")
    except FormatError as e:
        report(e.problems and e.problems[0][0] == 1, "parse() raises FormatError on invalid text")
    import os
    import subprocess
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        good, bad, latin = (os.path.join(tmp, f) for f in ("good.prom", "bad.prom", "latin.prom"))
        open(good, "w").write(_VALID)
        open(bad, "w").write("# TYPE a gauge\na 1\na 2\n")
        open(latin, "wb").write(b"# HELP a caf\xe9\na 1\n")
        run = lambda *a: subprocess.run([sys.executable, os.path.abspath(__file__)] + list(a),
                                        capture_output=True, text=True)
        r = run(good)
        report(r.returncode == 0 and r.stdout.startswith(good + ": valid, "),
               "command line: a valid file exits 0 with a summary", r.stdout + r.stderr)
        r = run(good, bad)
        report(r.returncode == 1 and r.stdout.splitlines()[-1].startswith(bad + ":3: "),
               "command line: an invalid file exits 1 with FILE:LINE: message", r.stdout)
        r = run(latin)
        report(r.returncode == 1 and "not UTF-8" in r.stdout, "command line: rejects non-UTF-8",
               r.stdout)
        r = subprocess.run([sys.executable, os.path.abspath(__file__), "-"], input=_VALID,
                           capture_output=True, text=True)
        report(r.returncode == 0 and r.stdout.startswith("<stdin>: valid"),
               "command line: - reads standard input", r.stdout + r.stderr)
    for text, want in (("1", 1.0), ("-0.5e3", -500.0), ("+Inf", math.inf), ("-inf", -math.inf),
                       ("Infinity", math.inf), ("0x1.8p1", 3.0), (".5", 0.5), ("5.", 5.0)):
        report(go_float(text) == want, "go_float(%r) == %r" % (text, want), go_float(text))
    for text in ("", "1e", "e5", "0x1", "1_000", "- 1", "inf1", "+NaN", "1e400", "0x"):
        report(go_float(text) is None, "go_float(%r) fails" % text, go_float(text))
    print("promcheck self-test: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
