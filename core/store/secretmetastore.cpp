// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/secretmetastore.h"

#include "store/database.h"
#include "store/storeerror.h"

#include <QRegularExpression>

namespace Tessera::Store {

namespace {
const QString kColumns = QStringLiteral("name, description, env_var, created_at, updated_at, last_used_at, use_count");

SecretMeta readMeta(const Query &q)
{
    return SecretMeta { q.text(0), q.text(1), q.text(2), q.int64(3), q.int64(4), q.optionalInt64(5), q.int64(6) };
}
} // namespace

bool SecretMetaStore::isValidName(const QString &name)
{
    static const QRegularExpression re(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"));
    return re.match(name).hasMatch();
}

bool SecretMetaStore::isValidEnvVar(const QString &name)
{
    static const QRegularExpression re(QStringLiteral("^[A-Za-z_][A-Za-z0-9_]{0,127}$"));
    return re.match(name).hasMatch();
}

QString SecretMetaStore::defaultEnvVar(const QString &secretName)
{
    QString out;
    for (const QChar c : secretName) {
        const bool keep = (c >= u'A' && c <= u'Z') || (c >= u'a' && c <= u'z') || (c >= u'0' && c <= u'9');
        out.append(keep ? c.toUpper() : QChar(u'_'));
    }
    if (out.isEmpty() || out.at(0).isDigit())
        out.prepend(u'_');
    return out.left(128);
}

Result<SecretMeta> SecretMetaStore::upsert(
    const QString &name, const QString &description, const QString &envVar, qint64 nowSecs)
{
    if (!isValidName(name))
        return storeError(ErrorCode::InvalidArgument,
            QStringLiteral(
                "A secret name is 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit."));
    if (!isValidEnvVar(envVar))
        return storeError(ErrorCode::InvalidArgument,
            QStringLiteral("An environment variable name is letters, digits and '_', not starting with a digit."));
    if (description.size() > MaxDescriptionChars)
        return storeError(ErrorCode::InvalidArgument,
            QStringLiteral("A description is at most %1 characters.").arg(MaxDescriptionChars));
    auto tx = Transaction::begin(m_db);
    if (!tx)
        return tx.error();
    auto q = m_db.prepare(QStringLiteral("INSERT INTO secrets (name, description, env_var, created_at, updated_at) "
                                         "VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET "
                                         "description = excluded.description, env_var = excluded.env_var, "
                                         "updated_at = excluded.updated_at"));
    if (!q)
        return q.error();
    q->bindText(name).bindText(description).bindText(envVar).bindInt(nowSecs).bindInt(nowSecs);
    if (Status s = q->exec(); !s)
        return s.error();
    auto stored = find(name);
    if (!stored)
        return stored.error();
    if (!stored->has_value())
        return storeError(ErrorCode::StoreError, QStringLiteral("The secret's record could not be read back."));
    if (Status s = tx->commit(); !s)
        return s.error();
    return **stored;
}

Result<std::optional<SecretMeta>> SecretMetaStore::find(const QString &name)
{
    auto q = m_db.prepare(QStringLiteral("SELECT ") + kColumns + QStringLiteral(" FROM secrets WHERE name = ?"));
    if (!q)
        return q.error();
    q->bindText(name);
    if (Status s = q->exec(); !s)
        return s.error();
    if (q->next())
        return std::optional<SecretMeta>(readMeta(*q));
    if (Status s = q->status(); !s)
        return s.error();
    return std::optional<SecretMeta>();
}

Result<QList<SecretMeta>> SecretMetaStore::list()
{
    auto q = m_db.prepare(QStringLiteral("SELECT ") + kColumns + QStringLiteral(" FROM secrets ORDER BY name"));
    if (!q)
        return q.error();
    if (Status s = q->exec(); !s)
        return s.error();
    QList<SecretMeta> out;
    while (q->next())
        out.append(readMeta(*q));
    if (Status s = q->status(); !s)
        return s.error();
    return out;
}

Result<bool> SecretMetaStore::remove(const QString &name)
{
    auto q = m_db.prepare(QStringLiteral("DELETE FROM secrets WHERE name = ?"));
    if (!q)
        return q.error();
    q->bindText(name);
    if (Status s = q->exec(); !s)
        return s.error();
    return q->rowsAffected() > 0;
}

Result<bool> SecretMetaStore::recordUse(const QString &name, qint64 nowSecs)
{
    auto q
        = m_db.prepare(QStringLiteral("UPDATE secrets SET last_used_at = ?, use_count = use_count + 1 WHERE name = ?"));
    if (!q)
        return q.error();
    q->bindInt(nowSecs).bindText(name);
    if (Status s = q->exec(); !s)
        return s.error();
    return q->rowsAffected() > 0;
}

} // namespace Tessera::Store
