// SPDX-License-Identifier: GPL-3.0-or-later
#include "promptfixture.h"

#include "consent/consentbroker.h"
#include "desktop/consentcontroller.h"
#include "store/auditlog.h"
#include "store/clientstore.h"
#include "store/database.h"
#include "store/resourcestore.h"
#include "store/settingsstore.h"

#include <QJSEngine>
#include <QPointer>
#include <memory>

namespace Tessera::Test {

namespace {
QPointer<PromptFixture> s_instance;

const QString ResourceUri = QStringLiteral("http://127.0.0.1:8931/mcp");
} // namespace

PromptFixture::PromptFixture(QObject *parent) : QObject(parent)
{
    auto db = Store::Database::open(m_dir.path() + QStringLiteral("/prompt.db"));
    if (!db)
        qFatal("fixture: cannot open the database: %s", qPrintable(db.error().message));
    m_db = std::move(*db);
    m_audit = std::make_unique<Store::AuditLog>(*m_db, m_clock);

    Store::Resource res;
    res.uri = ResourceUri;
    res.name = QStringLiteral("files");
    res.displayName = QStringLiteral("Project files");
    res.scopes = {
        { QStringLiteral("files:read"), QStringLiteral("Read files in the project"), Store::Risk::Low },
        { QStringLiteral("files:write"), QStringLiteral("Create, change and delete files"), Store::Risk::High },
        { QStringLiteral("files:list"), QStringLiteral("List folders"), Store::Risk::Low },
    };
    auto added = Store::ResourceStore(*m_db).add(res, m_clock.nowSecs());
    if (!added)
        qFatal("fixture: cannot add the resource: %s", qPrintable(added.error().message));
    m_resourceId = added->id;

    m_broker = new Consent::ConsentBroker(*m_db, *m_audit, m_clock, this);
    m_controller = new App::ConsentController(m_broker, m_db.get(), m_clock, this);
    App::ConsentController::setInstance(m_controller);
    s_instance = this;
}

PromptFixture::~PromptFixture()
{
    // The broker answers what is still pending on its way out; the database must outlive it.
    delete m_controller;
    delete m_broker;
}

PromptFixture *PromptFixture::create(QQmlEngine *, QJSEngine *)
{
    Q_ASSERT(s_instance);
    QJSEngine::setObjectOwnership(s_instance.data(), QJSEngine::CppOwnership);
    return s_instance.data();
}

PromptFixture *PromptFixture::instance()
{
    return s_instance.data();
}

void PromptFixture::ensureClient(const QString &clientId, const QString &name, const QString &kind)
{
    Store::ClientStore clients(*m_db);
    auto found = clients.find(clientId);
    if (found && found->has_value())
        return;
    Store::Client c;
    c.clientId = clientId;
    c.kind = Store::clientKindFromString(kind).value_or(Store::ClientKind::Dcr);
    c.clientName = name;
    c.redirectUris = { QStringLiteral("http://127.0.0.1/cb") };
    c.createdAt = m_clock.nowSecs();
    if (Status s = clients.insert(c); !s)
        qWarning("fixture: cannot add client: %s", qPrintable(s.error().message));
}

QString PromptFixture::submit(const QVariantMap &spec)
{
    const auto str = [&spec](const char *key, const QString &fallback = {}) {
        return spec.value(QString::fromLatin1(key), fallback).toString();
    };
    Consent::ConsentRequest r;
    const QString path = str("path", QStringLiteral("authorize"));
    r.path = path == QStringLiteral("token") ? Consent::Path::Token
        : path == QStringLiteral("secret")   ? Consent::Path::Secret
        : path == QStringLiteral("exec")     ? Consent::Path::Exec
                                             : Consent::Path::Authorize;
    Consent::Requester &who = r.requester;
    who.clientId = str("clientId", QStringLiteral("agent-a"));
    who.clientName = str("clientName", QStringLiteral("Agent A"));
    who.clientKind = str("kind", QStringLiteral("dcr"));
    who.clientUri = str("clientUri");
    who.verifiedDomain = str("verifiedDomain");
    who.redirectUri = str("redirectUri", QStringLiteral("http://127.0.0.1:5000/cb"));
    who.loopbackRedirect = spec.value(QStringLiteral("loopback"), true).toBool();
    who.localhostName = spec.value(QStringLiteral("localhostName"), false).toBool();
    who.newClient = spec.value(QStringLiteral("newClient"), false).toBool();
    who.previousExecutable = str("previousExecutable");
    who.commandLine = str("commandLine");
    for (const QVariant &p : spec.value(QStringLiteral("processChain")).toList()) {
        const QVariantMap m = p.toMap();
        who.processChain.append(Consent::ProcessFact { m.value(QStringLiteral("pid")).toLongLong(),
            m.value(QStringLiteral("exe")).toString(), m.value(QStringLiteral("comm")).toString() });
    }
    ensureClient(who.clientId, who.clientName, who.clientKind);

    r.resourceId = m_resourceId;
    r.resourceUri = ResourceUri;
    r.resourceName = QStringLiteral("Project files");
    const QStringList scopes = spec.contains(QStringLiteral("scopes"))
        ? spec.value(QStringLiteral("scopes")).toStringList()
        : QStringList { QStringLiteral("files:read"), QStringLiteral("files:write") };
    const QStringList granted = spec.value(QStringLiteral("granted")).toStringList();
    const QHash<QString, QString> descriptions {
        { QStringLiteral("files:read"), QStringLiteral("Read files in the project") },
        { QStringLiteral("files:write"), QStringLiteral("Create, change and delete files") },
        { QStringLiteral("files:list"), QStringLiteral("List folders") },
    };
    for (const QString &s : scopes)
        r.scopes.append(
            Consent::ScopeItem { s, descriptions.value(s), s == QStringLiteral("files:write"), granted.contains(s) });
    // "heldUntil": { scope: secs } (0: until revoked), for a step-up's held scopes (R10).
    const QVariantMap held = spec.value(QStringLiteral("heldUntil")).toMap();
    for (auto it = held.cbegin(); it != held.cend(); ++it)
        r.heldUntil.insert(
            it.key(), it.value().toLongLong() > 0 ? std::optional<qint64>(it.value().toLongLong()) : std::nullopt);
    r.secrets = spec.value(QStringLiteral("secrets")).toStringList();
    r.snapshot = QJsonObject { { QStringLiteral("client_id"), who.clientId } };

    auto holder = std::make_shared<QString>();
    QPointer<PromptFixture> self(this);
    auto submitted = m_broker->submit(r, [self, holder](const Consent::Decision &d) {
        if (!self)
            return;
        Answer &a = self->m_answers[*holder];
        a.outcome = Consent::outcomeToString(d.outcome);
        a.scopes = d.scopes;
        a.duration = d.approved() ? Consent::durationToString(d.duration) : QString();
        a.extendHeld = d.extendHeld;
        ++a.callbacks;
    });
    if (!submitted) {
        m_submitError = submitted.error().code;
        return {};
    }
    m_submitError.clear();
    *holder = *submitted;
    return *submitted;
}

QString PromptFixture::outcome(const QString &id) const
{
    return m_answers.value(id).outcome;
}

QStringList PromptFixture::decidedScopes(const QString &id) const
{
    return m_answers.value(id).scopes;
}

QString PromptFixture::decidedDuration(const QString &id) const
{
    return m_answers.value(id).duration;
}

bool PromptFixture::decidedExtendHeld(const QString &id) const
{
    return m_answers.value(id).extendHeld;
}

int PromptFixture::callbackCount(const QString &id) const
{
    return m_answers.value(id).callbacks;
}

void PromptFixture::advanceSecs(int secs)
{
    m_clock.advanceSecs(secs);
    m_broker->expireDue();
}

void PromptFixture::reset()
{
    for (const Consent::ConsentRequest &r : m_broker->pending())
        m_broker->cancel(r.id);
    if (m_broker->isFrozen() && !m_broker->setFrozen(false, QStringLiteral("test")))
        qFatal("the test could not unfreeze the broker");
    m_answers.clear();
    m_submitError.clear();
    // Past the per-minute prompt limit and the denial cool-down of every client.
    m_clock.advanceSecs(3600);
    m_controller->setArmDelayMs(App::ConsentController::DefaultArmDelayMs);
    setDefaultDuration(QStringLiteral("1h"));
}

void PromptFixture::setArmDelayMs(int ms)
{
    m_controller->setArmDelayMs(ms);
}

void PromptFixture::setDefaultDuration(const QString &key)
{
    if (Status s = Store::SettingsStore(*m_db).set(QStringLiteral("consent.defaultDuration"), key); !s)
        qWarning("fixture: cannot save the default duration");
}

} // namespace Tessera::Test
