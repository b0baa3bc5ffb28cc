// SPDX-License-Identifier: GPL-3.0-or-later
#include "application.h"

#include "common/logging.h"
#include "ipc/ipcserver.h"
#include "ipc/protocol.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QLockFile>

namespace Tessera::App {

Application::Application(Locations locations, Mode mode, QObject *parent)
    : QObject(parent), m_locations(std::move(locations)), m_mode(mode), m_message(tr("Starting…"))
{
    m_uptime.start();
}

Application::~Application() = default;

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
    setState(State::Ready, tr("Ready"));
}

Status Application::startIpc()
{
    m_clientServer = new Ipc::IpcServer(QStringLiteral("client"), this);
    m_operatorServer = new Ipc::IpcServer(QStringLiteral("operator"), this);
    if (Status s = m_clientServer->listen(m_locations.clientSocketPath()); !s)
        return s;
    if (Status s = m_operatorServer->listen(m_locations.operatorSocketPath()); !s)
        return s;
    registerIpcMethods();
    return {};
}

void Application::registerIpcMethods()
{
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
        { QStringLiteral("uptimeSecs"), m_uptime.elapsed() / 1000 },
    };
}

} // namespace Tessera::App
