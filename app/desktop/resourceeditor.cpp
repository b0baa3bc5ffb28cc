// SPDX-License-Identifier: GPL-3.0-or-later
#include "desktop/resourceeditor.h"

#include "desktop/dashboardcontext.h"
#include "desktop/settingscontroller.h"
#include "oauth/resourceservice.h"
#include "store/database.h"
#include "store/resourcestore.h"
#include "store/settingsstore.h"

#include <QSet>

namespace Tessera::App {

namespace {
QVariantMap scopeMap(const QString &name, const QString &description, const QString &risk, bool isDefault)
{
    return QVariantMap { { QStringLiteral("name"), name }, { QStringLiteral("description"), description },
        { QStringLiteral("risk"), risk }, { QStringLiteral("isDefault"), isDefault } };
}
} // namespace

ResourceEditor::ResourceEditor(QObject *parent) : ResourceEditor(DashboardContext::instance(), parent) { }

ResourceEditor::ResourceEditor(DashboardContext *context, QObject *parent) : QObject(parent), m_context(context)
{
    startNew();
}

void ResourceEditor::setName(const QString &v)
{
    if (v == m_name)
        return;
    m_name = v;
    Q_EMIT fieldsChanged();
}

void ResourceEditor::setDisplayName(const QString &v)
{
    if (v == m_displayName)
        return;
    m_displayName = v;
    Q_EMIT fieldsChanged();
}

void ResourceEditor::setUri(const QString &v)
{
    if (v == m_uri)
        return;
    m_uri = v;
    Q_EMIT fieldsChanged();
}

void ResourceEditor::setTokenLifetimeSecs(int v)
{
    if (v == m_lifetime)
        return;
    m_lifetime = v;
    Q_EMIT fieldsChanged();
}

void ResourceEditor::setScopes(const QVariantList &v)
{
    if (v == m_scopes)
        return;
    m_scopes = v;
    Q_EMIT fieldsChanged();
}

void ResourceEditor::setIntrospection(bool v)
{
    if (v == m_introspection)
        return;
    m_introspection = v;
    Q_EMIT fieldsChanged();
}

void ResourceEditor::setRenewSecret(bool v)
{
    if (v == m_renewSecret)
        return;
    m_renewSecret = v;
    Q_EMIT fieldsChanged();
}

bool ResourceEditor::hasErrors() const
{
    return !m_nameError.isEmpty() || !m_uriError.isEmpty() || !m_lifetimeError.isEmpty() || !m_scopesError.isEmpty()
        || !m_formError.isEmpty();
}

QString ResourceEditor::canonicalUri() const
{
    return Store::ResourceStore::canonicalUri(m_uri.trimmed()).valueOr(QString());
}

void ResourceEditor::clearErrors()
{
    m_nameError.clear();
    m_uriError.clear();
    m_lifetimeError.clear();
    m_scopesError.clear();
    m_scopeErrorIndex = -1;
    m_formError.clear();
}

void ResourceEditor::startNew()
{
    m_resourceId = 0;
    m_name.clear();
    m_displayName.clear();
    m_uri.clear();
    m_lifetime = 300;
    if (m_context && m_context->database()) {
        auto stored
            = Store::SettingsStore(*m_context->database())
                  .value(QString::fromLatin1(SettingsController::DefaultTokenLifetimeKey), QStringLiteral("300"));
        bool ok = false;
        const int secs = stored.valueOr(QStringLiteral("300")).toInt(&ok);
        if (ok && secs >= MinLifetimeSecs && secs <= MaxLifetimeSecs)
            m_lifetime = secs;
    }
    m_scopes = { scopeMap(QString(), QString(), QStringLiteral("low"), true) };
    m_introspection = false;
    m_renewSecret = false;
    m_hadIntrospection = false;
    m_existingSecretHash.clear();
    m_createdAt = 0;
    clearErrors();
    clearIssuedSecret();
    Q_EMIT loaded();
    Q_EMIT fieldsChanged();
    Q_EMIT errorsChanged();
}

bool ResourceEditor::load(qint64 resourceId)
{
    if (!m_context || !m_context->database())
        return false;
    auto found = Store::ResourceStore(*m_context->database()).find(resourceId);
    if (!found || !found->has_value())
        return false;
    const Store::Resource &r = **found;
    m_resourceId = r.id;
    m_name = r.name;
    m_displayName = r.displayName;
    m_uri = r.uri;
    m_lifetime = int(r.tokenLifetimeSecs);
    m_scopes.clear();
    for (const Store::ResourceScope &s : r.scopes)
        m_scopes.append(scopeMap(s.name, s.description, Store::riskToString(s.risk), r.defaultScopes.contains(s.name)));
    m_existingSecretHash = r.introspectionSecretHash;
    m_hadIntrospection = !r.introspectionSecretHash.isEmpty();
    m_introspection = m_hadIntrospection;
    m_renewSecret = false;
    m_createdAt = r.createdAt;
    clearErrors();
    clearIssuedSecret();
    Q_EMIT loaded();
    Q_EMIT fieldsChanged();
    Q_EMIT errorsChanged();
    return true;
}

bool ResourceEditor::validate()
{
    clearErrors();
    const QString uri = m_uri.trimmed();
    if (uri.isEmpty()) {
        m_uriError = tr("Enter the MCP server's address, for example http://127.0.0.1:8931/mcp.");
    } else if (auto canonical = Store::ResourceStore::canonicalUri(uri); !canonical) {
        m_uriError = canonical.error().message;
    }
    const QString name = m_name.trimmed();
    if (name.isEmpty())
        m_nameError = tr("Enter a short name: it is how tessera-cli refers to this resource.");
    else if (!Store::ResourceStore::isValidName(name))
        m_nameError = tr("Use 1–64 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit.");
    if (m_lifetime < MinLifetimeSecs || m_lifetime > MaxLifetimeSecs)
        m_lifetimeError = tr("Between 1 second and 1 hour (3600 seconds).");

    QSet<QString> seen;
    for (qsizetype i = 0; i < m_scopes.size() && m_scopesError.isEmpty(); ++i) {
        const QVariantMap s = m_scopes.at(i).toMap();
        const QString scope = s.value(QStringLiteral("name")).toString().trimmed();
        const QString risk = s.value(QStringLiteral("risk")).toString();
        if (scope.isEmpty())
            m_scopesError = tr("Every scope needs a name, for example files:read.");
        else if (!Store::isValidScopeToken(scope))
            m_scopesError
                = tr("\"%1\" is not a valid scope name: printable ASCII without spaces, '\"' or '\\'.").arg(scope);
        else if (seen.contains(scope))
            m_scopesError = tr("The scope %1 is listed twice.").arg(scope);
        else if (!Store::riskFromString(risk))
            m_scopesError = tr("A scope's risk is low or high.");
        if (!m_scopesError.isEmpty())
            m_scopeErrorIndex = int(i);
        seen.insert(scope);
    }
    if (m_scopesError.isEmpty() && m_scopes.isEmpty())
        m_scopesError = tr("A resource needs at least one scope.");

    // Taken URI or name: say so beside the field rather than after a failed save.
    if (m_context && m_context->database() && m_uriError.isEmpty() && m_nameError.isEmpty()) {
        Store::ResourceStore store(*m_context->database());
        auto byUri = store.findByUri(uri);
        if (byUri && byUri->has_value() && (*byUri)->id != m_resourceId)
            m_uriError = tr("This address is already registered as \"%1\".").arg((*byUri)->displayName);
        auto byName = store.findByName(name);
        if (byName && byName->has_value() && (*byName)->id != m_resourceId)
            m_nameError = tr("The name %1 is taken.").arg(name);
    }
    Q_EMIT errorsChanged();
    return !hasErrors();
}

bool ResourceEditor::save()
{
    if (!validate())
        return false;
    if (!m_context || !m_context->resources()) {
        m_formError = tr("Tessera is not ready.");
        Q_EMIT errorsChanged();
        return false;
    }
    Store::Resource r;
    r.id = m_resourceId;
    r.uri = m_uri.trimmed();
    r.name = m_name.trimmed();
    r.displayName = m_displayName.trimmed();
    r.tokenLifetimeSecs = m_lifetime;
    for (const QVariant &v : std::as_const(m_scopes)) {
        const QVariantMap s = v.toMap();
        const QString scope = s.value(QStringLiteral("name")).toString().trimmed();
        const Store::Risk risk
            = Store::riskFromString(s.value(QStringLiteral("risk")).toString()).value_or(Store::Risk::Low);
        r.scopes.append(
            Store::ResourceScope { scope, s.value(QStringLiteral("description")).toString().trimmed(), risk });
        if (s.value(QStringLiteral("isDefault")).toBool())
            r.defaultScopes.append(scope); // none chosen: the service picks the low-risk ones (D9)
    }
    using Introspection = OAuth::ResourceService::Introspection;
    const Introspection introspection = !m_introspection ? Introspection::Off
        : m_renewSecret                                  ? Introspection::Renew
                                                         : Introspection::Keep;
    OAuth::ResourceService &service = *m_context->resources();
    auto stored = m_resourceId == 0 ? service.add(r, introspection, QStringLiteral("user"))
                                    : service.update(r, introspection, QStringLiteral("user"));
    if (!stored) {
        m_formError = stored.error().message;
        Q_EMIT errorsChanged();
        return false;
    }
    const Store::Resource *written = &stored->resource;
    const QString secret = stored->introspectionSecret;
    m_resourceId = written->id;
    m_uri = written->uri;
    m_existingSecretHash = written->introspectionSecretHash;
    m_hadIntrospection = !m_existingSecretHash.isEmpty();
    m_renewSecret = false;
    m_issuedSecret = secret;
    Q_EMIT loaded();
    Q_EMIT fieldsChanged();
    Q_EMIT issuedSecretChanged();
    m_context->notifyResourcesChanged();
    Q_EMIT saved(m_resourceId);
    return true;
}

void ResourceEditor::clearIssuedSecret()
{
    if (m_issuedSecret.isEmpty())
        return;
    m_issuedSecret.fill(u'\0');
    m_issuedSecret.clear();
    Q_EMIT issuedSecretChanged();
}

QString ResourceEditor::suggestName(const QString &displayName)
{
    QString out;
    for (const QChar c : displayName.toLower()) {
        if ((c >= u'a' && c <= u'z') || (c >= u'0' && c <= u'9') || c == u'.' || c == u'_')
            out.append(c);
        else if (!out.isEmpty() && !out.endsWith(u'-'))
            out.append(u'-');
    }
    while (out.endsWith(u'-') || out.endsWith(u'.') || out.endsWith(u'_'))
        out.chop(1);
    while (!out.isEmpty() && !out.at(0).isLetterOrNumber())
        out.remove(0, 1);
    return out.left(64);
}

} // namespace Tessera::App
