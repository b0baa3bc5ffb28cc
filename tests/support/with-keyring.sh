#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs a command against a real, private Secret Service: a fresh D-Bus session bus
# with its own gnome-keyring-daemon, in a throwaway HOME. Nothing touches the user's
# keyring, and everything (bus, daemon, files) is gone when the command ends.
#
#   with-keyring.sh [--no-keyring] COMMAND [ARGS...]
#
# --no-keyring starts a private bus on which no Secret Service exists or can be
# activated, to test fail-closed paths.
set -eu

start_keyring=1
if [ "${1:-}" = "--no-keyring" ]; then
    start_keyring=0
    shift
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tessera-keyring.XXXXXX")
cleanup() { rm -rf "$tmp"; }
trap cleanup EXIT INT TERM

mkdir -p "$tmp/home" "$tmp/data" "$tmp/config" "$tmp/cache" "$tmp/run"
chmod 700 "$tmp/run"
export HOME="$tmp/home" XDG_DATA_HOME="$tmp/data" XDG_CONFIG_HOME="$tmp/config" \
       XDG_CACHE_HOME="$tmp/cache" XDG_RUNTIME_DIR="$tmp/run"
export TESSERA_KEYRING_START="$start_keyring"

# The inner shell runs inside the new bus. gnome-keyring-daemon --login reads the
# login password on stdin and creates/unlocks the login keyring; the second call
# starts the secrets component on this bus. The daemon exits with the bus.
here=$(cd "$(dirname "$0")" && pwd)
config=""
[ "$start_keyring" = 1 ] || config="--config-file=$here/dbus-session-no-activation.conf"

# shellcheck disable=SC2086
dbus-run-session $config -- sh -c '
    if [ "$TESSERA_KEYRING_START" = 1 ]; then
        printf "tessera-test" | gnome-keyring-daemon --daemonize --login >/dev/null
        gnome-keyring-daemon --start --components=secrets >/dev/null
    fi
    unset TESSERA_KEYRING_START
    "$@"
' sh "$@"
