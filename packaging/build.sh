#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Configures (once) and builds Tessera. Fast when nothing changed.
#   TESSERA_BUILD_DIR   build directory (default: build)
#   TESSERA_CMAKE_ARGS  extra configure arguments, e.g. "-DTESSERA_WERROR=ON"
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build="${TESSERA_BUILD_DIR:-$root/build}"
case "$build" in /*) ;; *) build="$root/$build" ;; esac

mkdir -p "$build"
# shellcheck disable=SC2086
cmake -S "$root" -B "$build" -G Ninja ${TESSERA_CMAKE_ARGS:-} >"$build/configure.log" 2>&1 || {
    cat "$build/configure.log" >&2
    exit 1
}
cmake --build "$build" -j"$(nproc)"
