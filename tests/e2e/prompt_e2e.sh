#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# End to end through the real consent prompt: `tessera` (desktop) under Xvfb with a private
# keyring; a real OAuth client (curl: registration, PKCE, /authorize, the held wait request)
# asks; the test clicks Approve in the real window with xdotool, first at once (refused: the
# Approve delay), then after the delay (approved); the browser side gets its 303 with a code,
# and the code is redeemed at /token for an access token.
#
#   prompt_e2e.sh BIN_DIR      (ctest runs it inside tests/support/with-keyring.sh)
#   TESSERA_E2E_SCREENSHOT=/tmp/x.png  also saves the screen just before the approving click
set -eu

bin=$(cd "$1" && pwd)
for tool in xvfb-run xdotool curl python3; do
    command -v "$tool" >/dev/null 2>&1 || { echo "SKIP: $tool is not installed"; exit 77; }
done
if [ -z "${TESSERA_E2E_IN_XVFB:-}" ]; then
    export TESSERA_E2E_IN_XVFB=1
    exec xvfb-run -a -s "-screen 0 1400x900x24" "$0" "$@"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tessera-e2e.XXXXXX")
tessera_pid=""
listener_pid=""
wait_pid=""
cleanup() {
    for p in $wait_pid $listener_pid $tessera_pid; do kill "$p" 2>/dev/null || true; done
    [ -z "$tessera_pid" ] || wait "$tessera_pid" 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

fail() {
    echo "FAIL: $*"
    if command -v import >/dev/null 2>&1; then
        shot="${TMPDIR:-/tmp}/tessera-e2e-failure-$$.png"
        import -window root "$shot" 2>/dev/null && echo "screen at failure: $shot"
    fi
    echo "--- tessera log (last 40 lines)"
    tail -n 40 "$tmp/tessera.log" || true
    exit 1
}
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export TESSERA_DATA_DIR="$tmp/data" TESSERA_CONFIG_DIR="$tmp/config" TESSERA_RUNTIME_DIR="$tmp/run" \
       TESSERA_PORT="$port" TESSERA_KEYCHAIN_SERVICE="org.tessera.E2E.$$"
issuer="http://127.0.0.1:$port"
cli() { "$bin/tessera-cli" "$@"; }

# 1. The desktop app, on the X server (no --headless), ready when the CLI says so.
QT_QPA_PLATFORM=xcb "$bin/tessera" >"$tmp/tessera.log" 2>&1 &
tessera_pid=$!
ready=0
for _ in $(seq 1 300); do
    if cli status >/dev/null 2>&1; then ready=1; break; fi
    kill -0 "$tessera_pid" 2>/dev/null || fail "tessera exited"
    sleep 0.05
done
[ "$ready" = 1 ] || fail "tessera did not become ready"

# 2. A protected resource, and a program listening on the redirect port (the "client").
cli resource add files --uri http://127.0.0.1:8931/mcp \
    --scope 'files:read=Read files' --scope 'files:write:high=Write files' >/dev/null || fail "resource add"
python3 -c '
import socket, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(4)
print(s.getsockname()[1], flush=True)
time.sleep(600)
' >"$tmp/listener.port" &
listener_pid=$!
for _ in $(seq 1 100); do [ -s "$tmp/listener.port" ] && break; sleep 0.05; done
cb_port=$(cat "$tmp/listener.port")
[ -n "$cb_port" ] || fail "no redirect listener"
redirect="http://127.0.0.1:$cb_port/callback"

# 3. Dynamic client registration and PKCE, as an MCP client does.
reg=$(curl -sf -X POST -H 'Content-Type: application/json' \
    -d '{"client_name":"E2E Agent","redirect_uris":["http://127.0.0.1/callback"],"grant_types":["authorization_code","refresh_token"],"token_endpoint_auth_method":"none"}' \
    "$issuer/register") || fail "registration"
client_id=$(echo "$reg" | json 'd["client_id"]')
verifier=$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')
challenge=$(python3 -c "import hashlib,base64; print(base64.urlsafe_b64encode(hashlib.sha256(b'$verifier').digest()).rstrip(b'=').decode())")
enc() { python3 -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }
authorize="$issuer/authorize?response_type=code&client_id=$(enc "$client_id")&redirect_uri=$(enc "$redirect")&code_challenge=$challenge&code_challenge_method=S256&state=e2e-state&resource=$(enc http://127.0.0.1:8931/mcp)&scope=files%3Aread%20files%3Awrite"

# 4. The browser: /authorize answers "approve in Tessera" and points at the held wait request.
curl -sf -c "$tmp/jar" -o "$tmp/page.html" "$authorize" || fail "/authorize"
wait_path=$(grep -o 'url=[^"]*' "$tmp/page.html" | head -n 1 | sed 's/^url=//; s/&amp;/\&/g')
[ -n "$wait_path" ] || fail "no wait URL in the page"
curl -s -b "$tmp/jar" -D "$tmp/wait.headers" -o /dev/null "$issuer$wait_path" &
wait_pid=$!

# 5. The prompt window appears; click Approve at once: the delay refuses it.
wid=""
for _ in $(seq 1 200); do
    wid=$(xdotool search --onlyvisible --name '^Tessera: access request$' 2>/dev/null | head -n 1 || true)
    [ -n "$wid" ] && break
    sleep 0.05
done
[ -n "$wid" ] || fail "the prompt window did not appear"
eval "$(xdotool getwindowgeometry --shell "$wid")"
# Approve is the rightmost footer button: 16 px margins, at least 110 px wide.
approve_x=$((WIDTH - 16 - 50))
approve_y=$((HEIGHT - 16 - 12))
xdotool mousemove --window "$wid" "$approve_x" "$approve_y" click 1
sleep 0.3
pending=$(cli --json requests) || fail "requests"
[ "$(echo "$pending" | json 'len(d)')" = 1 ] || fail "the early click answered the request: $pending"
kill -0 "$wait_pid" 2>/dev/null || fail "the browser got an answer after the early click"
# What Tessera verified: the listener on the redirect port is the program it names.
owner=$(echo "$pending" | json 'd[0]["requester"]["processChain"][0]["pid"] if d[0]["requester"]["processChain"] else ""')
[ "$owner" = "$listener_pid" ] || fail "prompt names pid '$owner' as the redirect owner, expected $listener_pid"

# 6. After the delay, the same click approves.
sleep 1.5
# For review: the real window on the X server, as the person sees it (TESSERA_E2E_SCREENSHOT=file.png).
if [ -n "${TESSERA_E2E_SCREENSHOT:-}" ] && command -v import >/dev/null 2>&1; then
    import -window root "$TESSERA_E2E_SCREENSHOT" || echo "note: screenshot failed"
fi
xdotool mousemove --window "$wid" "$approve_x" "$approve_y" click 1
for _ in $(seq 1 100); do kill -0 "$wait_pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$wait_pid" 2>/dev/null && fail "no answer for the browser after Approve"
wait_pid=""
head -n 1 "$tmp/wait.headers" | grep -q ' 303' || fail "wait answered $(head -n 1 "$tmp/wait.headers")"
location=$(grep -i '^location:' "$tmp/wait.headers" | tr -d '\r' | cut -d' ' -f2-)
code=$(python3 -c 'import sys,urllib.parse as u; q=u.parse_qs(u.urlparse(sys.argv[1]).query); print(q["code"][0] if "code" in q else "")' "$location")
[ -n "$code" ] || fail "no code in $location"
case "$location" in "$redirect"*) ;; *) fail "redirected elsewhere: $location" ;; esac
echo "$location" | grep -q 'state=e2e-state' || fail "state not echoed"

# 7. The client redeems the code: an access token comes back.
token=$(curl -sf -X POST --data-urlencode grant_type=authorization_code --data-urlencode "code=$code" \
    --data-urlencode "code_verifier=$verifier" --data-urlencode "client_id=$client_id" \
    --data-urlencode "redirect_uri=$redirect" --data-urlencode resource=http://127.0.0.1:8931/mcp \
    "$issuer/token") || fail "/token refused the code"
access=$(echo "$token" | json 'd.get("access_token","")')
[ -n "$access" ] || fail "no access token in the /token answer"
scope=$(echo "$token" | json 'd.get("scope","")')
[ "$scope" = "files:read files:write" ] || fail "token scope '$scope'"
[ "$(cli --json grants | json 'len(d)')" = 1 ] || fail "expected one grant"
echo "PASS: early click refused, Approve after the delay issued a code, /token issued an access token"
