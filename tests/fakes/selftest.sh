#!/usr/bin/env bash
# Self-test of the fake servers.
#
#   tests/fakes/selftest.sh PATH/TO/fake-sofascore PATH/TO/fake-plainly [PATH/TO/fake-apifootball]
#
# Builds nothing. Needs curl, jq and python3 (fake-plainly's webhook listeners). Starts the fakes on free ports with the scenarios
# tests/data/scenarios/fake-selftest (override with SCENARIO=DIR) and fake-selftest-apifootball
# (override with SCENARIO_APIFOOTBALL=DIR), checks their behaviour with curl, stops them with
# SIGTERM (they must exit 0), prints "N passed, N failed" and exits non-zero on any failure.
# Without the third argument the fake-apifootball part is skipped (and says so). FAKE_WRAP runs
# the main fakes under a wrapper, for example
#   FAKE_WRAP="valgrind -q --leak-check=full --error-exitcode=1" tests/fakes/selftest.sh ...
# (a leak then makes the "exits 0 on SIGTERM" checks fail).
set -euo pipefail

USAGE="usage: selftest.sh FAKE_SOFASCORE FAKE_PLAINLY [FAKE_APIFOOTBALL]"
SOFA=${1:?$USAGE}
PLAINLY=${2:?$USAGE}
APIF=${3:-}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SCEN=${SCENARIO:-$HERE/../data/scenarios/fake-selftest}
SCEN_AF=${SCENARIO_APIFOOTBALL:-$HERE/../data/scenarios/fake-selftest-apifootball}
read -r -a WRAP <<< "${FAKE_WRAP:-}"
for tool in curl jq python3; do
    command -v "$tool" > /dev/null || { echo "selftest.sh: $tool is required" >&2; exit 2; }
done
[[ -x $SOFA && -x $PLAINLY ]] || { echo "selftest.sh: $SOFA or $PLAINLY is not executable" >&2; exit 2; }
[[ -z $APIF || -x $APIF ]] || { echo "selftest.sh: $APIF is not executable" >&2; exit 2; }

TMP=$(mktemp -d)
PIDS=()
cleanup() {
    local p
    for p in "${PIDS[@]}"; do
        kill "$p" 2> /dev/null || true
    done
    for p in "${PIDS[@]}"; do
        wait "$p" 2> /dev/null || true
    done
    rm -rf "$TMP"
}
trap cleanup EXIT

PASS=0
FAIL=0
ok() { PASS=$((PASS + 1)); echo "ok   - $1"; }
no() { FAIL=$((FAIL + 1)); echo "FAIL - $1${2:+ ($2)}"; }
expect_eq() { # name actual expected
    if [[ $2 == "$3" ]]; then ok "$1"; else no "$1" "got '$2', want '$3'"; fi
}
expect_match() { # name actual regex
    if [[ $2 =~ $3 ]]; then ok "$1"; else no "$1" "got '$2', want /$3/"; fi
}
expect_body() { # name exact-bytes: compares the last response body byte for byte
    if printf '%s' "$2" | cmp -s - "$TMP/body"; then ok "$1"; else no "$1" "got '$(cat "$TMP/body")'"; fi
}

