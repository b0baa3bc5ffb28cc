#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Refresh-rotation benchmark: Tessera (durable storage) against node oidc-provider, same run.
# See tests/bench/README.md. Not part of ctest, not part of CI's pass/fail.
#
#   tests/bench/run.sh [--duration S] [--warmup S] [--connections N] [--threads N]
#                      [--servers oidc-provider,tessera] [--json FILE] [--keep] [--perf FILE] [--strace FILE]
#
# 1. packaging/install-deps.sh (idempotent: wrk, node, npm, gnome-keyring, ... when missing);
# 2. the binaries in build/bin (or $TESSERA_BIN_DIR); packaging/build.sh runs only when they are
#    missing — this script never builds anything else;
# 3. `npm ci` in tests/bench when node_modules is missing or older than the lockfile;
# 4. bench.mjs inside tests/support/with-keyring.sh (a private Secret Service for Tessera's key).
# Exit status: 0 when the run had no errors (targets met or not), 1 on any error, 2 on usage.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)

"$repo/packaging/install-deps.sh" >/dev/null
for tool in node npm wrk; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "run.sh: '$tool' is still missing after packaging/install-deps.sh" >&2
        exit 1
    fi
done

bin=${TESSERA_BIN_DIR:-$repo/build/bin}
if [ ! -x "$bin/tessera" ] || [ ! -x "$bin/tessera-cli" ]; then
    if [ -n "${TESSERA_BIN_DIR:-}" ]; then
        echo "run.sh: $bin has no tessera and tessera-cli" >&2
        exit 1
    fi
    echo "run.sh: no binaries in $bin yet; building with packaging/build.sh ..."
    "$repo/packaging/build.sh"
fi
cache="$bin/../CMakeCache.txt"
if [ -f "$cache" ]; then
    type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$cache")
    sanitize=$(sed -n 's/^TESSERA_SANITIZE:[A-Z]*=//p' "$cache")
    case "$type" in
    Release | RelWithDebInfo) ;;
    *) echo "run.sh: warning: $bin is a '${type:-no build type}' build; figures need an optimized build" >&2 ;;
    esac
    if [ -n "$sanitize" ]; then
        echo "run.sh: warning: $bin is built with sanitizers ($sanitize); figures are not representative" >&2
    fi
fi

lock="$here/package-lock.json"
stamp="$here/node_modules/.bench-package-lock.json"
if [ ! -d "$here/node_modules" ] || ! cmp -s "$lock" "$stamp"; then
    echo "run.sh: installing tests/bench npm packages (npm ci) ..."
    npm ci --prefix "$here" --no-audit --no-fund >/dev/null
    cp "$lock" "$stamp"
fi

exec "$repo/tests/support/with-keyring.sh" node "$here/bench.mjs" --bin-dir "$bin" "$@"
