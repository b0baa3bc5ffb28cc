// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/resourcestore.h"

#include "common/resourceuri.h"

#include "store/database.h"
#include "store/storeerror.h"

#include <QRegularExpression>
#include <QSet>
#include <QUrl>

namespace Tessera::Store {

namespace {
const QString kColumns = QStringLiteral(
    "id, uri, name, display_name, token_lifetime_secs, default_scopes, introspection_secret_hash, created_at, "
    "updated_at");

Error invalid(const QString &message)
{
    return storeError(ErrorCode::InvalidArgument, message);
}

Resource readResource(const Query &q)
{
    Resource r;
    r.id = q.int64(0);
    r.uri = q.text(1);
    r.name = q.text(2);
    r.displayName = q.text(3);
    r.tokenLifetimeSecs = q.int64(4);
    r.defaultScopes = splitScopes(q.text(5));
    r.introspectionSecretHash = q.isNull(6) ? QByteArray() : q.blob(6);
    r.createdAt = q.int64(7);
    r.updatedAt = q.int64(8);
    return r;
}
} // namespace

Result<QString> ResourceStore::canonicalUri(const QString &uri)
{
    auto canonical = canonicalResource(uri);
    if (!canonical)
        return invalid(canonical.error().message);
    return *canonical;
}

bool ResourceStore::isValidName(const QString &name)
{
    static const QRegularExpression re(QStringLiteral("^[a-z0-9][a-z0-9._-]{0,63}$"));
    return re.match(name).hasMatch();
}

Status ResourceStore::validate(Resource &resource) const
{
    auto uri = canonicalUri(resource.uri);
    if (!uri)
        return uri.error();
    resource.uri = *uri;
    if (!isValidName(resource.name))
        return invalid(QStringLiteral("A resource name is 1-64 lower-case letters, digits, '.', '_' or '-'."));
    if (resource.displayName.trimmed().isEmpty())
        resource.displayName = resource.name;
    if (resource.tokenLifetimeSecs < 1 || resource.tokenLifetimeSecs > 86400)
        return invalid(QStringLiteral("The token lifetime must be between 1 second and 1 day."));
    QSet<QString> names;
    for (const ResourceScope &s : std::as_const(resource.scopes)) {
        if (!isValidScopeToken(s.name))
            return invalid(
                QStringLiteral("A scope name may only contain printable ASCII without spaces, '\"' or '\\'."));
        if (s.risk != Risk::Low && s.risk != Risk::High)
            return invalid(QStringLiteral("A scope's risk must be low or high."));
        if (names.contains(s.name))
            return invalid(QStringLiteral("The scope %1 is listed twice.").arg(s.name));
        names.insert(s.name);
    }
    resource.defaultScopes = canonicalScopes(resource.defaultScopes);
    for (const QString &d : std::as_const(resource.defaultScopes)) {
        if (!names.contains(d))
            return invalid(QStringLiteral("The default scope %1 is not one of the resource's scopes.").arg(d));
    }
    if (!resource.introspectionSecretHash.isEmpty() && resource.introspectionSecretHash.size() != 32)
        return invalid(QStringLiteral("The introspection credential hash must be a SHA-256 digest."));
    return {};
}

Status ResourceStore::checkUnique(const Resource &resource)
{
    auto q = m_db.prepare(
        QStringLiteral("SELECT uri = ?, name = ? FROM resources WHERE (uri = ? OR name = ?) AND id <> ?"));
    if (!q)
        return q.error();
    q->bindText(resource.uri)
        .bindText(resource.name)
        .bindText(resource.uri)
        .bindText(resource.name)
        .bindInt(resource.id);
    if (Status s = q->exec(); !s)
        return s;
    if (q->next()) {
        return q->int64(0)
            ? storeError(ErrorCode::ResourceExists, QStringLiteral("A resource with this URI already exists."))
            : storeError(
                ErrorCode::ResourceExists, QStringLiteral("The resource name %1 is taken.").arg(resource.name));
    }
    return q->status();
}

Status ResourceStore::writeScopes(const Resource &resource)
{
    {
        auto del = m_db.prepare(QStringLiteral("DELETE FROM resource_scopes WHERE resource_id = ?"));
        if (!del)
            return del.error();
        del->bindInt(resource.id);
        if (Status s = del->exec(); !s)
            return s;
    }
    for (qsizetype i = 0; i < resource.scopes.size(); ++i) {
        const ResourceScope &s = resource.scopes.at(i);
        auto q = m_db.prepare(QStringLiteral(
            "INSERT INTO resource_scopes (resource_id, name, description, risk, position) VALUES (?, ?, ?, ?, ?)"));
        if (!q)
            return q.error();
        q->bindInt(resource.id).bindText(s.name).bindText(s.description).bindText(riskToString(s.risk)).bindInt(i);
        if (Status st = q->exec(); !st)
            return st;
    }
    return {};
}

Result<Resource> ResourceStore::add(Resource resource, qint64 nowSecs)
{
    resource.id = 0;
    if (Status s = validate(resource); !s)
        return s.error();
    auto tx = Transaction::begin(m_db);
    if (!tx)
        return tx.error();
    if (Status s = checkUnique(resource); !s)
        return s.error();
    resource.createdAt = nowSecs;
    resource.updatedAt = nowSecs;
    {
        auto q = m_db.prepare(
            QStringLiteral("INSERT INTO resources (uri, name, display_name, token_lifetime_secs, default_scopes, "
                           "introspection_secret_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
        if (!q)
            return q.error();
        q->bindText(resource.uri)
            .bindText(resource.name)
            .bindText(resource.displayName)
            .bindInt(resource.tokenLifetimeSecs)
            .bindText(joinScopes(resource.defaultScopes))
            .bindBlobOrNull(resource.introspectionSecretHash)
            .bindInt(resource.createdAt)
            .bindInt(resource.updatedAt);
        if (Status s = q->exec(); !s)
            return s.error();
        resource.id = q->lastInsertId();
    }
    if (Status s = writeScopes(resource); !s)
        return s.error();
    if (Status s = tx->commit(); !s)
        return s.error();
    return resource;
}

Result<Resource> ResourceStore::update(Resource resource, qint64 nowSecs)
{
    if (Status s = validate(resource); !s)
        return s.error();
    auto tx = Transaction::begin(m_db);
    if (!tx)
        return tx.error();
    auto existing = find(resource.id);
    if (!existing)
        return existing.error();
    if (!existing->has_value())
        return storeError(ErrorCode::ResourceUnknown, QStringLiteral("No such resource."));
    if (Status s = checkUnique(resource); !s)
        return s.error();
    resource.createdAt = (*existing)->createdAt;
    resource.updatedAt = nowSecs;
    {
        auto q = m_db.prepare(QStringLiteral(
            "UPDATE resources SET uri = ?, name = ?, display_name = ?, token_lifetime_secs = ?, default_scopes = ?, "
            "introspection_secret_hash = ?, updated_at = ? WHERE id = ?"));
        if (!q)
            return q.error();
        q->bindText(resource.uri)
            .bindText(resource.name)
            .bindText(resource.displayName)
            .bindInt(resource.tokenLifetimeSecs)
            .bindText(joinScopes(resource.defaultScopes))
            .bindBlobOrNull(resource.introspectionSecretHash)
            .bindInt(resource.updatedAt)
            .bindInt(resource.id);
        if (Status s = q->exec(); !s)
            return s.error();
    }
    if (Status s = writeScopes(resource); !s)
        return s.error();
    if (Status s = tx->commit(); !s)
        return s.error();
    return resource;
}

Result<bool> ResourceStore::remove(qint64 id)
{
    auto q = m_db.prepare(QStringLiteral("DELETE FROM resources WHERE id = ?"));
    if (!q)
        return q.error();
    q->bindInt(id);
    if (Status s = q->exec(); !s)
        return s.error();
    return q->rowsAffected() > 0;
}

Result<QList<ResourceScope>> ResourceStore::loadScopes(qint64 id)
{
    auto q = m_db.prepare(QStringLiteral(
        "SELECT name, description, risk FROM resource_scopes WHERE resource_id = ? ORDER BY position, name"));
    if (!q)
        return q.error();
    q->bindInt(id);
    if (Status s = q->exec(); !s)
        return s.error();
    QList<ResourceScope> scopes;
    while (q->next())
        scopes.append({ q->text(0), q->text(1), riskFromString(q->text(2)).value_or(Risk::High) });
    if (Status s = q->status(); !s)
        return s.error();
    return scopes;
}

Result<std::optional<Resource>> ResourceStore::findWhere(const QString &column, const QVariant &value)
{
    std::optional<Resource> found;
    {
        auto q = m_db.prepare(QStringLiteral("SELECT ") + kColumns + QStringLiteral(" FROM resources WHERE ") + column
            + QStringLiteral(" = ?"));
        if (!q)
            return q.error();
        if (value.typeId() == QMetaType::QString)
            q->bindText(value.toString());
        else
            q->bindInt(value.toLongLong());
        if (Status s = q->exec(); !s)
            return s.error();
        if (q->next())
            found = readResource(*q);
        if (Status s = q->status(); !s)
            return s.error();
    }
    if (found) {
        auto scopes = loadScopes(found->id);
        if (!scopes)
            return scopes.error();
        found->scopes = *scopes;
    }
    return found;
}

Result<std::optional<Resource>> ResourceStore::find(qint64 id)
{
    return findWhere(QStringLiteral("id"), QVariant::fromValue<qlonglong>(id));
}

Result<std::optional<Resource>> ResourceStore::findByUri(const QString &uri)
{
    auto canonical = canonicalUri(uri);
    if (!canonical)
        return std::optional<Resource>();
    return findWhere(QStringLiteral("uri"), *canonical);
}

Result<std::optional<Resource>> ResourceStore::findByName(const QString &name)
{
    return findWhere(QStringLiteral("name"), name);
}

Result<QList<Resource>> ResourceStore::list()
{
    QList<Resource> out;
    {
        auto q = m_db.prepare(QStringLiteral("SELECT ") + kColumns + QStringLiteral(" FROM resources ORDER BY name"));
        if (!q)
            return q.error();
        if (Status s = q->exec(); !s)
            return s.error();
        while (q->next())
            out.append(readResource(*q));
        if (Status s = q->status(); !s)
            return s.error();
    }
    for (Resource &r : out) {
        auto scopes = loadScopes(r.id);
        if (!scopes)
            return scopes.error();
        r.scopes = *scopes;
    }
    return out;
}

} // namespace Tessera::Store
