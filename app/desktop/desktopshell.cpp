// SPDX-License-Identifier: GPL-3.0-or-later
#include "desktop/desktopshell.h"

#include "application.h"
#include "common/logging.h"
#include "desktop/statuscontroller.h"
#include "desktop/trayicon.h"

#include <QCoreApplication>
#include <QGuiApplication>
#include <QIcon>
#include <QQmlApplicationEngine>
#include <QQuickStyle>

namespace Tessera::App {

DesktopShell::DesktopShell(Application *app, QObject *parent) : QObject(parent), m_app(app)
{
    QGuiApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/tessera.svg")));
    QGuiApplication::setDesktopFileName(QStringLiteral("org.tessera.Tessera"));
    // Closing the window keeps Tessera running in the tray; Quit is explicit.
    QGuiApplication::setQuitOnLastWindowClosed(false);
    if (qEnvironmentVariableIsEmpty("QT_QUICK_CONTROLS_STYLE"))
        QQuickStyle::setStyle(QStringLiteral("Fusion"));

    m_status = new StatusController(app, this);
    StatusController::setInstance(m_status);

    m_tray = new TrayIcon(app, this);
    connect(m_tray, &TrayIcon::openRequested, m_status, &StatusController::windowRequested);
    connect(m_tray, &TrayIcon::quitRequested, qApp, &QCoreApplication::quit);

    m_engine = std::make_unique<QQmlApplicationEngine>();
    m_engine->addImportPath(QStringLiteral("qrc:/qt/qml"));
    // The two halves of the front end create their controllers before any QML loads.
    setupDashboard(*this);
    setupPrompt(*this);
    m_engine->load(QUrl(QStringLiteral("qrc:/qt/qml/Tessera/Ui/Main.qml")));
    if (m_engine->rootObjects().isEmpty())
        qCCritical(lcApp) << "the main window failed to load";
    afterMainWindowLoaded(*this);
}

DesktopShell::~DesktopShell() = default;

} // namespace Tessera::App
