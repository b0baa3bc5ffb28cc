# SPDX-License-Identifier: GPL-3.0-or-later
# C++ sources of the consent prompt, tray and notifications, relative to app/.
set(TESSERA_PROMPT_SOURCES
    desktop/promptsetup.cpp
    desktop/trayicon.cpp desktop/trayicon.h)
