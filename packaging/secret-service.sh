#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# secret-service.sh check            exit 0 if a Secret Service is reachable on the session bus
# secret-service.sh private CMD...   run CMD inside a private session bus with its own
#                                    gnome-keyring; keyrings live in a temp dir removed at exit
set -eu

has_secret_service() {
    [ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ] || return 1
    for call in NameHasOwner ListActivatableNames; do
        if [ "$call" = NameHasOwner ]; then arg="string:org.freedesktop.secrets"; else arg=""; fi
        # shellcheck disable=SC2086
        out=$(timeout 5 dbus-send --session --print-reply --dest=org.freedesktop.DBus \
            /org/freedesktop/DBus org.freedesktop.DBus.$call $arg 2>/dev/null) || continue
        case "$out" in
            *"boolean true"*|*'"org.freedesktop.secrets"'*) return 0 ;;
        esac
    done
    return 1
}

case "${1:-}" in
check)
    has_secret_service
    ;;
private)
    shift
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/tessera-demo-keyring.XXXXXX")
    trap 'rm -rf "$tmp"' EXIT INT TERM
    # Keep Tessera's own data where it belongs; only the keyring is throwaway.
    export TESSERA_DATA_DIR="${TESSERA_DATA_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/tessera}"
    export TESSERA_CONFIG_DIR="${TESSERA_CONFIG_DIR:-${XDG_CONFIG_HOME:-$HOME/.config}/tessera}"
    # And its sockets where tessera-cli looks from any other terminal (issue 10.2): the same
    # default Tessera picks (core/common/locations.cpp), before the private runtime directory
    # below, which is for the keyring's own sockets only.
    if [ -z "${TESSERA_RUNTIME_DIR:-}" ]; then
        if [ -n "${XDG_RUNTIME_DIR:-}" ]; then
            TESSERA_RUNTIME_DIR="$XDG_RUNTIME_DIR/tessera"
        else
            base="${TMPDIR:-/tmp}"
            while [ "${base%/}" != "$base" ] && [ "$base" != / ]; do base="${base%/}"; done
            TESSERA_RUNTIME_DIR="$base/tessera-$(id -u)"
        fi
        export TESSERA_RUNTIME_DIR
    fi
    export XDG_DATA_HOME="$tmp/data"
    mkdir -p "$XDG_DATA_HOME"
    if [ -z "${XDG_RUNTIME_DIR:-}" ]; then
        export XDG_RUNTIME_DIR="$tmp/run"
        mkdir -p "$XDG_RUNTIME_DIR"
        chmod 700 "$XDG_RUNTIME_DIR"
    fi
    dbus-run-session -- sh -c '
        printf "%s" "$(head -c 24 /dev/urandom | od -An -tx1 | tr -d " \n")" |
            gnome-keyring-daemon --daemonize --login >/dev/null
        gnome-keyring-daemon --start --components=secrets >/dev/null
        "$@"
    ' sh "$@"
    ;;
*)
    echo "usage: secret-service.sh check | private CMD..." >&2
    exit 2
    ;;
esac
