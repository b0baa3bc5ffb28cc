// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/signingkeystore.h"

#include "store/database.h"
#include "store/storeerror.h"

#include <QJsonDocument>

namespace Tessera::Store {

namespace {
const QString kSelect
    = QStringLiteral("SELECT kid, public_jwk, created_at, retired_at, publish_until, state FROM signing_keys ");

SigningKeyRecord readKey(const Query &q)
{
    SigningKeyRecord k;
    k.kid = q.text(0);
    k.publicJwk = QJsonDocument::fromJson(q.text(1).toUtf8()).object();
    k.createdAt = q.int64(2);
    k.retiredAt = q.optionalInt64(3);
    k.publishUntil = q.optionalInt64(4);
    k.state = q.text(5) == u"retired" ? SigningKeyState::Retired : SigningKeyState::Active;
    return k;
}

Result<QList<SigningKeyRecord>> readAll(Query &q)
{
    QList<SigningKeyRecord> out;
    while (q.next())
        out.append(readKey(q));
    if (Status s = q.status(); !s)
        return s.error();
    return out;
}

Result<std::optional<SigningKeyRecord>> readOne(Query &q)
{
    if (q.next())
        return std::optional<SigningKeyRecord>(readKey(q));
    if (Status s = q.status(); !s)
        return s.error();
    return std::optional<SigningKeyRecord>();
}
} // namespace

const QStringList &SigningKeyStore::privateJwkMembers()
{
    static const QStringList members { QStringLiteral("d"), QStringLiteral("p"), QStringLiteral("q"),
        QStringLiteral("dp"), QStringLiteral("dq"), QStringLiteral("qi"), QStringLiteral("oth"), QStringLiteral("k") };
    return members;
}

Status SigningKeyStore::add(const SigningKeyRecord &key)
{
    if (key.kid.isEmpty() || key.publicJwk.isEmpty())
        return storeError(ErrorCode::InvalidArgument, QStringLiteral("A signing key needs a kid and a public JWK."));
    for (const QString &m : privateJwkMembers()) {
        if (key.publicJwk.contains(m))
            return storeError(ErrorCode::PrivateKeyMaterial,
                QStringLiteral("The JWK contains private key material; only public keys are stored."));
    }
    if (key.state != SigningKeyState::Active)
        return storeError(ErrorCode::InvalidArgument, QStringLiteral("A new signing key must be active."));
    auto tx = Transaction::begin(m_db);
    if (!tx)
        return tx.error();
    auto existing = find(key.kid);
    if (!existing)
        return existing.error();
    if (existing->has_value())
        return storeError(ErrorCode::SigningKeyExists, QStringLiteral("A signing key with this kid already exists."));
    auto q = m_db.prepare(
        QStringLiteral("INSERT INTO signing_keys (kid, public_jwk, created_at, retired_at, publish_until, state) "
                       "VALUES (?, ?, ?, NULL, NULL, 'active')"));
    if (!q)
        return q.error();
    q->bindText(key.kid)
        .bindText(QString::fromUtf8(QJsonDocument(key.publicJwk).toJson(QJsonDocument::Compact)))
        .bindInt(key.createdAt);
    if (Status s = q->exec(); !s)
        return s;
    return tx->commit();
}

Result<std::optional<SigningKeyRecord>> SigningKeyStore::find(const QString &kid)
{
    auto q = m_db.prepare(kSelect + QStringLiteral("WHERE kid = ?"));
    if (!q)
        return q.error();
    q->bindText(kid);
    if (Status s = q->exec(); !s)
        return s.error();
    return readOne(*q);
}

Result<std::optional<SigningKeyRecord>> SigningKeyStore::active()
{
    auto q = m_db.prepare(kSelect + QStringLiteral("WHERE state = 'active'"));
    if (!q)
        return q.error();
    if (Status s = q->exec(); !s)
        return s.error();
    return readOne(*q);
}

Result<QList<SigningKeyRecord>> SigningKeyStore::list()
{
    auto q = m_db.prepare(kSelect + QStringLiteral("ORDER BY created_at DESC, kid"));
    if (!q)
        return q.error();
    if (Status s = q->exec(); !s)
        return s.error();
    return readAll(*q);
}

Result<QList<SigningKeyRecord>> SigningKeyStore::listPublished(qint64 nowSecs)
{
    auto q = m_db.prepare(kSelect
        + QStringLiteral("WHERE state = 'active' OR (state = 'retired' AND publish_until > ?) "
                         "ORDER BY state = 'active' DESC, created_at DESC, kid"));
    if (!q)
        return q.error();
    q->bindInt(nowSecs);
    if (Status s = q->exec(); !s)
        return s.error();
    return readAll(*q);
}

Status SigningKeyStore::retire(const QString &kid, qint64 publishUntil, qint64 nowSecs)
{
    auto q = m_db.prepare(QStringLiteral(
        "UPDATE signing_keys SET state = 'retired', retired_at = coalesce(retired_at, ?), publish_until = ? "
        "WHERE kid = ?"));
    if (!q)
        return q.error();
    q->bindInt(nowSecs).bindInt(publishUntil).bindText(kid);
    if (Status s = q->exec(); !s)
        return s;
    if (q->rowsAffected() == 0)
        return storeError(ErrorCode::SigningKeyUnknown, QStringLiteral("No signing key with this kid."));
    return {};
}

} // namespace Tessera::Store
