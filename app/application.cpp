// SPDX-License-Identifier: GPL-3.0-or-later
#include "application.h"

#include "common/filelimit.h"
#include "common/logging.h"
#include "consent/consentbroker.h"
#include "ipc/ipcserver.h"
#include "ipc/protocol.h"
#include "ipcapi.h"
#include "oauth/authorizationserver.h"
#include "oauth/keymanager.h"
#include "oauth/resourceservice.h"
#include "store/auditlog.h"
#include "store/checkpointer.h"
#include "store/database.h"
#include "vault/keychainsecretstore.h"
#include "vault/secretstore.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QLockFile>
#include <QPointer>
#include <QRegularExpression>
#include <QTimer>

#include <pwd.h>
#include <unistd.h>

#include <sys/prctl.h>

namespace Tessera::App {

Application::Application(Locations locations, Mode mode, QObject *parent)
    : QObject(parent), m_locations(std::move(locations)), m_mode(mode), m_message(tr("Starting…"))
{
    m_uptime.start();
}

Application::~Application()
{
    // Stop serving first, then let the broker answer what is pending while the database lives.
    delete m_server;
    m_server = nullptr;
    delete m_broker;
    m_broker = nullptr;
    delete m_keys;
    m_keys = nullptr;
}

void Application::setSecretStoreForTesting(Vault::SecretStore *store)
{
    m_vault = store;
}

Status Application::acquireInstance()
{
    if (Status s = m_locations.ensureDirectories(); !s)
        return s;
    m_lock = std::make_unique<QLockFile>(m_locations.lockFilePath());
    // Stale only if the owning pid is gone (staleLockTime 0 disables the age heuristic).
    m_lock->setStaleLockTime(0);
    if (m_lock->tryLock(0))
        return {};
    qint64 pid = 0;
    QString host, app;
    m_lock->getLockInfo(&pid, &host, &app);
    m_lock.reset();
    return Error::make(QStringLiteral("already_running"),
        tr("Tessera is already running (pid %1) for %2.").arg(pid).arg(m_locations.runtimeDir));
}

void Application::start()
{
    if (Status s = startIpc(); !s) {
        setState(State::Failed, s.error().message);
        return;
    }
    if (Status s = openDatabase(); !s) {
        setState(State::Failed, tr("Cannot open the database: %1").arg(s.error().message));
        return;
    }
    if (!m_vault)
        m_vault = new Vault::KeychainSecretStore(m_locations.keychainService, this);
    m_keys = new OAuth::KeyManager(*m_db, *m_audit, *m_vault, SystemClock::instance(), this);
    m_broker = new Consent::ConsentBroker(*m_db, *m_audit, SystemClock::instance(), this);
    if (Status s = m_broker->closeStale(); !s)
        qCWarning(lcApp).noquote() << "could not close stale consent requests:" << s.error().message;
    m_keychainRetry = new QTimer(this);
    m_keychainRetry->setSingleShot(true);
    connect(m_keychainRetry, &QTimer::timeout, this, &Application::unlockKeychain);
    unlockKeychain();
}

Status Application::openDatabase()
{
    auto db = Store::Database::open(m_locations.databasePath());
    if (!db)
        return db.error();
    m_db = std::move(*db);
    m_audit = std::make_unique<Store::AuditLog>(*m_db, SystemClock::instance());
    m_resources = std::make_unique<OAuth::ResourceService>(*m_db, *m_audit, SystemClock::instance());
    if (auto checkpointer = Store::BackgroundCheckpointer::start(*m_db))
        m_checkpointer = std::move(*checkpointer);
    else // SQLite's own automatic checkpoints stay on: slower commits now and then, nothing lost
        qCWarning(lcApp).noquote() << "WAL checkpoints stay on the main thread:" << checkpointer.error().message;
    // The audit log's text-search index is filled in batches, off the token endpoint's path
    // (AuditLog::indexForSearch says why); searches never lag behind it.
    auto *indexing = new QTimer(this);
    indexing->setInterval(AuditIndexIntervalMs);
    connect(indexing, &QTimer::timeout, this, [this] {
        // Small steps keep each pause of the event loop short (about 50 µs an event). Under a
        // long burst the index falls behind; searches still see everything (LIKE on the rest).
        if (auto added = m_audit->indexForSearch(AuditIndexBatch); !added)
            qCWarning(lcApp).noquote() << "audit search indexing failed:" << added.error().message;
    });
    indexing->start();
    return {};
}

void Application::unlockKeychain()
{
    QPointer<Application> self(this);
    // Probe first: a missing Secret Service must say so plainly, not as a key error.
    m_vault->probe([self](Status probed) {
        if (!self)
            return;
        if (!probed) {
            self->onKeychainFailure(probed.error());
            return;
        }
        self->m_keys->load([self](Status loaded) {
            if (!self)
                return;
            if (!loaded) {
                self->onKeychainFailure(loaded.error());
                return;
            }
            self->startAuthorizationServer();
        });
    });
}

void Application::startAuthorizationServer()
{
    if (!m_server) {
        const passwd *pw = ::getpwuid(::getuid());
        const QString user = pw ? QString::fromLocal8Bit(pw->pw_name) : QString::number(::getuid());
        m_server
            = new OAuth::AuthorizationServer(OAuth::ServerContext { *m_db, *m_audit, SystemClock::instance(), *m_keys,
                                                 *m_broker, m_locations.issuer(), QStringLiteral("local:") + user },
                this);
        // Browser-based MCP clients (e.g. an inspector at http://localhost:6274) need CORS on
        // /token, /register and /revoke; none is allowed unless the person names the origins.
        const QStringList origins = qEnvironmentVariable("TESSERA_CORS_ORIGINS")
                                        .split(QRegularExpression(QStringLiteral("[\\s,]+")), Qt::SkipEmptyParts);
        if (Status s = m_server->setCorsAllowedOrigins(origins); !s) {
            delete m_server;
            m_server = nullptr;
            setState(State::Failed, tr("TESSERA_CORS_ORIGINS: %1").arg(s.error().message));
            return;
        }
        if (Status s = m_server->start(m_locations.port); !s) {
            delete m_server;
            m_server = nullptr;
            // Fail closed: never move to a port the clients do not know (security-cases A8).
            setState(
                State::Failed, tr("Cannot serve on 127.0.0.1:%1: %2").arg(m_locations.port).arg(s.error().message));
            return;
        }
    }
    setState(State::Ready, tr("Ready · signing key %1").arg(m_keys->activeKid().left(8)));
}

void Application::onKeychainFailure(const Error &error)
{
    const bool keychain = error.code == QLatin1String(Vault::Errors::KeychainUnavailable)
        || error.code == QLatin1String(Vault::Errors::AccessDenied)
        || error.code == QLatin1String(Vault::Errors::KeychainError);
    if (!keychain) {
        setState(State::Failed, tr("Cannot load the signing key: %1").arg(error.message));
        return;
    }
    // Fail closed, but keep asking: the keyring is often unlocked after Tessera starts.
    setState(State::KeychainUnavailable,
        tr("Keychain unavailable: %1 Tessera issues no tokens until it can keep its key there; retrying.")
            .arg(error.message));
    m_keychainRetry->start(m_keychainRetryMs);
}

Status Application::startIpc()
{
    // R7c: room for connections, and caps well below it. client.sock may use half of what is
    // left after the rest of Tessera, operator.sock (the person's own tools) a tenth.
    m_fileLimit = raiseOpenFileLimit();
    Ipc::IpcLimits operatorLimits;
    operatorLimits.maxConnections = 32;
    operatorLimits.maxPerProcess = 8;
    m_clientServer
        = new Ipc::IpcServer(QStringLiteral("client"), Ipc::IpcLimits {}.fittedTo(m_fileLimit.soft, 0.5), this);
    m_operatorServer
        = new Ipc::IpcServer(QStringLiteral("operator"), operatorLimits.fittedTo(m_fileLimit.soft, 0.1), this);
    if (Status s = m_clientServer->listen(m_locations.clientSocketPath()); !s)
        return s;
    if (Status s = m_operatorServer->listen(m_locations.operatorSocketPath()); !s)
        return s;
    registerIpcMethods();
    return {};
}

void Application::registerIpcMethods()
{
    registerClientApi(*m_clientServer, *this);
    registerOperatorApi(*m_operatorServer, *this);

    const auto status = [this](const Ipc::IpcRequest &request) { request.reply(statusJson()); };
    m_clientServer->handle(QStringLiteral("status"), status);
    m_operatorServer->handle(QStringLiteral("status"), status);

    m_operatorServer->handle(QStringLiteral("show"), [this](const Ipc::IpcRequest &request) {
        if (m_mode == Mode::Headless) {
            request.fail(Error::make(QStringLiteral("headless"),
                tr("This Tessera runs headless (pid %1); it has no window. Use tessera-cli.")
                    .arg(QCoreApplication::applicationPid())));
            return;
        }
        Q_EMIT showRequested();
        request.reply(QJsonObject { { QStringLiteral("shown"), true } });
    });
}

void Application::setState(State state, const QString &message)
{
    if (m_state == state && m_message == message)
        return;
    m_state = state;
    m_message = message;
    qCInfo(lcApp).noquote() << "state:" << message;
    Q_EMIT stateChanged();
}

QJsonObject Application::statusJson() const
{
    static const char *const names[] = { "starting", "ready", "keychain_unavailable", "failed" };
    return QJsonObject {
        { QStringLiteral("version"), QCoreApplication::applicationVersion() },
        { QStringLiteral("protocol"), Ipc::ProtocolVersion },
        { QStringLiteral("pid"), QCoreApplication::applicationPid() },
        { QStringLiteral("mode"), m_mode == Mode::Headless ? QStringLiteral("headless") : QStringLiteral("desktop") },
        { QStringLiteral("state"), QString::fromLatin1(names[static_cast<int>(m_state)]) },
        { QStringLiteral("message"), m_message },
        { QStringLiteral("issuer"), m_locations.issuer() },
        { QStringLiteral("dataDir"), m_locations.dataDir },
        { QStringLiteral("database"), m_locations.databasePath() },
        { QStringLiteral("runtimeDir"), m_locations.runtimeDir },
        { QStringLiteral("keychainService"), m_locations.keychainService },
        { QStringLiteral("schemaVersion"), m_db ? m_db->schemaVersion() : 0 },
        { QStringLiteral("signingKid"), m_keys && m_keys->isReady() ? m_keys->activeKid() : QString() },
        { QStringLiteral("pendingRequests"), m_broker ? int(m_broker->pending().size()) : 0 },
        { QStringLiteral("frozen"), m_broker && m_broker->isFrozen() },
        // R11: what a freeze cannot stop: the last access token already out, valid until then (0: none).
        { QStringLiteral("lastAccessTokenExpiresAt"), m_server ? m_server->lastAccessTokenExpiresAt() : 0 },
        { QStringLiteral("uptimeSecs"), m_uptime.elapsed() / 1000 },
        { QStringLiteral("dumpable"), ::prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0 }, // R9: false
        { QStringLiteral("sockets"), socketsJson() },
    };
}

QJsonObject Application::socketsJson() const
{
    const auto one = [](const Ipc::IpcServer *server) {
        if (!server)
            return QJsonObject {};
        return QJsonObject { { QStringLiteral("connections"), server->connectionCount() },
            { QStringLiteral("maxConnections"), server->limits().maxConnections },
            { QStringLiteral("maxPerProcess"), server->limits().maxPerProcess },
            { QStringLiteral("refused"), server->refusedConnections() },
            { QStringLiteral("relistens"), server->relistens() } };
    };
    return QJsonObject { { QStringLiteral("openFileLimit"), qint64(m_fileLimit.soft) },
        { QStringLiteral("client"), one(m_clientServer) }, { QStringLiteral("operator"), one(m_operatorServer) } };
}

} // namespace Tessera::App
