// SPDX-License-Identifier: GPL-3.0-or-later
// The consent-prompt half of the desktop front end: prompt window, tray, notifications. (Who
// listens on a redirect port is core's: OAuth::AuthorizeEndpoint, for desktop and headless alike.)
#include "application.h"
#include "common/clock.h"
#include "common/logging.h"
#include "desktop/consentcontroller.h"
#include "desktop/desktopshell.h"
#include "desktop/notifier.h"
#include "desktop/trayicon.h"

#include <QDBusConnection>
#include <QQmlApplicationEngine>

namespace Tessera::App {

void setupPrompt(DesktopShell &shell)
{
    Application *app = shell.app();
    auto *consent = new ConsentController(app->consentBroker(), app->database(), SystemClock::instance(), &shell);
    ConsentController::setInstance(consent);

    shell.tray()->attach(consent, shell.statusController());

    auto *notifier = new Notifier(QDBusConnection::sessionBus(), consent);
    notifier->watch(consent);
    QObject::connect(notifier, &Notifier::openRequested, consent, &ConsentController::requestPrompt);
}

void afterMainWindowLoaded(DesktopShell &shell)
{
    // Created now, hidden, so that a request only has to show it (product.md: visible <= 100 ms).
    // The engine owns it like the main window and deletes it with the rest.
    const int before = int(shell.engine()->rootObjects().size());
    shell.engine()->load(QUrl(QStringLiteral("qrc:/qt/qml/Tessera/Ui/prompt/PromptWindow.qml")));
    if (shell.engine()->rootObjects().size() == before)
        qCCritical(lcApp) << "the consent prompt failed to load; requests can be answered with tessera-cli";
}

} // namespace Tessera::App
