// SPDX-License-Identifier: GPL-3.0-or-later
#include "fixtureobject.h"

#include "application.h"
#include "consent/consentbroker.h"
#include "crypto/pkce.h"
#include "http/request.h"
#include "http/response.h"
#include "oauth/authorizationserver.h"
#include "store/auditlog.h"
#include "store/clientstore.h"
#include "store/database.h"
#include "store/grantstore.h"
#include "store/resourcestore.h"

#include <QAccessible>
#include <QClipboard>
#include <QFile>
#include <QGuiApplication>
#include <QJSEngine>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QUrl>

namespace Tessera::Test {

namespace {
QPointer<FixtureObject> s_instance;

bool inheritsClass(const QObject *object, const char *className)
{
    for (const QMetaObject *m = object->metaObject(); m; m = m->superClass()) {
        if (qstrcmp(m->className(), className) == 0)
            return true;
    }
    return false;
}

Http::Request tokenRequest(const QList<QPair<QString, QString>> &fields)
{
    QByteArrayList pairs;
    for (const auto &f : fields)
        pairs.append(QUrl::toPercentEncoding(f.first) + '=' + QUrl::toPercentEncoding(f.second));
    Http::Request r;
    r.method = "POST";
    r.target = "/token";
    r.path = "/token";
    r.headers.append("Content-Type", "application/x-www-form-urlencoded");
    r.body = pairs.join('&');
    r.peer.address = QHostAddress::LocalHost;
    return r;
}
} // namespace

FixtureObject::FixtureObject(App::Application *app, DemoData demo, QString tempDir, QObject *parent)
    : QObject(parent), m_app(app), m_demo(std::move(demo)), m_tempDir(std::move(tempDir))
{ }

FixtureObject *FixtureObject::create(QQmlEngine *, QJSEngine *)
{
    Q_ASSERT(s_instance);
    QJSEngine::setObjectOwnership(s_instance.data(), QJSEngine::CppOwnership);
    return s_instance.data();
}

void FixtureObject::setInstance(FixtureObject *instance)
{
    s_instance = instance;
}

QVariantMap FixtureObject::ids() const
{
    const DemoData &d = m_demo;
    return {
        { QStringLiteral("claudeCode"), d.claudeCode },
        { QStringLiteral("vscode"), d.vscode },
        { QStringLiteral("cursor"), d.cursor },
        { QStringLiteral("backupScript"), d.backupScript },
        { QStringLiteral("lookalike"), d.lookalike },
        { QStringLiteral("goose"), d.goose },
        { QStringLiteral("filesResource"), d.filesResource },
        { QStringLiteral("githubResource"), d.githubResource },
        { QStringLiteral("calendarResource"), d.calendarResource },
        { QStringLiteral("notesResource"), d.notesResource },
        { QStringLiteral("claudeFilesGrant"), d.claudeFilesGrant },
        { QStringLiteral("claudeGithubGrant"), d.claudeGithubGrant },
        { QStringLiteral("claudeNotesGrant"), d.claudeNotesGrant },
        { QStringLiteral("vscodeFilesGrant"), d.vscodeFilesGrant },
        { QStringLiteral("cursorGithubGrant"), d.cursorGithubGrant },
        { QStringLiteral("backupNotesGrant"), d.backupNotesGrant },
    };
}

QString FixtureObject::grantState(const QString &grantId) const
{
    auto g = Store::GrantStore(*m_app->database()).find(grantId);
    if (!g || !g->has_value())
        return QStringLiteral("missing");
    if ((*g)->state == Store::GrantState::Revoked)
        return QStringLiteral("revoked");
    return (*g)->isExpired(SystemClock::instance().nowSecs()) ? QStringLiteral("expired") : QStringLiteral("active");
}

QVariantMap FixtureObject::authorize()
{
    OAuth::AuthorizationServer *server = m_app->authorizationServer();
    if (!server)
        return {};
    Store::Database &db = *m_app->database();
    Store::Client c;
    c.clientId = QStringLiteral("pre_quicktest%1").arg(++m_flows);
    c.kind = Store::ClientKind::Preregistered;
    c.clientName = QStringLiteral("Quick test agent %1").arg(m_flows);
    c.redirectUris = { QStringLiteral("http://127.0.0.1/cb") };
    c.createdAt = SystemClock::instance().nowSecs();
    if (!Store::ClientStore(db).insert(c).ok())
        return {};
    auto resource = Store::ResourceStore(db).find(m_demo.filesResource);
    if (!resource || !resource->has_value())
        return {};
    auto grant = server->grants().grantFromApproval(
        c.clientId, **resource, { QStringLiteral("files:read") }, Consent::Duration::OneHour, QStringLiteral("user"));
    if (!grant)
        return {};
    const QByteArray verifier = QByteArrayLiteral("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
    OAuth::AuthorizationSnapshot s;
    s.clientId = c.clientId;
    s.redirectUri = QStringLiteral("http://127.0.0.1:40123/cb");
    s.resourceId = (*resource)->id;
    s.resourceUri = (*resource)->uri;
    s.scopes = { QStringLiteral("files:read") };
    s.codeChallenge = QString::fromLatin1(Crypto::s256Challenge(verifier));
    auto code = server->grants().issueCode(*grant, s);
    if (!code)
        return {};
    const Http::Response r = server->tokenEndpoint().handle(tokenRequest(
        { { QStringLiteral("grant_type"), QStringLiteral("authorization_code") }, { QStringLiteral("code"), *code },
            { QStringLiteral("redirect_uri"), s.redirectUri }, { QStringLiteral("client_id"), c.clientId },
            { QStringLiteral("code_verifier"), QString::fromLatin1(verifier) },
            { QStringLiteral("resource"), s.resourceUri } }));
    const QJsonObject o = QJsonDocument::fromJson(r.body).object();
    return { { QStringLiteral("grantId"), grant->id }, { QStringLiteral("clientId"), c.clientId },
        { QStringLiteral("refreshToken"), o.value(QStringLiteral("refresh_token")).toString() } };
}

QString FixtureObject::refresh(const QString &refreshToken)
{
    OAuth::AuthorizationServer *server = m_app->authorizationServer();
    if (!server)
        return QStringLiteral("no_server");
    // The client id is part of the refresh family; find it through the store.
    const Http::Response r = server->tokenEndpoint().handle(
        tokenRequest({ { QStringLiteral("grant_type"), QStringLiteral("refresh_token") },
            { QStringLiteral("refresh_token"), refreshToken },
            { QStringLiteral("client_id"), QStringLiteral("pre_quicktest%1").arg(m_flows) } }));
    const QJsonObject o = QJsonDocument::fromJson(r.body).object();
    return o.contains(QStringLiteral("access_token")) ? QStringLiteral("ok")
                                                      : o.value(QStringLiteral("error")).toString();
}

bool FixtureObject::clientExists(const QString &clientId) const
{
    auto c = Store::ClientStore(*m_app->database()).find(clientId);
    return c && c->has_value();
}

bool FixtureObject::resourceExists(const QString &name) const
{
    auto r = Store::ResourceStore(*m_app->database()).findByName(name);
    return r && r->has_value();
}

int FixtureObject::auditCount(const QString &kind, const QString &grantOrClient) const
{
    Store::AuditFilter f;
    f.kind = kind;
    f.limit = 10000;
    auto page = m_app->auditLog()->query(f);
    if (!page)
        return -1;
    int n = 0;
    for (const Store::AuditEvent &e : page->events) {
        if (grantOrClient.isEmpty() || e.grantId == grantOrClient || e.clientId == grantOrClient)
            ++n;
    }
    return n;
}

QString FixtureObject::readFile(const QString &path) const
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

bool FixtureObject::fileExists(const QString &path) const
{
    return QFile::exists(path);
}

QString FixtureObject::clipboardText() const
{
    return QGuiApplication::clipboard() ? QGuiApplication::clipboard()->text() : QString();
}

QUrl FixtureObject::fileUrl(const QString &path) const
{
    return QUrl::fromLocalFile(path);
}

void FixtureObject::unfreeze()
{
    if (m_app->consentBroker() && !m_app->consentBroker()->setFrozen(false, QStringLiteral("test")))
        qFatal("the test could not unfreeze the broker");
}

QString FixtureObject::accessibleName(QObject *item) const
{
    // Controls publish their names only while accessibility is on, as with a screen reader.
    if (!QAccessible::isActive())
        QAccessible::setActive(true);
    QAccessibleInterface *iface = item ? QAccessible::queryAccessibleInterface(item) : nullptr;
    QString name = iface ? iface->text(QAccessible::Name) : QString();
    // Without a platform accessibility bridge (offscreen), Qt Quick Controls never switch on
    // and so never copy a button's text into its name, as they do once a screen reader is
    // there (QQuickAbstractButton: maybeSetAccessibleName(text)). Do what they would.
    if (name.isEmpty() && item && inheritsClass(item, "QQuickAbstractButton"))
        name = item->property("text").toString();
    return name;
}

} // namespace Tessera::Test
