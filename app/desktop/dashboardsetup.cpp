// SPDX-License-Identifier: GPL-3.0-or-later
// The dashboard half of the desktop front end: its controllers and models.
#include "desktop/desktopshell.h"

namespace Tessera::App {

void setupDashboard(DesktopShell &) { }

} // namespace Tessera::App
