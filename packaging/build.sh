#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Configures (once) and builds Tessera. Fast when nothing changed.
#   TESSERA_BUILD_DIR   build directory (default: build)
#   TESSERA_CMAKE_ARGS  extra configure arguments, e.g. "-DTESSERA_WERROR=ON"
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build="${TESSERA_BUILD_DIR:-$root/build}"
case "$build" in /*) ;; *) build="$root/$build" ;; esac

# Faster rebuilds and links when install-deps.sh put them there: ccache (keyed by content, with
# paths relative to the tree so that fresh clones share it) and the mold linker.
# TESSERA_FAST_TOOLS=0 builds with the plain toolchain.
fast=""
if [ "${TESSERA_FAST_TOOLS:-1}" = 1 ]; then
    if command -v ccache >/dev/null 2>&1; then
        fast="$fast -DCMAKE_CXX_COMPILER_LAUNCHER=env;CCACHE_BASEDIR=$root;CCACHE_NOHASHDIR=1;ccache"
    fi
    if command -v mold >/dev/null 2>&1; then
        fast="$fast -DCMAKE_EXE_LINKER_FLAGS=-fuse-ld=mold -DCMAKE_SHARED_LINKER_FLAGS=-fuse-ld=mold"
    fi
fi

mkdir -p "$build"
# shellcheck disable=SC2086
cmake -S "$root" -B "$build" -G Ninja $fast ${TESSERA_CMAKE_ARGS:-} >"$build/configure.log" 2>&1 || {
    cat "$build/configure.log" >&2
    exit 1
}
cmake --build "$build" -j"$(nproc)"
