# SPDX-License-Identifier: GPL-3.0-or-later
# Sources of local token access and the secret vault (tessera-cli token/exec/secret/audit), relative to app/.
set(TESSERA_LOCALACCESS_SOURCES
    localaccess/caller.cpp localaccess/caller.h
    localaccess/localaccess.cpp localaccess/localaccess.h
    localaccess/localaccessapi.cpp localaccess/localaccessapi.h
    localaccess/tokenexchange.cpp localaccess/tokenexchange.h)
