#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Issue 10.2: the README's quick start as a newcomer runs it on a server without a Secret
# Service. `./packaging/run` in one terminal; `tessera-cli status` and `./packaging/demo` from
# another. Each "terminal" is a clean environment: no D-Bus session, no XDG_RUNTIME_DIR, no
# display, a HOME of its own. A fake xdg-open plays the person's browser (headless Chromium) and
# the test approves the prompt with tessera-cli, as the person would.
#   quickstart.sh BUILD_DIR          exit 77 (skipped) without chromium or the npm packages
set -eu
root=$(cd "$(dirname "$0")/../../.." && pwd)
build=$1
[ -x /usr/bin/chromium ] || { echo "SKIP: /usr/bin/chromium is missing"; exit 77; }
[ -d "$root/tests/interop/node_modules/playwright-core" ] || { echo "SKIP: run packaging/npm-deps.sh"; exit 77; }

work=$(mktemp -d "${TMPDIR:-/tmp}/tessera-quickstart.XXXXXX")
runpid=""
demopid=""
# Whatever a failed run left: every process started in one of this test's terminals (they alone
# have its TMPDIR), Tessera, the keyring and the browser included.
cleanup() {
    for environ in /proc/[0-9]*/environ; do
        if tr '\0' '\n' <"$environ" 2>/dev/null | grep -qxF "TMPDIR=$work/tmp"; then
            pid=${environ#/proc/}
            kill -TERM "${pid%/environ}" 2>/dev/null || true
        fi
    done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
mkdir -p "$work/home" "$work/tmp" "$work/bin"
free_port() {
    node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}
port=$(free_port)
demoport=$(free_port)
fail() {
    echo "FAIL: $1"
    for f in run demo browser; do
        [ -f "$work/$f.log" ] && { echo "--- $f.log"; tail -n 40 "$work/$f.log"; }
    done
    exit 1
}

# A terminal of the newcomer's: nothing from this test's environment but what a login gives.
# (ASan options pass through so that the sanitizer build can run this too.)
# The shell in that terminal becomes the command (exec), so $! of a backgrounded one is its pid.
terminal() {
    exec env -i HOME="$work/home" PATH="$work/bin:/usr/sbin:/usr/bin:/sbin:/bin" LANG=C.UTF-8 \
        TMPDIR="$work/tmp" TESSERA_PORT="$port" TESSERA_BUILD_DIR="$build" \
        ${ASAN_OPTIONS:+ASAN_OPTIONS="$ASAN_OPTIONS"} ${UBSAN_OPTIONS:+UBSAN_OPTIONS="$UBSAN_OPTIONS"} "$@"
}
cli() { (terminal "$build/bin/tessera-cli" "$@"); }

cat >"$work/bin/xdg-open" <<SCRIPT
#!/bin/sh
exec node "$root/tests/app/quickstart/browser.mjs" "\$1" >>"$work/browser.log" 2>&1
SCRIPT
chmod +x "$work/bin/xdg-open"

# Terminal 1: README command 1.
(terminal "$root/packaging/run") >"$work/run.log" 2>&1 &
runpid=$!
i=0
until cli status >"$work/status.txt" 2>&1; do
    i=$((i + 1))
    # 3 min: run also installs and builds what is missing (nothing, when the suite runs).
    [ $i -lt 360 ] || fail "tessera-cli status in another terminal never found the Tessera that packaging/run started"
    kill -0 "$runpid" 2>/dev/null || fail "packaging/run ended"
    sleep 0.5
done
grep -q "is running (headless" "$work/status.txt" || fail "status: $(cat "$work/status.txt")"
grep -q "no Secret Service is running. Starting a private one" "$work/run.log" ||
    fail "packaging/run did not take the no-Secret-Service path"
echo "ok: tessera-cli status from another terminal: $(head -n 1 "$work/status.txt")"

# Terminal 2: the demo, and the person approving its prompt.
(terminal "$root/packaging/demo" --port "$demoport") >"$work/demo.log" 2>&1 &
demopid=$!
i=0
until grep -q "list_files →" "$work/demo.log"; do
    i=$((i + 1))
    [ $i -lt 240 ] || fail "the demo never called its tool"
    kill -0 "$demopid" 2>/dev/null || fail "the demo ended"
    for id in $(cli --json requests | grep -o '"id": *"[^"]*"' | sed 's/.*"\([^"]*\)"$/\1/'); do
        cli approve "$id" >/dev/null
    done
    sleep 0.5
done
grep -q "approved: scope" "$work/demo.log" || fail "the demo was not approved"
grep -q "browser: reached the redirect URI" "$work/browser.log" || fail "the browser did not reach the client"
echo "ok: the demo signed in through the browser and called list_files"

# Ctrl-C ends the demo; Tessera stops cleanly and its private keyring goes with it.
ended() { # PID SECONDS: waits until PID is gone
    n=0
    while kill -0 "$1" 2>/dev/null; do
        n=$((n + 1))
        [ $n -lt $(($2 * 10)) ] || return 1
        sleep 0.1
    done
}
kill -INT "$demopid"
ended "$demopid" 10 || fail "the demo did not end on Ctrl-C ($(ps -o stat=,args= -p "$demopid"))"
wait "$demopid" || fail "the demo did not end cleanly on Ctrl-C"
demopid=""
tesserapid=$(cli --json status | grep -o '"pid": *[0-9]*' | head -n 1 | sed 's/.*[: ]//')
kill -TERM "$tesserapid"
ended "$runpid" 20 || fail "Tessera did not stop ($(ps -o stat=,args= -p "$runpid"))"
wait "$runpid" || fail "Tessera did not stop cleanly"
runpid=""
if ls -d "$work/tmp"/tessera-demo-keyring.* >/dev/null 2>&1; then
    fail "the private keyring outlived Tessera"
fi
echo "ok: Tessera stopped, its private keyring is gone"
