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

private:
    Application *m_app;
    StatusController *m_status = nullptr;
    TrayIcon *m_tray = nullptr;
    std::unique_ptr<QQmlApplicationEngine> m_engine;
};

} // namespace Tessera::App
