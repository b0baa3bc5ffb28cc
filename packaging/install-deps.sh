#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The single list of what Tessera needs on Debian 12. Used by the README's two
# commands and by .ci/run. Idempotent: installs only what is missing, so a
# second run costs one dpkg query.
set -eu

PACKAGES="
build-essential cmake ninja-build pkg-config git ccache mold
clang clang-format clang-tidy libclang-rt-14-dev
libssl-dev openssl sqlite3 libsqlite3-dev
qt6-base-dev qt6-base-dev-tools qt6-declarative-dev qt6-declarative-dev-tools
qtkeychain-qt6-dev libqt6sql6-sqlite libsecret-1-0
qt6-svg-dev libqt6svg6 qt6-qpa-plugins qt6-wayland
qml6-module-qtquick qml6-module-qtqml qml6-module-qtqml-models
qml6-module-qtqml-workerscript qml6-module-qtquick-controls
qml6-module-qtquick-templates qml6-module-qtquick-layouts
qml6-module-qtquick-window qml6-module-qtquick-dialogs
qml6-module-qt-labs-platform qml6-module-qttest qml6-module-qtcore
gnome-keyring libsecret-tools dbus dbus-bin dbus-x11
xvfb xauth xdotool x11-utils imagemagick fonts-dejavu-core
chromium wrk tmux procps iproute2 curl ca-certificates nodejs npm bash-completion zsh
"

missing=""
for p in $PACKAGES; do
    # dpkg-query prints "install ok installed" only for fully installed packages.
    if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != "install ok installed" ]; then
        missing="$missing $p"
    fi
done

# Node.js >= 20 is expected on the machine; Debian's nodejs (18) is only a
# fallback so that a truly bare machine can still run the npm-based tests.
if command -v node >/dev/null 2>&1; then
    missing=$(printf '%s\n' $missing | grep -vx -e nodejs -e npm | tr '\n' ' ' || true)
fi

if [ -n "$(echo "$missing" | tr -d ' ')" ]; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    echo "install-deps: installing:$missing"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    # shellcheck disable=SC2086
    $SUDO apt-get install -y -qq --no-install-recommends $missing
else
    echo "install-deps: all packages present"
fi
