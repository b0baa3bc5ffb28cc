// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/locations.h"
#include "common/result.h"

#include <QElapsedTimer>
#include <QJsonObject>
#include <QObject>

#include <memory>

class QLockFile;

namespace Tessera::Ipc {
class IpcServer;
}

namespace Tessera::App {

/**
 * @brief The composition root: builds every core service, owns it, and wires it together.
 *
 * The desktop front end and `tessera --headless` run the same Application; the desktop
 * adds QML-facing controllers on top (app/desktop). Start-up is asynchronous because the
 * keychain is:
 *
 *     acquireInstance()  -- instance lock in the runtime dir; a second start stops here
 *     start()
 *       +--> IPC sockets listen (status works from the first moment)
 *       +--> database open + migrations
 *       +--> keychain probe  --(unavailable)--> state KeychainUnavailable, retry later
 *       +--> signing key: load from keychain, or create on first start
 *       +--> state Ready
 */
class Application : public QObject
{
    Q_OBJECT
public:
    enum class Mode
    {
        Desktop,
        Headless
    };
    enum class State
    {
        Starting,
        Ready,
        KeychainUnavailable,
        Failed
    };
    Q_ENUM(State)

    Application(Locations locations, Mode mode, QObject *parent = nullptr);
    ~Application() override;

    /**
     * @brief Takes the per-user instance lock. Fails with `already_running` (the caller
     * should ask the running instance to show itself) or a directory error.
     */
    [[nodiscard]] Status acquireInstance();

    /** @brief Starts the services; watch stateChanged(). */
    void start();

    [[nodiscard]] State state() const { return m_state; }
    /** @brief One line for the status bar, the tray tooltip and `tessera-cli status`. */
    [[nodiscard]] QString statusMessage() const { return m_message; }
    [[nodiscard]] QJsonObject statusJson() const;
    [[nodiscard]] const Locations &locations() const { return m_locations; }
    [[nodiscard]] Mode mode() const { return m_mode; }

Q_SIGNALS:
    void stateChanged();
    /** @brief Someone (a second `tessera` start, `tessera-cli show`) asked for the window. */
    void showRequested();

private:
    void setState(State state, const QString &message);
    [[nodiscard]] Status startIpc();
    void registerIpcMethods();

    Locations m_locations;
    Mode m_mode;
    State m_state = State::Starting;
    QString m_message;
    QElapsedTimer m_uptime;
    std::unique_ptr<QLockFile> m_lock;
    Ipc::IpcServer *m_clientServer = nullptr;
    Ipc::IpcServer *m_operatorServer = nullptr;
};

} // namespace Tessera::App
