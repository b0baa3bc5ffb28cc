// SPDX-License-Identifier: GPL-3.0-or-later
// The consent-prompt half of the desktop front end: prompt window, notifications.
#include "desktop/desktopshell.h"

namespace Tessera::App {

void setupPrompt(DesktopShell &) { }

void afterMainWindowLoaded(DesktopShell &) { }

} // namespace Tessera::App
