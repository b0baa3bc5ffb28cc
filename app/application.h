// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/filelimit.h"
#include "common/locations.h"
#include "common/result.h"

#include <QElapsedTimer>
#include <QJsonObject>
#include <QObject>

#include <memory>

class QLockFile;
class QTimer;

namespace Tessera::Ipc {
class IpcServer;
}
namespace Tessera::Store {
class AuditLog;
class BackgroundCheckpointer;
class Database;
} // namespace Tessera::Store
namespace Tessera::Vault {
class SecretStore;
}
namespace Tessera::OAuth {
class AuthorizationServer;
class KeyManager;
class ResourceService;
} // namespace Tessera::OAuth
namespace Tessera::Consent {
class ConsentBroker;
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

    /** @brief For tests: use this store instead of the OS keychain (call before start()). */
    void setSecretStoreForTesting(Vault::SecretStore *store);
    /** @brief How long to wait before asking an unavailable keychain again. */
    void setKeychainRetryMs(int ms) { m_keychainRetryMs = ms; }

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
    /** @brief Descriptor limit and both sockets' connections, caps and refusals (R7c). */
    [[nodiscard]] QJsonObject socketsJson() const;
    [[nodiscard]] const Locations &locations() const { return m_locations; }
    [[nodiscard]] Mode mode() const { return m_mode; }

    // The services, for the QML-facing adapters and tests. Null until start() reached them.
    [[nodiscard]] Store::Database *database() const { return m_db.get(); }
    [[nodiscard]] Store::AuditLog *auditLog() const { return m_audit.get(); }
    /** @brief Every change to resources, for tessera-cli and the dashboard (issue 10.4). */
    [[nodiscard]] OAuth::ResourceService *resources() const { return m_resources.get(); }
    [[nodiscard]] OAuth::KeyManager *keyManager() const { return m_keys; }
    [[nodiscard]] Consent::ConsentBroker *consentBroker() const { return m_broker; }
    [[nodiscard]] OAuth::AuthorizationServer *authorizationServer() const { return m_server; }
    /** @brief The keychain (secrets, cached client tokens). Null until start(). */
    [[nodiscard]] Vault::SecretStore *secretStore() const { return m_vault; }

Q_SIGNALS:
    void stateChanged();
    /** @brief Someone (a second `tessera` start, `tessera-cli show`) asked for the window. */
    void showRequested();

private:
    void setState(State state, const QString &message);
    [[nodiscard]] Status startIpc();
    [[nodiscard]] Status openDatabase();
    void unlockKeychain();
    void onKeychainFailure(const Error &error);
    void startAuthorizationServer();
    void registerIpcMethods();

    Locations m_locations;
    Mode m_mode;
    State m_state = State::Starting;
    QString m_message;
    QElapsedTimer m_uptime;
    std::unique_ptr<QLockFile> m_lock;
    Ipc::IpcServer *m_clientServer = nullptr;
    OpenFileLimit m_fileLimit;
    Ipc::IpcServer *m_operatorServer = nullptr;
    std::unique_ptr<Store::Database> m_db;
    static constexpr int AuditIndexIntervalMs = 500;
    static constexpr int AuditIndexBatch = 200;
    std::unique_ptr<Store::AuditLog> m_audit; ///< the one AuditLog of m_db (it caches the chain head)
    std::unique_ptr<OAuth::ResourceService> m_resources;
    std::unique_ptr<Store::BackgroundCheckpointer> m_checkpointer; ///< WAL checkpoints off the event loop
    Vault::SecretStore *m_vault = nullptr;
    OAuth::KeyManager *m_keys = nullptr;
    Consent::ConsentBroker *m_broker = nullptr;
    OAuth::AuthorizationServer *m_server = nullptr;
    QTimer *m_keychainRetry = nullptr;
    int m_keychainRetryMs = 10000;
};

} // namespace Tessera::App
