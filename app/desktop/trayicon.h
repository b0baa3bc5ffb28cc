// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QObject>

class QSystemTrayIcon;
class QMenu;

namespace Tessera::App {

class Application;

/**
 * @brief The notification-area icon: state at a glance, a menu, a way back to the window.
 *
 * Absent when the desktop has no system tray (e.g. bare Xvfb); the window is then the only UI.
 */
class TrayIcon : public QObject
{
    Q_OBJECT
public:
    explicit TrayIcon(Application *app, QObject *parent = nullptr);
    ~TrayIcon() override;

    [[nodiscard]] bool isVisible() const;

Q_SIGNALS:
    void openRequested();
    void quitRequested();

private:
    void refresh();

    Application *m_app;
    QSystemTrayIcon *m_tray = nullptr;
    QMenu *m_menu = nullptr;
};

} // namespace Tessera::App
