// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QObject>

#include <memory>

class QQmlApplicationEngine;

namespace Tessera::App {

class Application;
class StatusController;
class TrayIcon;

/** @brief The desktop front end: QML engine, controllers and tray over one Application. */
class DesktopShell : public QObject
{
    Q_OBJECT
public:
    explicit DesktopShell(Application *app, QObject *parent = nullptr);
    ~DesktopShell() override;

    [[nodiscard]] QQmlApplicationEngine *engine() const { return m_engine.get(); }
    [[nodiscard]] Application *app() const { return m_app; }
    [[nodiscard]] StatusController *statusController() const { return m_status; }
    [[nodiscard]] TrayIcon *tray() const { return m_tray; }

private:
    Application *m_app;
    StatusController *m_status = nullptr;
    TrayIcon *m_tray = nullptr;
    std::unique_ptr<QQmlApplicationEngine> m_engine;
};

/** @brief Dashboard controllers and models (desktop/dashboardsetup.cpp). Runs before Main.qml loads. */
void setupDashboard(DesktopShell &shell);
/** @brief Consent prompt, notifications (desktop/promptsetup.cpp). Runs before Main.qml loads. */
void setupPrompt(DesktopShell &shell);
/** @brief Anything that needs the loaded main window (desktop/promptsetup.cpp). */
void afterMainWindowLoaded(DesktopShell &shell);

} // namespace Tessera::App
