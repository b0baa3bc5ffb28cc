# SPDX-License-Identifier: GPL-3.0-or-later
# C++ sources of the consent prompt, tray and notifications, relative to app/.
set(TESSERA_PROMPT_SOURCES
    desktop/promptsetup.cpp
    desktop/consentcontroller.cpp desktop/consentcontroller.h
    desktop/pendingrequestmodel.cpp desktop/pendingrequestmodel.h
    desktop/scopechoicemodel.cpp desktop/scopechoicemodel.h
    desktop/notifier.cpp desktop/notifier.h
    desktop/trayicon.cpp desktop/trayicon.h)
