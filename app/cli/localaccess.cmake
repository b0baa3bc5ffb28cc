# SPDX-License-Identifier: GPL-3.0-or-later
# tessera-cli commands of local token access and the secret vault, relative to app/cli/.
set(TESSERA_CLI_LOCALACCESS_SOURCES
    localaccesscli.cpp localaccesscli.h
    auditcommand.cpp
    execcommand.cpp
    secretcommand.cpp
    tokencommand.cpp
    watchcommand.cpp)
