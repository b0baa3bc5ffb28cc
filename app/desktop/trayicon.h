// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QIcon>
#include <QObject>
#include <QPointer>

class QAction;
class QSystemTrayIcon;
class QMenu;

namespace Tessera::App {

class Application;
class ConsentController;
class StatusController;

/**
 * @brief The notification-area icon: state at a glance, a menu, a way back to the window.
 *
 * States: normal, pending (with the count), frozen; each with its own icon
 * (resources/icons/tessera{,-pending,-frozen}.svg). Menu: Open Tessera, Pending requests,
 * Freeze/Unfreeze, Quit. Absent when the desktop has no system tray (e.g. bare Xvfb); the
 * state and the menu still exist then, and the windows are the only UI.
 */
class TrayIcon : public QObject
{
    Q_OBJECT
public:
    enum class State
    {
        Normal,
        Pending,
        Frozen,
    };
    Q_ENUM(State)

    explicit TrayIcon(Application *app, QObject *parent = nullptr);
    ~TrayIcon() override;

    /** @brief Called by setupPrompt(): where the counts and the freeze switch come from. */
    void attach(ConsentController *consent, StatusController *status);

    [[nodiscard]] bool isVisible() const;
    [[nodiscard]] State state() const { return m_state; }
    [[nodiscard]] QString toolTip() const { return m_toolTip; }
    [[nodiscard]] QIcon icon() const { return m_icon; }
    [[nodiscard]] QMenu *menu() const { return m_menu; }

Q_SIGNALS:
    void openRequested();
    void quitRequested();
    void stateChanged();

private:
    void refresh();
    [[nodiscard]] static QIcon iconFor(State state, int pending);

    Application *m_app;
    QPointer<ConsentController> m_consent;
    QPointer<StatusController> m_status;
    QSystemTrayIcon *m_tray = nullptr;
    QMenu *m_menu;
    QAction *m_pendingAction;
    QAction *m_freezeAction;
    State m_state = State::Normal;
    int m_pending = -1;
    QString m_toolTip;
    QIcon m_icon;
};

} // namespace Tessera::App
