#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Renders every dashboard page (and the consent prompt, where its renderer is built) to PNG,
# light and dark, for review and for the README. No display needed (offscreen, software).
#
#   packaging/screenshots.sh [pages] [prompts]      (default: both)
#
#   TESSERA_BUILD_DIR       build directory (default: build)
#   TESSERA_SCREENSHOT_DIR  output folder (default: packaging/screenshots, committed)
#
# Pages: tests/qml/dashboard/render_pages runs the real Application and Main.qml on a seeded
#   database (tests/qml/dashboard/dashboardfixture.cpp) and writes <page>-<light|dark>.png,
#   frozen-*.png, resource-form-*.png, and the light set again at 200 % (*-x2.png).
# Prompts: tests/e2e's tessera-screenshots writes prompt-<scenario>-<light|dark>.png.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build="${TESSERA_BUILD_DIR:-$root/build}"
case "$build" in /*) ;; *) build="$root/$build" ;; esac
out="${TESSERA_SCREENSHOT_DIR:-$root/packaging/screenshots}"

want_pages=0 want_prompts=0
[ $# -eq 0 ] && { want_pages=1; want_prompts=1; }
for arg in "$@"; do
    case "$arg" in
        pages) want_pages=1 ;;
        prompts) want_prompts=1 ;;
        *) echo "usage: $0 [pages] [prompts]" >&2; exit 2 ;;
    esac
done

[ -f "$build/CMakeCache.txt" ] || "$root/packaging/build.sh"
mkdir -p "$out"
export QT_QPA_PLATFORM=offscreen QT_QUICK_BACKEND=software QT_LOGGING_RULES="tessera.*=false;qt.qml.binding=false"

if [ "$want_pages" = 1 ]; then
    cmake --build "$build" --target render_pages
    "$build/bin/render_pages" --out "$out"
    "$build/bin/render_pages" --out "$out" --dark
    "$build/bin/render_pages" --out "$out" --scale 2
fi

if [ "$want_prompts" = 1 ]; then
    if cmake --build "$build" --target tessera-screenshots >/dev/null 2>&1; then
        tool="$build/bin/tessera-screenshots"
        args=""
        for s in $("$tool" --list-prompts); do args="$args --prompt $s"; done
        # shellcheck disable=SC2086
        "$tool" --out "$out" $args --suffix -light
        # shellcheck disable=SC2086
        "$tool" --out "$out" $args --suffix -dark --dark
    else
        echo "The prompt renderer (tests/e2e tessera-screenshots) is not built here; pages only." >&2
    fi
fi
echo "screenshots in $out"