# req METHOD URL [curl args...]: sets STATUS, TIME, CURL_RC; body in $TMP/body, headers in $TMP/hdr
req() {
    local m=$1 u=$2 out
    shift 2
    : > "$TMP/body"
    : > "$TMP/hdr"
    CURL_RC=0
    out=$(curl -sS --max-time 20 -o "$TMP/body" -D "$TMP/hdr" -w '%{http_code} %{time_total}' \
        -X "$m" "$@" "$u" 2> "$TMP/curl.err") || CURL_RC=$?
    STATUS=${out%% *}
    TIME=${out##* }
}
hdr() { grep -i "^$1:" "$TMP/hdr" | head -n1 | cut -d' ' -f2- | tr -d '\r' || true; }
jqb() { jq -r "$1" "$TMP/body" 2> /dev/null || echo "<not json>"; }
is_json() { jq -e . "$TMP/body" > /dev/null 2>&1; }

# start NAME OUTFILE CMD...: starts in the background, waits for the startup line, sets PORT
start() {
    local name=$1 out=$2 line="" i
    shift 2
    "$@" > "$out" 2> "$out.err" &
    LAST_PID=$!
    PIDS+=("$LAST_PID")
    for ((i = 0; i < 300; i++)); do
        line=$(head -n1 "$out" 2> /dev/null || true)
        [[ -n $line ]] && break
        kill -0 "$LAST_PID" 2> /dev/null || break
        sleep 0.1
    done
    if [[ $line =~ ^listening\ on\ 127\.0\.0\.1:([0-9]+)$ ]]; then
        PORT=${BASH_REMATCH[1]}
        ok "$name prints 'listening on 127.0.0.1:PORT' first"
    else
        no "$name prints 'listening on 127.0.0.1:PORT' first" "got '$line'; stderr: $(cat "$out.err")"
        echo "$PASS passed, $FAIL failed"
        exit 1
    fi
}

# stop NAME PID: SIGTERM, the fake must exit 0 (under FAKE_WRAP: no leaks either)
stop() {
    local rc=0 p keep=()
    kill -TERM "$2" 2> /dev/null || true
    wait "$2" || rc=$?
    for p in "${PIDS[@]}"; do [[ $p == "$2" ]] || keep+=("$p"); done
    PIDS=("${keep[@]+"${keep[@]}"}")
    expect_eq "$1 exits 0 on SIGTERM" "$rc" 0
}

TODAY=$(date -u +%F)
TOMORROW=$(date -u -d tomorrow +%F)
BASE_TIME=1790000000
SHIFT_TO=1790086400 # offset +86400
NOT_FOUND='{"error":{"code":404,"message":"Not Found"}}'
CHALLENGE='{"error":{"code":403,"reason":"challenge"}}'

########################################################################## fake-sofascore
echo "# fake-sofascore"
start fake-sofascore "$TMP/sofa.out" "${WRAP[@]}" "$SOFA" --port 0 --scenario "$SCEN" \
    --log "$TMP/sofa.log" --shift-to "$SHIFT_TO" --timeout-delay-ms 300 --seed 1 \
    --port-file "$TMP/sofa.port" --pidfile "$TMP/sofa.pid"
SOFA_PID=$LAST_PID
S="http://127.0.0.1:$PORT"
expect_eq "port file holds the port" "$(cat "$TMP/sofa.port")" "$PORT"
expect_eq "pid file holds the pid" "$(cat "$TMP/sofa.pid")" "$SOFA_PID"
NREQ=0
sreq() { NREQ=$((NREQ + 1)); req "$@"; }

# count-based sequence: 404, unconfirmed x2 (repeat), confirmed (repeats forever)
sreq GET "$S/event/1001/lineups"
expect_eq "sequence step 1 is 404" "$STATUS" 404
expect_body "sequence step 1 body is the Sofascore 404 body" "$NOT_FOUND"
expect_eq "responses are application/json" "$(hdr Content-Type)" "application/json"
sreq GET "$S/event/1001/lineups"
expect_eq "sequence step 2 is 200 unconfirmed" "$STATUS $(jqb .confirmed)" "200 false"
sreq GET "$S/event/1001/lineups"
expect_eq "repeat 2: step 3 is still unconfirmed" "$STATUS $(jqb .confirmed)" "200 false"
sreq GET "$S/event/1001/lineups"
expect_eq "sequence step 4 is confirmed" "$STATUS $(jqb .confirmed)" "200 true"
expect_eq "entry headers are sent" "$(hdr Cache-Control)" "max-age=10, public, s-maxage=3600"
expect_eq "etag is sent quoted" "$(hdr ETag)" '"lu1001c"'
expect_eq "dateOfBirthTimestamp is not shifted" \
    "$(jqb '.home.players[0].player.dateOfBirthTimestamp')" 748569600
sreq GET "$S/event/1001/lineups" -H 'If-None-Match: "lu1001c"'
expect_eq "If-None-Match with the ETag gives 304" "$STATUS" 304
expect_eq "304 has an empty body" "$(wc -c < "$TMP/body" | tr -d ' ')" 0
sreq GET "$S/event/1001/lineups" -H 'If-None-Match: "other"'
expect_eq "last entry repeats forever" "$STATUS $(jqb .confirmed)" "200 true"

# timestamp shift, prefix, time-based sequence start
sreq GET "$S/event/1002"
expect_eq "event startTimestamp shifted by shift_to - base_time" \
    "$(jqb .event.startTimestamp)" $((1790003600 + SHIFT_TO - BASE_TIME))
expect_eq "changeTimestamp 0 stays 0" "$(jqb .event.changes.changeTimestamp)" 0
expect_eq "time-based sequence serves after=0 first" "$(jqb .event.status.type)" notstarted
sreq GET "$S/api/v1/event/1002?foo=bar"
expect_eq "the /api/v1 prefix and a query string are accepted" "$STATUS $(jqb .event.id)" "200 1002"

# {today}
sreq GET "$S/unique-tournament/17/scheduled-events/$TODAY"
expect_eq "{today} route matches today's UTC date" "$STATUS $(jqb '.events[0].id')" "200 1002"
expect_eq "timestamps shifted inside arrays" "$(jqb '.events[0].startTimestamp')" \
    $((1790003600 + SHIFT_TO - BASE_TIME))
sreq GET "$S/unique-tournament/17/scheduled-events/$TOMORROW"
expect_eq "{today} route does not match tomorrow" "$STATUS" 404

# unknown path
sreq GET "$S/sport/football/scheduled-events/$TODAY"
expect_eq "unknown path is 404" "$STATUS" 404
expect_body "unknown path body is the exact Sofascore error shape" "$NOT_FOUND"
expect_eq "unknown path 404 is application/json" "$(hdr Content-Type)" "application/json"

# scenario faults: malformed, truncate, delay
sreq GET "$S/event/1002/statistics"
expect_eq "malformed entry is 200" "$STATUS" 200
expect_body "malformed entry body" '{"event": [1,2,'
sreq GET "$S/event/1002/statistics"
expect_eq "after the malformed entry comes the 404" "$STATUS" 404
sreq GET "$S/event/1002/incidents"
TRUNC_LEN=$(wc -c < "$TMP/body" | tr -d ' ')
if ! is_json && [[ $STATUS == 200 ]]; then ok "truncate entry gives invalid JSON with a 200"; else no "truncate entry gives invalid JSON with a 200"; fi
sreq GET "$S/event/1002/incidents"
FULL_LEN=$(wc -c < "$TMP/body" | tr -d ' ')
expect_eq "truncated body is half of the full one" "$TRUNC_LEN" $((FULL_LEN / 2))
expect_match "delay_ms delays the answer" "$TIME" '^0\.(1[5-9]|[2-9])|^[1-9]'

# injected faults
req POST "$S/_fake/fault" -d '{"path":"/event/1002","fault":"challenge","count":2}'
expect_eq "POST /_fake/fault accepted" "$STATUS" 200
sreq GET "$S/event/1002"
expect_eq "injected challenge is 403" "$STATUS" 403
expect_body "challenge body is byte-exact" "$CHALLENGE"
sreq GET "$S/api/v1/event/1002"
expect_eq "injected challenge count 2: second request 403" "$STATUS" 403
sreq GET "$S/event/1002"
expect_eq "after count requests the route answers again" "$STATUS" 200
req POST "$S/_fake/fault" -d '{"path":"*","fault":"429","count":1}'
sreq GET "$S/event/1001/lineups"
expect_eq "injected 429" "$STATUS" 429
expect_eq "429 carries Retry-After: 2" "$(hdr Retry-After)" 2
sreq GET "$S/event/1001/lineups"
expect_eq "an injected fault does not consume the sequence step" "$STATUS $(jqb .confirmed)" "200 true"
req POST "$S/_fake/fault" -d '{"path":"/event/1002","fault":"reset"}'
sreq GET "$S/event/1002"
expect_eq "injected reset closes the connection (curl 52)" "$CURL_RC" 52
req POST "$S/_fake/fault" -d '{"path":"/event/1002","fault":"timeout","count":1}'
sreq GET "$S/event/1002"
expect_eq "injected timeout answers 500" "$STATUS" 500
expect_match "timeout waits --timeout-delay-ms" "$TIME" '^0\.[3-9]|^[1-9]'
req POST "$S/_fake/fault" -d '{"path":"/event/1001/lineups","fault":"500","count":-1}'
sreq GET "$S/event/1001/lineups"
sreq GET "$S/event/1001/lineups"
expect_eq "count -1 keeps failing" "$STATUS" 500
req POST "$S/_fake/fault" -d '{"path":"*","fault":"none"}'
sreq GET "$S/event/1001/lineups"
expect_eq "fault none on * clears injected faults" "$STATUS" 200
req POST "$S/_fake/fault" -d '{"path":"/x","fault":"bogus"}'
expect_eq "unknown fault name is a 400" "$STATUS" 400

# time-based sequence: jump the fake's clock
req POST "$S/_fake/advance" -d '{"seconds":7200}'
expect_eq "POST /_fake/advance accepted" "$STATUS" 200
sreq GET "$S/event/1002"
expect_eq "time-based sequence serves after=7200 later" "$(jqb .event.status.type)" finished
expect_eq "nested changeTimestamp is shifted" "$(jqb .event.changes.changeTimestamp)" \
    $((1790010300 + SHIFT_TO - BASE_TIME))

# stats and request log
req GET "$S/_fake/stats"
expect_eq "stats counts every API request (not control ones)" "$(jqb .requests)" "$NREQ"
expect_eq "stats by_path" "$(jqb '.by_path["/event/1001/lineups"]')" 11
LOGN=$(wc -l < "$TMP/sofa.log" | tr -d ' ')
expect_eq "log has one line per API request" "$LOGN" "$NREQ"
if grep -Evq '^[0-9]{13} GET /[^ ]* [0-9]{1,3}$' "$TMP/sofa.log"; then
    no "log lines are '<epoch_ms> <method> <path> <status>'" "$(grep -Ev '^[0-9]{13} GET /[^ ]* [0-9]{1,3}$' "$TMP/sofa.log" | head -n1)"
else
    ok "log lines are '<epoch_ms> <method> <path> <status>'"
fi
expect_eq "log records the 304" "$(grep -c ' GET /event/1001/lineups 304$' "$TMP/sofa.log")" 1
expect_eq "log records the reset as status 0" "$(grep -c ' GET /event/1002 0$' "$TMP/sofa.log")" 1

# reset
req POST "$S/_fake/reset"
expect_eq "POST /_fake/reset accepted" "$STATUS" 200
req GET "$S/event/1001/lineups"
expect_eq "reset restarts sequences" "$STATUS" 404
req GET "$S/event/1002"
expect_eq "reset restarts the time-based clock" "$(jqb .event.status.type)" notstarted
req GET "$S/_fake/stats"
expect_eq "reset clears counters" "$(jqb .requests)" 2

stop fake-sofascore "$SOFA_PID"
if [[ -e $TMP/sofa.pid ]]; then no "pid file removed on exit"; else ok "pid file removed on exit"; fi

# --fault-rate is deterministic with --seed
rates_run() {
    local i codes=""
    start "fake-sofascore --fault-rate" "$TMP/rate$1.out" "$SOFA" --port 0 --scenario "$SCEN" \
        --fault-rate 500=0.3,challenge=0.2 --seed 7
    for ((i = 0; i < 20; i++)); do
        req GET "http://127.0.0.1:$PORT/event/1002"
        codes+="$STATUS "
    done
    stop "fake-sofascore --fault-rate" "$LAST_PID"
    RATES=$codes
}
rates_run 1
R1=$RATES
rates_run 2
expect_eq "--fault-rate with the same --seed gives the same faults" "$RATES" "$R1"
if [[ $R1 == *200* && $R1 == *403* && $R1 == *500* ]]; then ok "--fault-rate produced every kind"; else no "--fault-rate produced every kind" "$R1"; fi

# startup validation
mkdir -p "$TMP/bad1" "$TMP/bad2" "$TMP/bad3"
echo '{"base_time":1,"routes":{"/a":[{"body":"missing.json"}]}}' > "$TMP/bad1/scenario.json"
echo '{"routes":{"/a":[{"body":"broken.json"}]}}' > "$TMP/bad2/scenario.json"
echo '{"event": [1,' > "$TMP/bad2/broken.json"
echo '{"routes":{"/a":[{"after":0,"inline":{}},{"inline":{}}]}}' > "$TMP/bad3/scenario.json"
for b in bad1:missing.json bad2:broken.json bad3:mixes; do
    dir=${b%%:*} word=${b#*:} rc=0
    "$SOFA" --port 0 --scenario "$TMP/$dir" > /dev/null 2> "$TMP/$dir.err" || rc=$?
    if [[ $rc != 0 ]] && grep -q "$word" "$TMP/$dir.err"; then
        ok "bad scenario ($dir) refused, message names $word"
    else
        no "bad scenario ($dir) refused, message names $word" "rc=$rc: $(cat "$TMP/$dir.err")"
    fi
done

########################################################################## fake-plainly
echo "# fake-plainly"
start fake-plainly "$TMP/plainly.out" "${WRAP[@]}" "$PLAINLY" --port 0 --record "$TMP/record.jsonl" \
    --script "ok,invalid,429,queuefull,400,accept-then-500" --seed 3 --port-file "$TMP/plainly.port"
PL_PID=$LAST_PID
P="http://127.0.0.1:$PORT/api/v2"
expect_eq "port file holds the port" "$(cat "$TMP/plainly.port")" "$PORT"
AUTH=(-u 'test-key:')
JSONH=(-H 'Content-Type: application/json')
render_body() { # SUBJECT
    printf '{"projectId":"proj1","templateId":"tmpl1","parameters":{"homeName":"Arsenal","home":{"starters":[{"name":"D. Raya"}]}},"attributes":{"bfSubject":"%s"},"webhook":{"url":"http://127.0.0.1:9/hook","passthrough":"%s","onFailure":true,"onInvalid":true}}' "$1" "$1"
}
NREC=0
preq() { NREC=$((NREC + 1)); req "$@"; }

preq POST "$P/renders" "${JSONH[@]}" -d "$(render_body line-up:1001)"
expect_eq "no Authorization is 401" "$STATUS" 401
expect_eq "401 body is Plainly's error JSON" "$(jqb '[.status,.error,.path]|@tsv')" $'401\tUnauthorized\t/api/v2/renders'
expect_match "401 body has an ISO timestamp" "$(jqb .timestamp)" '^20[0-9]{2}-[0-9]{2}-[0-9]{2}T'
preq POST "$P/renders" -u ':secret' "${JSONH[@]}" -d "$(render_body line-up:1001)"
expect_eq "empty API key is 401" "$STATUS" 401
preq GET "$P/me" "${AUTH[@]}"
expect_eq "GET /me" "$STATUS $(jqb .name)" "200 fake"

preq POST "$P/renders" "${AUTH[@]}" "${JSONH[@]}" -d "$(render_body line-up:1001)"
expect_eq "script ok: 200 PENDING" "$STATUS $(jqb .state)" "200 PENDING"
ID1=$(jqb .id)
expect_match "render id looks like a v4 uuid" "$ID1" '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'
expect_eq "render echoes projectId, templateId, parameters, attributes" \
    "$(jqb '[.projectId,.templateId,.parameters.homeName,.attributes.bfSubject]|@tsv')" \
    $'proj1\ttmpl1\tArsenal\tline-up:1001'
expect_eq "render has error/output/outputFormat null and echoes the webhook" \
    "$(jqb '[.error,.output,.outputFormat,.webhook.passthrough]|map(tostring)|join(",")')" "null,null,null,line-up:1001"
expect_match "render has createdDate" "$(jqb .createdDate)" '^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{3}Z$'

preq POST "$P/renders" "${AUTH[@]}" "${JSONH[@]}" -d "$(render_body result:1002)"
expect_eq "script invalid: 200 INVALID" "$STATUS $(jqb .state)" "200 INVALID"
expect_eq "INVALID render carries the error code" "$(jqb .error.code)" RENDER_PARAMETERS_INVALID
ID2=$(jqb .id)

preq POST "$P/renders" "${AUTH[@]}" "${JSONH[@]}" -d "$(render_body result:1003)"
expect_eq "script 429" "$STATUS" 429
expect_body "429 body is plain text, not JSON" "Too Many Requests"
expect_eq "429 headers Retry-After / X-Retry-In" "$(hdr Retry-After) $(hdr X-Retry-In)" "1 1000"

preq POST "$P/renders" "${AUTH[@]}" "${JSONH[@]}" -d "$(render_body result:1003)"
expect_eq "script queuefull: JSON 429" "$STATUS $(jqb .status)" "429 429"
expect_eq "queuefull error code header" "$(hdr X-PlainlyErrorCode)" RENDER_ORGANIZATION_QUEUE_FULL

preq POST "$P/renders" "${AUTH[@]}" "${JSONH[@]}" -d "$(render_body result:1003)"
expect_eq "script 400" "$STATUS $(hdr X-PlainlyErrorCode)" "400 TEMPLATE_DOES_NOT_EXIST"
expect_eq "400 message names the template" "$(jqb .message)" "Template tmpl1 does not exist"

preq POST "$P/renders" "${AUTH[@]}" "${JSONH[@]}" -d "$(render_body result:1004)"
expect_eq "script accept-then-500 answers 500" "$STATUS" 500

preq POST "$P/renders" "${AUTH[@]}" "${JSONH[@]}" -d '{"templateId":"tmpl1"}'
expect_eq "missing projectId is 400 BAD_REQUEST" "$STATUS $(hdr X-PlainlyErrorCode)" "400 BAD_REQUEST"
preq POST "$P/renders" "${AUTH[@]}" "${JSONH[@]}" -d '{"projectId":"proj1","parameters":{"home.name":"x"}}'
expect_eq "parameter keys with dots are 400" "$STATUS" 400

preq POST "$P/renders" "${AUTH[@]}" "${JSONH[@]}" -d "$(render_body line-up:1005)"
expect_eq "after the script every POST is ok" "$STATUS $(jqb .state)" "200 PENDING"
ID4=$(jqb .id)

preq GET "$P/renders?projectId=proj1&page=0&size=20" "${AUTH[@]}"
expect_eq "list returns a JSON array of the 4 stored renders" "$STATUS $(jqb 'type') $(jqb length)" "200 array 4"
expect_eq "list is newest first" "$(jqb '.[0].id') $(jqb '.[3].id')" "$ID4 $ID1"
expect_eq "accept-then-500 render is listed" "$(jqb '.[1].attributes.bfSubject')" "result:1004"
preq GET "http://127.0.0.1:$PORT/renders?projectId=proj1&page=1&size=3" "${AUTH[@]}"
expect_eq "list pages (without the /api/v2 prefix too)" "$(jqb length) $(jqb '.[0].id')" "1 $ID1"
preq GET "$P/renders?projectId=other" "${AUTH[@]}"
expect_eq "list filters by projectId" "$(jqb length)" 0
preq GET "$P/renders/$ID2" "${AUTH[@]}"
expect_eq "GET /renders/{id}" "$STATUS $(jqb .id) $(jqb .state)" "200 $ID2 INVALID"
preq GET "$P/renders/00000000-0000-4000-8000-000000000000" "${AUTH[@]}"
expect_eq "GET unknown render is 404" "$STATUS" 404

req POST "$P/_fake/script" --data-binary 'throttled, accept-then-reset'
expect_eq "POST /_fake/script accepted" "$STATUS" 200
preq POST "$P/renders" "${AUTH[@]}" "${JSONH[@]}" -d "$(render_body line-up:1001)"
expect_eq "script throttled: 200 THROTTLED" "$STATUS $(jqb .state)" "200 THROTTLED"
preq POST "$P/renders" "${AUTH[@]}" "${JSONH[@]}" -d "$(render_body result:1006)"
expect_eq "accept-then-reset closes the connection (curl 52)" "$CURL_RC" 52
req POST "$P/_fake/script" --data-binary 'ok,nonsense'
expect_eq "bad script is a 400" "$STATUS" 400
preq GET "$P/renders/$ID1" "${AUTH[@]}"
expect_eq "without --lifecycle a render keeps its state, without output or expirationDate" \
    "$(jqb '[.state, .output, has("expirationDate")]|map(tostring)|join(" ")')" "PENDING null false"

req GET "$P/_fake/stats"
expect_eq "stats posts / accepted" "$(jqb .posts) $(jqb .accepted)" "11 6"
expect_eq "stats states (PENDING THROTTLED INVALID DONE)" \
    "$(jqb '.states|[.PENDING, .THROTTLED, .INVALID, .DONE]|map(tostring)|join(" ")')" "4 1 1 0"
expect_eq "without --lifecycle no webhook is called" "$(jqb '.webhooks|[.calls, .pending]|map(tostring)|join(" ")')" "0 0"
expect_eq "stats by_subject" "$(jqb '.by_subject["line-up:1001"]') $(jqb '.by_subject["result:1006"]') $(jqb '.by_subject["result:1003"]')" "2 1 null"

# record file
RECN=$(wc -l < "$TMP/record.jsonl" | tr -d ' ')
expect_eq "record has one line per request (control endpoints excluded)" "$RECN" "$NREC"
if jq -e -s 'all(.[]; has("t") and has("method") and has("path") and has("query") and has("auth") and has("status") and has("body"))' \
    "$TMP/record.jsonl" > /dev/null 2>&1; then
    ok "every record line is JSON with t, method, path, query, auth, status, body"
else
    no "every record line is JSON with t, method, path, query, auth, status, body"
fi
expect_eq "first record: the rejected POST, auth null, 401" \
    "$(head -n1 "$TMP/record.jsonl" | jq -r '[.method,.path,(.auth|tostring),.status,.body.attributes.bfSubject]|map(tostring)|join(" ")')" \
    "POST /renders null 401 line-up:1001"
expect_eq "record keeps the Authorization header" \
    "$(sed -n 4p "$TMP/record.jsonl" | jq -r .auth)" "Basic $(printf 'test-key:' | base64)"
expect_eq "record keeps the query string" \
    "$(jq -r 'select(.method=="GET" and .path=="/renders") | .query' "$TMP/record.jsonl" | head -n1)" \
    "projectId=proj1&page=0&size=20"
expect_eq "record keeps the 429 and the reset (status 0)" \
    "$(jq -r 'select(.path=="/renders" and .method=="POST") | .status' "$TMP/record.jsonl" | tr '\n' ' ')" \
    "401 401 200 200 429 429 400 500 400 400 200 200 0 "

req POST "$P/_fake/reset"
req GET "$P/renders?projectId=proj1" "${AUTH[@]}"
expect_eq "reset clears renders" "$(jqb length)" 0
stop fake-plainly "$PL_PID"

start "fake-plainly --fault-rate" "$TMP/plainly2.out" "$PLAINLY" --port 0 --record "$TMP/record2.jsonl" \
    --fault-rate 429=1
req POST "http://127.0.0.1:$PORT/renders" "${AUTH[@]}" "${JSONH[@]}" -d "$(render_body line-up:1)"
expect_eq "--fault-rate 429=1 answers the non-JSON 429" "$STATUS $(cat "$TMP/body")" "429 Too Many Requests"
stop "fake-plainly --fault-rate" "$LAST_PID"

########################################################################## --threads 2
echo "# --threads 2 (thread pool)"
# route precedence: the first matching route in scenario order wins, placeholder or not
mkdir -p "$TMP/prec"
cat > "$TMP/prec/scenario.json" << JSON
{"routes": {
  "/a/{today}": [{"inline": {"w": "placeholder"}}],
  "/a/$TODAY": [{"inline": {"w": "exact"}}],
  "/b/$TODAY": [{"inline": {"w": "exact"}}],
  "/b/{today}": [{"inline": {"w": "placeholder"}}],
  "/c": [{"inline": {"w": "first"}}],
  "/c": [{"inline": {"w": "second"}}] }}
JSON
start "fake-sofascore --threads 2 (precedence)" "$TMP/prec.out" "$SOFA" --port 0 --scenario "$TMP/prec" \
    --threads 2
S="http://127.0.0.1:$PORT"
req GET "$S/a/$TODAY"
A=$(jqb .w)
req GET "$S/b/$TODAY"
B=$(jqb .w)
req GET "$S/c"
expect_eq "the first matching route wins: placeholder, exact, duplicate key" "$A $B $(jqb .w)" \
    "placeholder exact first"
stop "fake-sofascore --threads 2 (precedence)" "$LAST_PID"

start "fake-sofascore --threads 2" "$TMP/sofa2.out" "${WRAP[@]}" "$SOFA" --port 0 --scenario "$SCEN" \
    --shift-to "$SHIFT_TO" --timeout-delay-ms 30000 --threads 2
SOFA_PID=$LAST_PID
S="http://127.0.0.1:$PORT"
req GET "$S/event/1001/lineups"
expect_eq "pool: sequence step 1 is 404" "$STATUS" 404
req GET "$S/unique-tournament/17/scheduled-events/$TODAY"
expect_eq "pool: {today} route" "$STATUS $(jqb '.events[0].id')" "200 1002"
req GET "$S/sport/football/scheduled-events/$TODAY"
expect_eq "pool: unknown path is 404" "$STATUS" 404
expect_body "pool: unknown path body" "$NOT_FOUND"
KA=$(curl -sS --max-time 20 -o /dev/null -o /dev/null -o /dev/null -w '%{http_code}/%{num_connects} ' \
    "$S/event/1001/lineups" "$S/event/1001/lineups" "$S/event/1002" 2>&1 || true)
expect_eq "pool: keep-alive reuses the connection" "$KA" "200/1 200/0 200/0 "
PAR=()
for ((i = 0; i < 20; i++)); do PAR+=(-o /dev/null "$S/event/1002"); done
curl -sS --max-time 20 --parallel --parallel-max 10 "${PAR[@]}" 2> /dev/null || true
req GET "$S/_fake/stats"
expect_eq "pool: stats requests and by_path (in order of first appearance)" \
    "$(jqb '[.requests, .by_path["/event/1001/lineups"], .by_path["/event/1002"]]|map(tostring)|join(" ")') $(jqb '.by_path|keys_unsorted|join(" ")')" \
    "26 3 21 /event/1001/lineups /unique-tournament/17/scheduled-events/$TODAY /sport/football/scheduled-events/$TODAY /event/1002"
req POST "$S/_fake/fault" -d '{"path":"/event/1002","fault":"timeout","count":1}'
curl -s --max-time 20 -o /dev/null "$S/event/1002" &
SLEEPER=$!
sleep 0.5
T0=$(date +%s%N)
stop "fake-sofascore --threads 2 (a request sleeping in a timeout)" "$SOFA_PID"
T1=$(date +%s%N)
wait "$SLEEPER" 2> /dev/null || true
if (((T1 - T0) / 1000000 < 5000)); then
    ok "pool: SIGTERM cuts a sleeping timeout short"
else
    no "pool: SIGTERM cuts a sleeping timeout short" "$(((T1 - T0) / 1000000)) ms"
fi

start "fake-plainly --threads 2" "$TMP/plainly3.out" "${WRAP[@]}" "$PLAINLY" --port 0 \
    --record "$TMP/record3.jsonl" --script "ok,invalid" --seed 3 --threads 2
PL_PID=$LAST_PID
P="http://127.0.0.1:$PORT/api/v2"
req POST "$P/renders" "${AUTH[@]}" "${JSONH[@]}" -d "$(render_body line-up:1001)"
expect_eq "pool: POST /renders ok" "$STATUS $(jqb .state)" "200 PENDING"
PID1=$(jqb .id)
req POST "$P/renders" "${AUTH[@]}" "${JSONH[@]}" -d "$(render_body result:1002)"
expect_eq "pool: POST /renders invalid" "$STATUS $(jqb .state)" "200 INVALID"
PID2=$(jqb .id)
req GET "$P/renders/$PID1" "${AUTH[@]}"
expect_eq "pool: GET /renders/{id}" "$STATUS $(jqb .id)" "200 $PID1"
req GET "$P/renders/00000000-0000-4000-8000-000000000000" "${AUTH[@]}"
expect_eq "pool: GET unknown render is 404" "$STATUS $(hdr X-PlainlyErrorCode)" "404 RENDER_DOES_NOT_EXIST"
PAR=()
for ((i = 0; i < 10; i++)); do # 10 POSTs in parallel, each on its own connection
    PAR+=(--next -sS -o /dev/null "${AUTH[@]}" "${JSONH[@]}" -H 'Connection: close' \
        -d "$(render_body "line-up:$((2000 + i % 2))")" "$P/renders")
done
curl --max-time 20 --parallel --parallel-max 10 "${PAR[@]}" 2> /dev/null || true
req GET "$P/renders?projectId=proj1&size=100" "${AUTH[@]}"
expect_eq "pool: list holds every render, newest first" "$(jqb length) $(jqb '.[10].id') $(jqb '.[11].id')" \
    "12 $PID2 $PID1"
req GET "$P/renders?projectId=proj1&page=5&size=2" "${AUTH[@]}"
expect_eq "pool: list pages" "$(jqb length) $(jqb '.[1].id')" "2 $PID1"
req GET "$P/renders?projectId=other" "${AUTH[@]}"
expect_eq "pool: list filters by projectId" "$(jqb length)" 0
req GET "$P/_fake/stats"
expect_eq "pool: stats posts, accepted, counters (in order of first appearance)" \
    "$(jqb '[.posts, .accepted, .by_subject["line-up:2000"], .posts_by_subject["line-up:2001"]]|map(tostring)|join(" ")') $(jqb '.by_subject|keys_unsorted|.[0:2]|join(" ")')" \
    "12 12 5 5 line-up:1001 result:1002"
expect_eq "pool: record has one line per API request" "$(wc -l < "$TMP/record3.jsonl" | tr -d ' ')" 17
stop "fake-plainly --threads 2" "$PL_PID"

# without --record (the bench): serves the same, writes no file
start "fake-plainly, no --record" "$TMP/plainly4.out" "${WRAP[@]}" "$PLAINLY" --port 0 --threads 2
PL_PID=$LAST_PID
P="http://127.0.0.1:$PORT/api/v2"
req POST "$P/renders" "${AUTH[@]}" "${JSONH[@]}" -d "$(render_body line-up:1001)"
expect_eq "no --record: POST /renders ok" "$STATUS $(jqb .state) $(jqb .attributes.bfSubject)" "200 PENDING line-up:1001"
req GET "$P/_fake/stats"
expect_eq "no --record: counted" "$(jqb '.posts')" 1
stop "fake-plainly, no --record" "$PL_PID"

########################################################################## fake-plainly --lifecycle
echo "# fake-plainly --lifecycle, output files, webhooks"
# The webhook listener: appends every POST as a JSON line {status, path, body} to $1 (flushed
# before it answers), answers 500 to the first call for a render id and 200 to the others.
cat > "$TMP/hook.py" << 'PY'
import http.server, json, os, sys, threading
out, portfile = sys.argv[1], sys.argv[2]
seen, lock = set(), threading.Lock()
class Hook(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        try:
            body = json.loads(raw)
        except ValueError:
            body = raw.decode("utf-8", "replace")
        key = body.get("id") if isinstance(body, dict) else None
        with lock:
            status = 200 if key in seen else 500
            seen.add(key)
            with open(out, "a") as f:
                f.write(json.dumps({"status": status, "path": self.path, "body": body}) + "\n")
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *args):
        pass
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hook)
with open(portfile + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(portfile + ".tmp", portfile)
srv.serve_forever()
PY
# A listener that takes connections and never answers (a webhook call hangs on it).
cat > "$TMP/silent.py" << 'PY'
import os, socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(16)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(s.getsockname()[1]))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
time.sleep(120)
PY
# listen SCRIPT PORTFILE [ARGS...]: starts a python3 listener, sets LPORT (empty if it did not start)
listen() {
    local script=$1 pf=$2 i
    shift 2
    python3 "$script" "$@" "$pf" 2> "$pf.err" &
    PIDS+=("$!")
    LPORT=""
    for ((i = 0; i < 100; i++)); do
        [[ -s $pf ]] && { LPORT=$(cat "$pf"); return; }
        sleep 0.05
    done
}
# until_ok TRIES CMD...: runs CMD every 0.05 s until it succeeds, at most TRIES times
until_ok() {
    local n=$1 i
    shift
    for ((i = 0; i < n; i++)); do
        "$@" && return 0
        sleep 0.05
    done
    return 1
}
ms_of() { date -u -d "$1" +%s%3N; } # an ISO-8601 date in epoch milliseconds
state_is() { req GET "$P/renders/$1" "${AUTH[@]}"; [[ $(jqb .state) == "$2" ]]; } # ID STATE
stats_hooks() { # CALLS PENDING: /_fake/stats says so
    req GET "$P/_fake/stats"
    [[ $(jqb .webhooks.calls) == "$1" && $(jqb .webhooks.pending) == "$2" ]]
}
listen "$TMP/hook.py" "$TMP/hook.port" "$TMP/hooks.jsonl"
HOOK="http://127.0.0.1:$LPORT/hook?from=fake"
if [[ -n $LPORT ]]; then ok "webhook listener started"; else no "webhook listener started" "$(cat "$TMP/hook.port.err")"; fi
hook_body() { # SUBJECT [onFailure]
    printf '{"projectId":"proj1","templateId":"tmpl1","parameters":{"homeName":"Arsenal"},"attributes":{"bfSubject":"%s"},"webhook":{"url":"%s","passthrough":"%s","onFailure":%s}}' \
        "$1" "$HOOK" "$1" "${2:-true}"
}

start "fake-plainly --lifecycle" "$TMP/plainly5.out" "${WRAP[@]}" "$PLAINLY" --port 0 \
    --record "$TMP/record5.jsonl" --lifecycle 300,600,900 --final-script "done,failed" \
    --output-delay-ms 40 --retention 3600 --webhook-retry-ms 100 --webhook-duplicates 2 --seed 3
PL_PID=$LAST_PID
PL_PORT=$PORT
P="http://127.0.0.1:$PORT/api/v2"
req POST "$P/renders" "${AUTH[@]}" "${JSONH[@]}" -d "$(hook_body line-up:1001)"
expect_eq "--lifecycle: the POST still answers PENDING" "$STATUS $(jqb .state)" "200 PENDING"
RA=$(jqb .id)
req POST "$P/renders" "${AUTH[@]}" "${JSONH[@]}" -d "$(hook_body result:1002)"
RB=$(jqb .id)
req POST "$P/renders" "${AUTH[@]}" "${JSONH[@]}" -d '{"projectId":"proj1"}'
RC=$(jqb .id)
req POST "$P/_fake/renders/$RC/state" -d '{"state":"FAILED","error":"boom"}'
expect_eq "control endpoint forces FAILED with the error given" \
    "$STATUS $(jqb '[.id, .state, .error.code, .error.message, .output]|map(tostring)|join(" ")')" \
    "200 $RC FAILED RENDER_FAILED boom null"
req POST "$P/_fake/final-script" --data-binary 'cancelled'
expect_eq "POST /_fake/final-script accepted" "$STATUS" 200
req POST "$P/renders" "${AUTH[@]}" "${JSONH[@]}" -d "$(hook_body result:1003 false)"
RD=$(jqb .id)

SEEN=PENDING # the states render A goes through, as GET /renders/{id} answers them
for ((i = 0; i < 200; i++)); do
    req GET "$P/renders/$RA" "${AUTH[@]}"
    st=$(jqb .state)
    [[ $st == "${SEEN##* }" ]] || SEEN+=" $st"
    [[ $st == DONE || $STATUS != 200 ]] && break
    sleep 0.05
done
expect_eq "--lifecycle: PENDING -> QUEUED -> IN_PROGRESS -> DONE" "$SEEN" "PENDING QUEUED IN_PROGRESS DONE"
OUT_URL=$(jqb .output)
expect_eq "DONE: output is the fake's own URL, error null" "$OUT_URL $(jqb .error)" \
    "http://127.0.0.1:$PL_PORT/files/$RA.mp4 null"
expect_eq "DONE: lastModified is createdDate + 900 ms" \
    $(($(ms_of "$(jqb .lastModified)") - $(ms_of "$(jqb .createdDate)"))) 900
expect_eq "DONE: expirationDate is lastModified + --retention" \
    $(($(ms_of "$(jqb .expirationDate)") - $(ms_of "$(jqb .lastModified)"))) 3600000
A_EXP=$(jqb .expirationDate)
req GET "$OUT_URL"
expect_eq "the output URL downloads --output-bytes (default 65536) as video/mp4" \
    "$STATUS $(wc -c < "$TMP/body" | tr -d ' ') $(hdr Content-Length) $(hdr Content-Type)" "200 65536 65536 video/mp4"
if { yes "fake-plainly render $RA" || true; } | head -c 65536 | cmp -s - "$TMP/body"; then
    ok "the video is the render's line repeated"
else
    no "the video is the render's line repeated" "$(head -c 80 "$TMP/body")"
fi
expect_match "--output-delay-ms 40 pauses between 8 KiB blocks (7 pauses)" "$TIME" '^0\.(2[6-9]|[3-9])|^[1-9]'
( # a downloader SIGKILLed mid-file (in a subshell: bash says nothing about it)
    curl -s -o /dev/null "$OUT_URL" &
    sleep 0.1
    kill -KILL $! || true
    wait $! || true
) 2> /dev/null
req GET "$P/me" "${AUTH[@]}"
expect_eq "a downloader killed mid-file does not upset the fake" "$STATUS" 200
req GET "http://127.0.0.1:$PL_PORT/files/00000000-0000-4000-8000-000000000000.mp4"
expect_eq "an unknown video is 404" "$STATUS" 404

until_ok 100 state_is "$RB" FAILED || true
expect_eq "--final-script failed: FAILED with Plainly's error, no output" \
    "$(jqb '[.state, .error.code, .error.message, .output, has("expirationDate")]|map(tostring)|join(" | ")')" \
    "FAILED | RENDER_FAILED | After Effects render failed | null | false"
req GET "http://127.0.0.1:$PL_PORT/files/$RB.mp4"
expect_eq "a FAILED render has no video (404)" "$STATUS" 404
req GET "$P/renders/$RC" "${AUTH[@]}"
expect_eq "a forced state stays past the lifecycle" "$(jqb .state) $(jqb .error.message)" "FAILED boom"
req POST "$P/_fake/renders/$RC/state" -d '{"state":"DONE"}'
expect_eq "control endpoint forces DONE: output and expirationDate" \
    "$STATUS $(jqb .state) $(jqb .output) $(jqb .error) $(jqb 'has("expirationDate")')" \
    "200 DONE http://127.0.0.1:$PL_PORT/files/$RC.mp4 null true"
req POST "$P/_fake/renders/$RC/state" -d '{"state":"SHINY"}'
expect_eq "control endpoint: an unknown state is 400" "$STATUS" 400
req POST "$P/_fake/renders/00000000-0000-4000-8000-000000000000/state" -d '{"state":"DONE"}'
expect_eq "control endpoint: an unknown render is 404" "$STATUS" 404
req POST "$P/_fake/final-script" --data-binary 'done,bogus'
expect_eq "a bad final script is a 400" "$STATUS" 400
until_ok 100 state_is "$RD" CANCELLED || true
expect_eq "POST /_fake/final-script cancelled: CANCELLED, error null" "$(jqb .state) $(jqb .error)" "CANCELLED null"

# webhooks: A (DONE) and B (FAILED) each get 500, then 200, then the duplicate; D (onFailure false) none
hooks_at_least() { [[ -s $TMP/hooks.jsonl && $(wc -l < "$TMP/hooks.jsonl") -ge $1 ]]; }
until_ok 200 hooks_at_least 6 || true
hooks_of() { jq -r --arg id "$1" "select(.body.id == \$id) | $2" "$TMP/hooks.jsonl" | tr '\n' ' '; }
expect_eq "webhook for A: 500, retried, then the duplicate (--webhook-duplicates 2)" "$(hooks_of "$RA" .status)" "500 200 200 "
expect_eq "webhook for A: success, output, expirationDate, passthrough, error" \
    "$(hooks_of "$RA" '[.body.success, .body.output, .body.expirationDate, .body.passthrough, .body.error, .path]|map(tostring)|join(",")' | cut -d' ' -f1)" \
    "true,$OUT_URL,$A_EXP,line-up:1001,null,/hook?from=fake"
expect_eq "webhook for B: success false, the error, the passthrough" \
    "$(hooks_of "$RB" '[.status, .body.success, .body.output, .body.error.message, .body.passthrough]|map(tostring)|join(",")')" \
    "500,false,null,After Effects render failed,result:1002 200,false,null,After Effects render failed,result:1002 200,false,null,After Effects render failed,result:1002 "
expect_eq "no webhook for C (none asked) or D (onFailure false)" "$(hooks_of "$RC" .status)$(hooks_of "$RD" .status)" ""
until_ok 100 stats_hooks 6 0 || true
expect_eq "stats webhooks (calls delivered failed given_up not_called pending)" \
    "$(jqb '.webhooks|[.calls, .delivered, .failed, .given_up, .not_called, .pending]|map(tostring)|join(" ")')" "6 4 2 0 1 0"
expect_eq "stats states (DONE FAILED CANCELLED PENDING)" \
    "$(jqb '.states|[.DONE, .FAILED, .CANCELLED, .PENDING]|map(tostring)|join(" ")')" "2 1 1 0"
expect_eq "record: a webhook line per call (send/attempt/status)" \
    "$(jq -r --arg id "$RA" 'select(.webhook and .id == $id) | "\(.send)/\(.attempt)/\(.status)"' "$TMP/record5.jsonl" | tr '\n' ' ')" \
    "1/1/500 1/2/200 2/1/200 "
if jq -e -s 'all(.[] | select(.webhook | not); has("t") and has("method") and has("path") and has("query") and has("auth") and has("status") and has("body"))' \
    "$TMP/record5.jsonl" > /dev/null 2>&1; then
    ok "the other record lines keep their format"
else
    no "the other record lines keep their format"
fi
stop "fake-plainly --lifecycle" "$PL_PID"

# SIGTERM with one webhook call hanging on a silent listener and another waiting behind it
listen "$TMP/silent.py" "$TMP/silent.port"
SILENT=$LPORT
start "fake-plainly, webhooks pending" "$TMP/plainly6.out" "${WRAP[@]}" "$PLAINLY" --port 0 \
    --record "$TMP/record6.jsonl" --lifecycle 0,0,0
PL_PID=$LAST_PID
P="http://127.0.0.1:$PORT"
HOOK="http://localhost:$SILENT/hook"
req POST "$P/renders" "${AUTH[@]}" "${JSONH[@]}" -d "$(hook_body line-up:1)"
HOOK="http://127.0.0.1:9/hook"
req POST "$P/renders" "${AUTH[@]}" "${JSONH[@]}" -d "$(hook_body line-up:2)"
until_ok 100 stats_hooks 1 2 || true
expect_eq "one webhook call hangs, the other waits" "$(jqb .webhooks.calls) $(jqb .webhooks.pending)" "1 2"
T0=$(date +%s%N)
stop "fake-plainly, webhooks pending" "$PL_PID"
T1=$(date +%s%N)
if (((T1 - T0) / 1000000 < 3000)); then
    ok "SIGTERM does not wait for webhooks"
else
    no "SIGTERM does not wait for webhooks" "$(((T1 - T0) / 1000000)) ms"
fi
expect_eq "record: the hanging call, cut short" "$(jq -r 'select(.webhook) | "\(.status) \(.error)"' "$TMP/record6.jsonl")" \
    "0 answer: interrupted (the fake is stopping)"

# --render-fail-rate is drawn from --seed; render ids are the same as without it
fail_run() {
    local i
    start "fake-plainly --render-fail-rate" "$TMP/fail$1.out" "$PLAINLY" --port 0 --threads 2 \
        --lifecycle 0,0,0 --render-fail-rate 0.5 --seed 9
    for ((i = 0; i < 12; i++)); do
        req POST "http://127.0.0.1:$PORT/renders" "${AUTH[@]}" "${JSONH[@]}" -d '{"projectId":"proj1"}'
    done
    req GET "http://127.0.0.1:$PORT/renders?size=100" "${AUTH[@]}"
    FAILS=$(jqb '[.[].state]|join(" ")')
    FIRST_ID=$(jqb '.[-1].id')
    stop "fake-plainly --render-fail-rate" "$LAST_PID"
}
fail_run 1
F1=$FAILS
fail_run 2
expect_eq "--render-fail-rate with the same --seed fails the same renders" "$FAILS" "$F1"
if [[ $F1 == *DONE* && $F1 == *FAILED* && $F1 != *PENDING* ]]; then ok "--render-fail-rate 0.5: DONE and FAILED"; else no "--render-fail-rate 0.5: DONE and FAILED" "$F1"; fi
start "fake-plainly --seed 9" "$TMP/fail3.out" "$PLAINLY" --port 0 --seed 9
req POST "http://127.0.0.1:$PORT/renders" "${AUTH[@]}" "${JSONH[@]}" -d '{"projectId":"proj1"}'
expect_eq "--render-fail-rate does not change render ids" "$(jqb .id)" "$FIRST_ID"
stop "fake-plainly --seed 9" "$LAST_PID"
for bad in "--final-script failed" "--lifecycle 3,2,1" "--lifecycle 1,2" "--lifecycle 0,0,0 --final-script nope" \
    "--lifecycle 0,0,0 --render-fail-rate 2"; do
    rc=0
    read -r -a args <<< "$bad"
    "$PLAINLY" --port 0 "${args[@]}" > /dev/null 2> "$TMP/bad.err" || rc=$?
    expect_eq "$bad: refused (exit 2)" "$rc" 2
done

########################################################################## fake-apifootball
if [[ -z $APIF ]]; then
    echo "# fake-apifootball: skipped (no third argument)"
else
echo "# fake-apifootball"
AF_BASE=1796515200 # the scenario's base_time, 2026-12-06T00:00:00Z
AF_SHIFT=$((AF_BASE + 86400))
KO=1796569200 # fixture 1001's kick-off in the scenario, 2026-12-06T15:00:00Z
KEY=(-H 'x-apisports-key: test-key')
ROUND_Q='season=2026&league=39&round=Regular%20Season%20-%2012'
ROUND_KEY='/fixtures?league=39&round=Regular Season - 12&season=2026'
AF_5XX='{"message":"Something went wrong while fetching details. Try again later."}'
AF_MALFORMED='{"errors":[],"results":1,"response":[1,2,'
# the minute quota is a window on the wall-clock minute: start checks of it early in a minute
minute_start() { while [[ $(date +%S) > 48 ]]; do sleep 0.5; done; }
quota_hdrs() { echo "$(hdr x-ratelimit-requests-limit) $(hdr x-ratelimit-requests-remaining) $(hdr X-RateLimit-Limit) $(hdr X-RateLimit-Remaining)"; }
envelope_ok() { # the error envelope of a request to /fixtures?id=1001
    jq -e '.get == "fixtures" and .parameters == {"id": "1001"} and .results == 0 and .response == [] and .paging == {"current": 1, "total": 1}' "$TMP/body" > /dev/null 2>&1
}

start fake-apifootball "$TMP/af.out" "${WRAP[@]}" "$APIF" --port 0 --scenario "$SCEN_AF" \
    --log "$TMP/af.log" --shift-to "$AF_SHIFT" --api-key test-key --timeout-delay-ms 300 \
    --port-file "$TMP/af.port" --pidfile "$TMP/af.pid"
AF_PID=$LAST_PID
A="http://127.0.0.1:$PORT"
expect_eq "port file holds the port" "$(cat "$TMP/af.port")" "$PORT"
expect_eq "pid file holds the pid" "$(cat "$TMP/af.pid")" "$AF_PID"
NAF=0
areq() { NAF=$((NAF + 1)); req "$@"; }
minute_start

# auth: checked first; a refused request takes nothing and advances nothing
areq GET "$A/fixtures?$ROUND_Q"
expect_eq "no x-apisports-key header is 403" "$STATUS" 403
expect_body "no key: the API's 403 envelope, byte for byte" \
    '{"get":"fixtures","parameters":{"season":"2026","league":"39","round":"Regular Season - 12"},"errors":{"token":"Missing application key, you must add your application key in the headers.","error":"4xHe"},"results":0,"paging":{"current":1,"total":1},"response":[]}'
expect_eq "answers are application/json" "$(hdr Content-Type)" "application/json"
expect_eq "a refused request carries the quota headers and takes nothing" "$(quota_hdrs)" "7500 7500 300 300"
if grep -q '^x-ratelimit-requests-limit: ' "$TMP/hdr" && grep -q '^x-ratelimit-requests-remaining: ' "$TMP/hdr" &&
    grep -q '^X-RateLimit-Limit: ' "$TMP/hdr" && grep -q '^X-RateLimit-Remaining: ' "$TMP/hdr"; then
    ok "quota headers have the API's names and case"
else
    no "quota headers have the API's names and case" "$(tr -d '\r' < "$TMP/hdr" | tr '\n' '|')"
fi
areq GET "$A/fixtures?id=1001" -H 'x-apisports-key: wrong-key'
expect_eq "a wrong key (with --api-key) is 200" "$STATUS" 200
expect_body "wrong key: the token error envelope, byte for byte" \
    '{"get":"fixtures","parameters":{"id":"1001"},"errors":{"token":"Error/Missing application key. Go to https://www.api-football.com/documentation-v3 to learn how to get your API application key."},"results":0,"paging":{"current":1,"total":1},"response":[]}'
areq GET "$A/fixtures?id=1001" -H 'x-apisports-key;'
expect_eq "an empty key is 200 with the token error" "$STATUS $(jqb '.errors|keys|join(",")')" "200 token"

# routes: the path and the parameters sorted by name
areq GET "$A/fixtures?id=1001" "${KEY[@]}"
expect_eq "a refused request does not advance the sequence: step 1 is NS" \
    "$STATUS $(jqb '.response[0].fixture.status.short')" "200 NS"
expect_eq "an accepted request takes one from the day and the minute" "$(quota_hdrs)" "7500 7499 300 299"
areq GET "$A/fixtures?$ROUND_Q" "${KEY[@]}"
expect_eq "route key: %20 decoded, parameters sorted" "$STATUS $(jqb .results) $(jqb '.errors|length')" "200 2 0"
ROUND_BODY=$(cat "$TMP/body")
areq GET "$A/fixtures?round=Regular+Season+-+12&season=2026&league=39" "${KEY[@]}"
expect_eq "the same route in another parameter order, + for spaces" "$(cat "$TMP/body")" "$ROUND_BODY"
expect_eq "the scenario's envelope is served as written" "$(jqb '.parameters|keys_unsorted|join(",")')" "season,league,round"

# placeholders and the time shift
areq GET "$A/fixtures?date=$TODAY" "${KEY[@]}"
expect_eq "{today} in a parameter value matches today's UTC date" "$STATUS $(jqb .results)" "200 2"
expect_eq "a plain date is not shifted" "$(jqb .parameters.date)" "2026-12-06"
areq GET "$A/fixtures?date=$TOMORROW" "${KEY[@]}"
expect_eq "{today} does not match tomorrow: an empty result" \
    "$STATUS $(jqb '[.results, (.errors|type), (.response|length), .parameters.date]|map(tostring)|join(" ")')" \
    "200 0 array 0 $TOMORROW"
areq GET "$A/fixtures?timezone=Europe/Paris&date=$TODAY" "${KEY[@]}"
expect_eq "timestamp shifted by shift_to - base_time" "$(jqb '.response[0].fixture.timestamp')" $((KO + 86400))
expect_eq "an ISO date with +01:00 is shifted and keeps its offset" "$(jqb '.response[0].fixture.date')" \
    "2026-12-07T16:00:00+01:00"
expect_eq "null periods stay null" "$(jqb '.response[0].fixture.periods.first')" null
areq GET "$A/standings?season=2026&league=39" "${KEY[@]}"
expect_eq "standings: update is shifted" "$(jqb '.response[0].league.standings[0][0].update')" \
    "2026-12-07T00:00:00+00:00"

# unknown id, unknown endpoint, method, /status
areq GET "$A/fixtures?id=999999" "${KEY[@]}"
expect_eq "unknown id is 200" "$STATUS" 200
expect_body "unknown id: the empty envelope, byte for byte" \
    '{"get":"fixtures","parameters":{"id":"999999"},"errors":[],"results":0,"paging":{"current":1,"total":1},"response":[]}'
# fixtures?ids= composed from the id routes (an unknown id left out), no step taken
areq GET "$A/fixtures?ids=999999-1001" "${KEY[@]}"
expect_eq "ids: 200, the known fixture only" "$STATUS $(jqb .results) $(jqb '.response[0].fixture.id')" "200 1 1001"
expect_eq "ids: its parameters" "$(jqb .parameters.ids)" "999999-1001"
areq GET "$A/injuriez" "${KEY[@]}"
expect_eq "unknown endpoint is 404" "$STATUS" 404
expect_body "unknown endpoint: body" \
    '{"get":"injuriez","parameters":[],"errors":{"endpoint":"This endpoint does not exist."},"results":0,"paging":{"current":1,"total":1},"response":[]}'
areq POST "$A/fixtures?id=1001" "${KEY[@]}" -d x
expect_eq "POST is 405 with the method error" "$STATUS $(jqb .errors.method)" "405 Only GET requests are accepted."
areq GET "$A/status" "${KEY[@]}"
USED=$(jqb .response.requests.current)
REM=$(hdr x-ratelimit-requests-remaining)
expect_eq "/status: account, plan, requests used today" \
    "$STATUS $(jqb '[.response.account.email, .response.subscription.plan, .response.requests.limit_day, .results]|map(tostring)|join(" ")')" \
    "200 fake@example.invalid Free 7500 1"
expect_eq "/status: current is what was used" "$USED" $((7500 - REM))
areq GET "$A/status" "${KEY[@]}"
expect_eq "/status is not counted" "$(hdr x-ratelimit-requests-remaining) $(jqb .response.requests.current)" "$REM $USED"

# the entries' own faults, a delay, a time-based route
areq GET "$A/leagues?season=2019&id=39" "${KEY[@]}"
expect_eq "entry fault plan: 200 and the plan error" "$STATUS $(jqb .errors.plan)" \
    "200 Free plans do not have access to this season, try from 2022 to 2024."
areq GET "$A/fixtures/statistics?fixture=1001" "${KEY[@]}"
expect_body "entry fault malformed: a broken body" "$AF_MALFORMED"
areq GET "$A/fixtures/statistics?fixture=1001" "${KEY[@]}"
expect_eq "then the statistics" "$STATUS $(jqb '.response[0].statistics[6].value')" "200 58%"
expect_match "delay_ms delays the answer" "$TIME" '^0\.(1[5-9]|[2-9])|^[1-9]'
areq GET "$A/fixtures/lineups?fixture=1001" "${KEY[@]}"
expect_eq "lineups sequence: empty first" "$STATUS $(jqb .results)" "200 0"
areq GET "$A/fixtures/lineups?fixture=1001" "${KEY[@]}"
expect_eq "lineups sequence: then both teams with 11 each" \
    "$(jqb '[.results, (.response[0].startXI|length), (.response[1].startXI|length)]|map(tostring)|join(" ")')" "2 11 11"
areq GET "$A/fixtures/players?fixture=1001" "${KEY[@]}"
expect_eq "time-based route before its first entry: an empty result" "$STATUS $(jqb .results)" "200 0"
req POST "$A/_fake/advance" -d '{"seconds":3600}'
areq GET "$A/fixtures/players?fixture=1001" "${KEY[@]}"
expect_eq "time-based route after /_fake/advance" "$(jqb .results) $(jqb '.response[0].team.update')" \
    "1 2026-12-07T17:05:12+00:00"

# every fault, injected on the route key; none advances the sequence (next: FT)
minute_start
areq GET "$A/fixtures?id=1001" "${KEY[@]}"
expect_eq "step 2 is 1H, periods.first shifted" \
    "$(jqb '.response[0].fixture.status.short') $(jqb '.response[0].fixture.periods.first')" "1H $((KO + 86400))"
fault() { # NAME: injects it once on /fixtures?id=1001 and requests that
    req POST "$A/_fake/fault" -d "{\"path\":\"/fixtures?id=1001\",\"fault\":\"$1\"}"
    [[ $STATUS == 200 ]] || no "POST /_fake/fault $1" "$STATUS"
    areq GET "$A/fixtures?id=1001" "${KEY[@]}"
}
check_fault() { # NAME STATUS ERROR-KEY ERROR-TEXT
    fault "$1"
    if [[ $STATUS == "$2" ]] && envelope_ok && [[ $(jqb ".errors[\"$3\"]") == "$4" ]]; then
        ok "fault $1: $2 and errors.$3"
    else
        no "fault $1: $2 and errors.$3" "$STATUS $(cat "$TMP/body")"
    fi
}
check_fault token 200 token "Error/Missing application key. Go to https://www.api-football.com/documentation-v3 to learn how to get your API application key."
check_fault nokey 403 error 4xHe
R0="$(hdr x-ratelimit-requests-remaining) $(hdr X-RateLimit-Remaining)"
check_fault requests 200 requests "You have reached the request limit for the day, Go to https://dashboard.api-football.com to upgrade your plan."
expect_eq "fault requests does not touch the counters" \
    "$(hdr x-ratelimit-requests-remaining) $(hdr X-RateLimit-Remaining)" "$R0"
R0="$(hdr x-ratelimit-requests-remaining) $(hdr X-RateLimit-Remaining)"
check_fault rateLimit 200 rateLimit "Too many requests. Your rate limit is 300 requests per minute."
expect_eq "fault rateLimit does not touch the counters" \
    "$(hdr x-ratelimit-requests-remaining) $(hdr X-RateLimit-Remaining)" "$R0"
check_fault plan 200 plan "Free plans do not have access to this season, try from 2022 to 2024."
check_fault param 200 league "The League field must contain an integer."
check_fault server 200 bug "Something went wrong, our team is working on it."
expect_eq "fault server: time and report too" "$(jqb '.errors|keys_unsorted|join(",")')" "time,bug,report"
fault 500
expect_eq "fault 500" "$STATUS $(cat "$TMP/body")" "500 $AF_5XX"
expect_eq "a 500 carries the quota headers" "$(hdr X-RateLimit-Limit)" 300
fault 499
expect_eq "fault 499" "$STATUS $(cat "$TMP/body")" "499 $AF_5XX"
fault timeout
expect_eq "fault timeout: 500 after the wait" "$STATUS $(cat "$TMP/body")" "500 $AF_5XX"
expect_match "timeout waits --timeout-delay-ms" "$TIME" '^0\.[3-9]|^[1-9]'
fault reset
expect_eq "fault reset closes the connection (curl 52)" "$CURL_RC" 52
fault malformed
expect_eq "fault malformed" "$STATUS $(cat "$TMP/body")" "200 $AF_MALFORMED"
fault truncate
TRUNC_LEN=$(wc -c < "$TMP/body" | tr -d ' ')
if ! is_json && [[ $STATUS == 200 ]]; then ok "fault truncate: invalid JSON with a 200"; else no "fault truncate: invalid JSON with a 200"; fi
areq GET "$A/fixtures?id=1001" "${KEY[@]}"
expect_eq "faults did not advance the sequence: step 3 is FT, periods.second shifted" \
    "$(jqb '.response[0].fixture.status.short') $(jqb '.response[0].fixture.periods.second')" "FT $((KO + 3600 + 86400))"
expect_eq "truncate cut the body the request would have got in half" "$TRUNC_LEN" $(($(wc -c < "$TMP/body") / 2))
req POST "$A/_fake/fault" -d '{"path":"*","fault":"bogus"}'
expect_eq "unknown fault name is a 400 naming the faults" "$STATUS $(jqb .error)" \
    "400 need path (string) and fault (none, token, nokey, requests, rateLimit, plan, param, server, 500, 499, timeout, reset, truncate, malformed)"

# /_fake/quota: a spent day, a spent minute, the day back
minute_start
req POST "$A/_fake/quota" -d '{"day_remaining":0}'
expect_eq "POST /_fake/quota answers the quota" "$STATUS $(jqb .day_remaining)" "200 0"
areq GET "$A/fixtures?id=1001" "${KEY[@]}"
expect_eq "a spent day: 200 and the requests error" "$STATUS $(jqb '.errors|keys|join(",")') $(hdr x-ratelimit-requests-remaining)" \
    "200 requests 0"
req POST "$A/_fake/quota" -d '{"day_remaining":100,"minute_remaining":0}'
areq GET "$A/fixtures?id=1001" "${KEY[@]}"
expect_eq "a spent minute: 200 and the rateLimit error" "$STATUS $(jqb '.errors|keys|join(",")') $(quota_hdrs)" \
    "200 rateLimit 7500 100 300 0"
req POST "$A/_fake/quota" -d '{"minute_remaining":50}'
areq GET "$A/fixtures?id=1001" "${KEY[@]}"
expect_eq "the day and the minute back" "$STATUS $(jqb '.response[0].fixture.status.short') $(quota_hdrs)" \
    "200 FT 7500 99 300 49"
req POST "$A/_fake/quota" -d '{"day_remaining":-1}'
expect_eq "a negative quota is a 400" "$STATUS" 400

# stats and the log
req GET "$A/_fake/stats"
expect_eq "stats counts every API request (refused ones too, not control ones)" "$(jqb .requests)" "$NAF"
expect_eq "stats by_path uses the route key (the 403 and both orders)" "$(jq -r --arg k "$ROUND_KEY" '.by_path[$k]' "$TMP/body")" 3
expect_eq "stats quota and refused_headers" \
    "$(jqb '[.quota.day_limit, .quota.day_remaining, .quota.minute_limit, .quota.minute_remaining, .refused_headers, .offset]|map(tostring)|join(" ")')" \
    "7500 99 300 49 0 86400"
expect_eq "log has one line per API request" "$(wc -l < "$TMP/af.log" | tr -d ' ')" "$NAF"
LOG_RE='^[0-9]{13} (GET|POST) /.* [0-9]{1,3} key=(present|absent)$'
if grep -Evq "$LOG_RE" "$TMP/af.log"; then
    no "log lines are '<epoch_ms> <method> <route key> <status> key=<present|absent>'" "$(grep -Ev "$LOG_RE" "$TMP/af.log" | head -n1)"
else
    ok "log lines are '<epoch_ms> <method> <route key> <status> key=<present|absent>'"
fi
expect_eq "log: the first line is the 403 without a key" "$(head -n1 "$TMP/af.log" | cut -d' ' -f2-)" "GET $ROUND_KEY 403 key=absent"
expect_eq "log records the reset as status 0" "$(grep -c ' GET /fixtures?id=1001 0 key=present$' "$TMP/af.log")" 1

# reset
req POST "$A/_fake/reset"
expect_eq "POST /_fake/reset accepted" "$STATUS" 200
minute_start
req GET "$A/fixtures?id=1001" "${KEY[@]}"
expect_eq "reset: sequences and the quota back to start" \
    "$(jqb '.response[0].fixture.status.short') $(quota_hdrs)" "NS 7500 7499 300 299"
req GET "$A/_fake/stats"
expect_eq "reset clears counters" "$(jqb .requests)" 1
stop fake-apifootball "$AF_PID"
if [[ -e $TMP/af.pid ]]; then no "pid file removed on exit"; else ok "pid file removed on exit"; fi

# small quotas: --quota-minute 2 --quota-day 3
minute_start
start "fake-apifootball --quota-day 3 --quota-minute 2" "$TMP/afq.out" "${WRAP[@]}" "$APIF" --port 0 \
    --scenario "$SCEN_AF" --quota-day 3 --quota-minute 2 --threads 2
AFQ_PID=$LAST_PID
A="http://127.0.0.1:$PORT"
req GET "$A/fixtures?id=1001" "${KEY[@]}"
req GET "$A/fixtures?id=1001" "${KEY[@]}"
expect_eq "--quota-minute 2: two requests pass" "$STATUS $(jqb '.errors|length') $(quota_hdrs)" "200 0 3 1 2 0"
req GET "$A/fixtures?id=1001" "${KEY[@]}"
expect_eq "the third in the minute: the rateLimit error" "$STATUS $(jqb .errors.rateLimit) $(quota_hdrs)" \
    "200 Too many requests. Your rate limit is 2 requests per minute. 3 1 2 0"
req GET "$A/status" "${KEY[@]}"
expect_eq "/status still answers, current 2" "$STATUS $(jqb .response.requests.current)" "200 2"
req POST "$A/_fake/quota" -d '{"minute_remaining":5}'
req GET "$A/fixtures?id=1001" "${KEY[@]}"
expect_eq "then the last request of the day" "$STATUS $(jqb '.errors|length') $(quota_hdrs)" "200 0 3 0 2 4"
req GET "$A/fixtures?id=1001" "${KEY[@]}"
expect_eq "--quota-day 3: the fourth is the requests error" "$STATUS $(jqb '.errors|keys|join(",")') $(quota_hdrs)" \
    "200 requests 3 0 2 4"
stop "fake-apifootball --quota-day 3 --quota-minute 2" "$AFQ_PID"

# --quota-day 0 refuses before any fault; --quota-minute 0
start "fake-apifootball --quota-day 0" "$TMP/afz.out" "$APIF" --port 0 --scenario "$SCEN_AF" \
    --quota-day 0 --fault-rate 500=1
req GET "http://127.0.0.1:$PORT/fixtures?id=1001" "${KEY[@]}"
expect_eq "--quota-day 0: the requests error (before --fault-rate)" "$STATUS $(jqb '.errors|keys|join(",")')" "200 requests"
stop "fake-apifootball --quota-day 0" "$LAST_PID"
start "fake-apifootball --quota-minute 0" "$TMP/afm.out" "$APIF" --port 0 --scenario "$SCEN_AF" --quota-minute 0
req GET "http://127.0.0.1:$PORT/fixtures?id=1001" "${KEY[@]}"
expect_eq "--quota-minute 0: the rateLimit error" "$STATUS $(jqb .errors.rateLimit)" \
    "200 Too many requests. Your rate limit is 0 requests per minute."
req GET "http://127.0.0.1:$PORT/fixtures?id=1001" -H 'x-apisports-key: anything'
expect_eq "without --api-key any non-empty key is accepted" "$(jqb '.errors|keys|join(",")')" rateLimit
stop "fake-apifootball --quota-minute 0" "$LAST_PID"

# --strict-headers
start "fake-apifootball --strict-headers" "$TMP/afs.out" "${WRAP[@]}" "$APIF" --port 0 --scenario "$SCEN_AF" \
    --strict-headers --log "$TMP/afs.log"
AFS_PID=$LAST_PID
A="http://127.0.0.1:$PORT"
req GET "$A/fixtures?id=1001" "${KEY[@]}" -H 'If-None-Match: "abc"'
expect_eq "--strict-headers refuses If-None-Match" "$STATUS $(jqb .errors.headers)" \
    "200 Only the x-apisports-key header is accepted, got If-None-Match."
expect_eq "a refused header takes nothing" "$(hdr x-ratelimit-requests-remaining)" 7500
req GET "$A/fixtures?id=1001" "${KEY[@]}" -H 'X-Request-Id: 7'
expect_eq "--strict-headers refuses other X- headers" "$(jqb .errors.headers)" \
    "Only the x-apisports-key header is accepted, got X-Request-Id."
req GET "$A/fixtures?id=1001" "${KEY[@]}"
expect_eq "--strict-headers: x-apisports-key alone is served" "$STATUS $(jqb '.response[0].fixture.status.short')" "200 NS"
expect_eq "the log names the refused header" "$(head -n1 "$TMP/afs.log" | cut -d' ' -f2-)" \
    "GET /fixtures?id=1001 200 key=present refused=If-None-Match"
req GET "$A/_fake/stats"
expect_eq "stats refused_headers" "$(jqb .refused_headers)" 2
stop "fake-apifootball --strict-headers" "$AFS_PID"

# startup validation
mkdir -p "$TMP/afbad1" "$TMP/afbad2"
echo '{"routes":{"/fixtures?season=2026&league=39":[{"inline":{}}]}}' > "$TMP/afbad1/scenario.json"
echo '{"routes":{"/fixtures?id=1":[{"fault":"challenge"}]}}' > "$TMP/afbad2/scenario.json"
for b in afbad1:sorted afbad2:rateLimit; do
    dir=${b%%:*} word=${b#*:} rc=0
    "$APIF" --port 0 --scenario "$TMP/$dir" > /dev/null 2> "$TMP/$dir.err" || rc=$?
    if [[ $rc == 2 ]] && grep -q "$word" "$TMP/$dir.err"; then
        ok "bad scenario ($dir) refused, message names $word"
    else
        no "bad scenario ($dir) refused, message names $word" "rc=$rc: $(cat "$TMP/$dir.err")"
    fi
done
fi

echo "$PASS passed, $FAIL failed"
[[ $FAIL == 0 ]]
