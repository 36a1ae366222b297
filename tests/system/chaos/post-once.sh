#!/usr/bin/env bash
# tests/system/chaos/post-once.sh: a POST that Plainly stores and then answers by closing the
# connection (the fake's accept-then-reset) must be sent once, not twice.
#
# Builds tests/system/chaos/post_once.c against build/libbf.a, starts a fake Plainly, and runs
#   lib    lib/http.c's http_do as the consumers use it: one kept-alive easy handle, a
#          GET /me, then the POST /renders         -> the check: one render stored
#   fresh  plain libcurl with CURLOPT_FRESH_CONNECT on the POST (the proposed fix)
#          -> one render stored, the call fails with "Empty reply from server"
# Prints "ok - ..." / "not ok - ..." and "N passed, N failed". No server needed.
set -uo pipefail
cd "$(dirname "$0")/../../.." || exit 1
OUT=${POST_ONCE_DIR:-var/chaos/post-once}
mkdir -p "$OUT"
# shellcheck source=tests/support/tap.sh
. tests/support/tap.sh

make -s build/libbf.a build/fakes/fake-plainly >"$OUT/build.log" 2>&1 || { not_ok "build (see $OUT/build.log)"; echo "$passed passed, $failed failed"; exit 1; }
# shellcheck disable=SC2046
if ! cc -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O1 -g -I. $(pkg-config --cflags libcurl) \
	-o "$OUT/post_once" tests/system/chaos/post_once.c build/libbf.a \
	$(pkg-config --libs librabbitmq libcurl libcjson libpq libconfig libcrypto) -lpthread -lm >>"$OUT/build.log" 2>&1; then
	not_ok "build post_once (see $OUT/build.log)"; echo "$passed passed, $failed failed"; exit 1
fi

fake=
cleanup() { [[ -n $fake ]] && kill -TERM "$fake" 2>/dev/null && wait "$fake" 2>/dev/null; }
trap cleanup EXIT

for variant in lib fresh; do
	rm -f "$OUT/port" "$OUT/requests-$variant.jsonl"
	build/fakes/fake-plainly --port 0 --port-file "$OUT/port" --record "$OUT/requests-$variant.jsonl" \
		>"$OUT/fake-$variant.log" 2>&1 &
	fake=$!
	for ((i = 0; i < 100; i++)); do [[ -s $OUT/port ]] && break; sleep 0.05; done
	base=http://127.0.0.1:$(cat "$OUT/port")
	curl -fsS -X POST --data accept-then-reset "$base/_fake/script" >/dev/null
	"$OUT/post_once" "$base/api/v2" "post-once:$variant" "$variant" >"$OUT/run-$variant.txt" 2>&1
	stored=$(curl -fsS "$base/_fake/stats" | jq -r --arg s "post-once:$variant" '.by_subject[$s] // 0')
	posts=$(grep -c '"method":"POST"' "$OUT/requests-$variant.jsonl")
	answer=$(grep 'POST /renders' "$OUT/run-$variant.txt")
	kill -TERM "$fake"; wait "$fake" 2>/dev/null; fake=
	what="one POST /renders call ($variant: $([[ $variant == lib ]] && echo "lib/http.c http_do over a kept-alive connection" || echo "libcurl with CURLOPT_FRESH_CONNECT")), server stores it and closes without answering"
	if [[ $stored == 1 && $posts == 1 ]]; then
		ok "$what: sent once, stored once ($answer)"
	else
		not_ok "$what: $posts POSTs on the wire, $stored renders stored ($answer)"
		echo "#   libcurl re-sent the POST on a fresh connection (Curl_retry_request: nothing came back on a reused connection)"
	fi
done
echo "$passed passed, $failed failed"
((failed == 0))
