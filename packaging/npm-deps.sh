#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs the npm packages the interop tests use, exactly as pinned by the lockfile.
# Skips the work when node_modules already matches the lockfile.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
for dir in "$root/tests/interop"; do
    [ -f "$dir/package-lock.json" ] || continue
    stamp="$dir/node_modules/.tessera-lock.sha256"
    want=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        continue
    fi
    echo "npm-deps: npm ci in ${dir#"$root"/}"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$want" >"$stamp"
done
