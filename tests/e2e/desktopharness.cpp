// SPDX-License-Identifier: GPL-3.0-or-later
#include "desktopharness.h"

#include "application.h"
#include "consent/consentbroker.h"
#include "desktop/consentcontroller.h"
#include "desktop/desktopshell.h"
#include "oauth/authorizationserver.h"
#include "store/clientstore.h"
#include "store/database.h"
#include "store/resourcestore.h"
#include "support/tesserainstance.h"
#include "vault/memorysecretstore.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDeadlineTimer>
#include <QEventLoop>
#include <QQmlApplicationEngine>
#include <QQuickWindow>
#include <QTimer>

#include <cstdio>

namespace Tessera::Test {

namespace {
const QString ResourceUri = QStringLiteral("http://127.0.0.1:8931/mcp");

QQuickWindow *rootWindow(App::DesktopShell *shell, const QString &objectName, bool firstIfUnnamed)
{
    if (!shell)
        return nullptr;
    const QList<QObject *> roots = shell->engine()->rootObjects();
    for (QObject *o : roots) {
        if (o->objectName() == objectName)
            return qobject_cast<QQuickWindow *>(o);
    }
    return firstIfUnnamed && !roots.isEmpty() ? qobject_cast<QQuickWindow *>(roots.first()) : nullptr;
}
} // namespace

DesktopHarness::DesktopHarness() = default;

DesktopHarness::~DesktopHarness()
{
    m_shell.reset();
    m_app.reset();
}

bool DesktopHarness::start()
{
    Locations where;
    where.dataDir = m_dir.path() + QStringLiteral("/data");
    where.configDir = m_dir.path() + QStringLiteral("/config");
    where.runtimeDir = m_dir.path() + QStringLiteral("/run");
    where.keychainService = QStringLiteral("org.tessera.Harness");
    where.port = TesseraInstance::freePort();
    m_app = std::make_unique<App::Application>(where, App::Application::Mode::Desktop);
    m_app->setSecretStoreForTesting(new Vault::MemorySecretStore(m_app.get()));
    if (Status s = m_app->acquireInstance(); !s) {
        std::fprintf(stderr, "harness: %s\n", qPrintable(s.error().message));
        return false;
    }
    m_app->start();
    QDeadlineTimer deadline(10000);
    while (m_app->state() == App::Application::State::Starting && !deadline.hasExpired())
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
    if (m_app->state() != App::Application::State::Ready) {
        std::fprintf(stderr, "harness: not ready: %s\n", qPrintable(m_app->statusMessage()));
        return false;
    }

    Store::Resource res;
    res.uri = ResourceUri;
    res.name = QStringLiteral("files");
    res.displayName = QStringLiteral("Project files");
    res.scopes = {
        { QStringLiteral("files:read"), QStringLiteral("Read files in ~/work/tessera"), Store::Risk::Low },
        { QStringLiteral("files:write"), QStringLiteral("Create, change and delete files"), Store::Risk::High },
        { QStringLiteral("files:list"), QStringLiteral("List folders"), Store::Risk::Low },
    };
    res.defaultScopes = { QStringLiteral("files:read") };
    auto added = Store::ResourceStore(*m_app->database()).add(res, QDateTime::currentSecsSinceEpoch());
    if (!added) {
        std::fprintf(stderr, "harness: %s\n", qPrintable(added.error().message));
        return false;
    }
    m_resourceId = added->id;

    m_shell = std::make_unique<App::DesktopShell>(m_app.get());
    return mainWindow() && promptWindow();
}

App::ConsentController *DesktopHarness::consent() const
{
    return m_shell ? m_shell->findChild<App::ConsentController *>() : nullptr;
}

QQuickWindow *DesktopHarness::mainWindow() const
{
    return rootWindow(m_shell.get(), QString(), true);
}

QQuickWindow *DesktopHarness::promptWindow() const
{
    return rootWindow(m_shell.get(), QStringLiteral("promptWindow"), false);
}

QString DesktopHarness::resourceUri() const
{
    return ResourceUri;
}

void DesktopHarness::addClient(const QString &clientId, const QString &name, const QString &kind)
{
    Store::ClientStore clients(*m_app->database());
    auto found = clients.find(clientId);
    if (found && found->has_value())
        return;
    Store::Client c;
    c.clientId = clientId;
    c.kind = Store::clientKindFromString(kind).value_or(Store::ClientKind::Dcr);
    c.clientName = name;
    c.redirectUris = { QStringLiteral("http://127.0.0.1/callback") };
    c.createdAt = QDateTime::currentSecsSinceEpoch();
    if (Status s = clients.insert(c); !s)
        std::fprintf(stderr, "harness: cannot add client: %s\n", qPrintable(s.error().message));
}

Consent::ConsentRequest DesktopHarness::request(const QString &clientId) const
{
    Consent::ConsentRequest r;
    r.path = Consent::Path::Authorize;
    r.requester.clientId = clientId;
    r.requester.clientKind = QStringLiteral("dcr");
    r.requester.redirectUri = QStringLiteral("http://127.0.0.1:53682/callback");
    r.requester.loopbackRedirect = true;
    r.resourceId = m_resourceId;
    r.resourceUri = ResourceUri;
    r.resourceName = QStringLiteral("Project files");
    r.scopes = {
        Consent::ScopeItem {
            QStringLiteral("files:read"), QStringLiteral("Read files in ~/work/tessera"), false, false },
        Consent::ScopeItem {
            QStringLiteral("files:write"), QStringLiteral("Create, change and delete files"), true, false },
    };
    r.snapshot = QJsonObject { { QStringLiteral("client_id"), clientId } };
    return r;
}

QString DesktopHarness::submit(const Consent::ConsentRequest &r)
{
    addClient(r.requester.clientId, r.requester.clientName, r.requester.clientKind);
    auto id = m_app->consentBroker()->submit(r, [](const Consent::Decision &) {});
    if (!id) {
        std::fprintf(stderr, "harness: submit refused: %s\n", qPrintable(id.error().message));
        return {};
    }
    return *id;
}

void DesktopHarness::seedHistory()
{
    OAuth::AuthorizationServer *server = m_app->authorizationServer();
    auto resource = Store::ResourceStore(*m_app->database()).find(m_resourceId);
    if (!server || !resource || !resource->has_value())
        return;
    const struct
    {
        const char *id;
        const char *name;
        const char *scopes;
        Consent::Duration duration;
    } seeds[] = {
        { "claude-code", "Claude Code", "files:read files:write", Consent::Duration::OneDay },
        { "vscode-agent", "VS Code agent", "files:read", Consent::Duration::OneHour },
        { "goose", "Goose", "files:list files:read", Consent::Duration::UntilRevoked },
    };
    for (const auto &s : seeds) {
        addClient(QString::fromLatin1(s.id), QString::fromLatin1(s.name));
        auto granted = server->grants().grantFromApproval(QString::fromLatin1(s.id), **resource,
            QString::fromLatin1(s.scopes).split(u' '), s.duration, QStringLiteral("user"));
        if (!granted)
            std::fprintf(stderr, "harness: cannot seed a grant: %s\n", qPrintable(granted.error().message));
    }
}

bool waitForFrame(QQuickWindow *window, int timeoutMs)
{
    if (!window)
        return false;
    QEventLoop loop;
    bool drawn = false;
    const auto conn = QObject::connect(window, &QQuickWindow::frameSwapped, &loop, [&] {
        drawn = true;
        loop.quit();
    });
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    window->requestUpdate();
    loop.exec();
    QObject::disconnect(conn);
    return drawn;
}

} // namespace Tessera::Test
