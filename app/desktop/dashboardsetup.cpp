// SPDX-License-Identifier: GPL-3.0-or-later
// The dashboard half of the desktop front end: its controllers and models.
#include "desktop/dashboardcontext.h"
#include "desktop/dashboardcontroller.h"
#include "desktop/desktopshell.h"
#include "desktop/settingscontroller.h"

#include <QTimer>

namespace Tessera::App {

void setupDashboard(DesktopShell &shell)
{
    // Owned by the shell; the QML singletons hand out these instances (C++ ownership).
    auto *context = new DashboardContext(shell.app(), &shell);
    DashboardContext::setInstance(context);
    auto *dashboard = new DashboardController(context, &shell);
    DashboardController::setInstance(dashboard);
    auto *settings = new SettingsController(context, &shell);
    SettingsController::setInstance(settings);
    // The broker was built with default limits; the person's prompt timeout wins.
    settings->applyToBroker();
    // Check the audit chain once the window is up (in the background), so a broken chain
    // is flagged without anyone having to look for it.
    QTimer::singleShot(1500, dashboard, &DashboardController::verifyChain);
}

} // namespace Tessera::App
