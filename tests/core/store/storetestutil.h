// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "store/clientstore.h"
#include "store/database.h"
#include "store/grantstore.h"
#include "store/resourcestore.h"

#include <QCryptographicHash>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

#include <memory>

// Shared fixtures for the store tests: real SQLite files in a QTemporaryDir.
namespace Tessera::Store::TestUtil {

inline constexpr qint64 kNow = 1'767'225'600; // 2026-01-01T00:00:00Z

inline QByteArray sha(const QByteArray &data)
{
    return QCryptographicHash::hash(data, QCryptographicHash::Sha256);
}

// A 43-character S256 challenge (RFC 7636 Appendix B).
inline QString challenge()
{
    return QStringLiteral("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

inline std::unique_ptr<Database> openDb(const QString &path)
{
    auto db = Database::open(path);
    if (!db) {
        qWarning("open failed: %s", qPrintable(db.error().toString()));
        return nullptr;
    }
    return std::move(db).value();
}

// A second, raw connection (no Tessera code in between) for tampering and inspection.
class RawConnection
{
public:
    explicit RawConnection(const QString &path)
        : m_name(QStringLiteral("raw-") + QUuid::createUuid().toString(QUuid::WithoutBraces))
    {
        m_db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_name);
        m_db.setDatabaseName(path);
        m_db.open();
    }
    ~RawConnection()
    {
        m_db.close();
        m_db = QSqlDatabase();
        QSqlDatabase::removeDatabase(m_name);
    }
    RawConnection(const RawConnection &) = delete;
    RawConnection &operator=(const RawConnection &) = delete;

    bool exec(const QString &sql, const QVariantList &values = {})
    {
        QSqlQuery q(m_db);
        q.prepare(sql);
        for (const QVariant &v : values)
            q.addBindValue(v);
        if (!q.exec()) {
            m_lastError = q.lastError().text();
            return false;
        }
        return true;
    }
    QVariant scalar(const QString &sql, const QVariantList &values = {})
    {
        QSqlQuery q(m_db);
        q.setForwardOnly(true);
        q.prepare(sql);
        for (const QVariant &v : values)
            q.addBindValue(v);
        if (!q.exec() || !q.next())
            return {};
        return q.value(0);
    }
    [[nodiscard]] QString lastError() const { return m_lastError; }

private:
    QString m_name;
    QSqlDatabase m_db;
    QString m_lastError;
};

inline Client makeClient(const QString &id, qint64 createdAt = kNow)
{
    Client c;
    c.clientId = id;
    c.kind = ClientKind::Dcr;
    c.clientName = QStringLiteral("Agent ") + id;
    c.redirectUris = { QStringLiteral("http://127.0.0.1/callback") };
    c.createdAt = createdAt;
    return c;
}

inline Resource makeResource(const QString &name, int port)
{
    Resource r;
    r.uri = QStringLiteral("http://127.0.0.1:%1/mcp").arg(port);
    r.name = name;
    r.displayName = QStringLiteral("Resource ") + name;
    r.scopes = { { QStringLiteral("read"), QStringLiteral("Read things"), Risk::Low },
        { QStringLiteral("write"), QStringLiteral("Change things"), Risk::High },
        { QStringLiteral("admin"), QStringLiteral("Everything"), Risk::High } };
    r.defaultScopes = { QStringLiteral("read") };
    return r;
}

inline Grant makeGrant(const QString &id, const QString &clientId, qint64 resourceId, const QStringList &scopes,
    std::optional<qint64> expiresAt = std::nullopt, qint64 createdAt = kNow)
{
    Grant g;
    g.id = id;
    g.clientId = clientId;
    g.resourceId = resourceId;
    g.scopes = scopes;
    g.createdAt = createdAt;
    g.expiresAt = expiresAt;
    g.duration = expiresAt ? QStringLiteral("1h") : QStringLiteral("until_revoked");
    return g;
}

// Opens a database and adds client "c1" and resource "files" (returned id).
struct Seeded
{
    std::unique_ptr<Database> db;
    qint64 resourceId = 0;
};

inline Seeded seed(const QString &path)
{
    Seeded s;
    s.db = openDb(path);
    if (!s.db)
        return s;
    if (Status st = ClientStore(*s.db).insert(makeClient(QStringLiteral("c1"))); !st)
        qWarning("seed client: %s", qPrintable(st.error().toString()));
    auto r = ResourceStore(*s.db).add(makeResource(QStringLiteral("files"), 8931), kNow);
    if (!r)
        qWarning("seed resource: %s", qPrintable(r.error().toString()));
    else
        s.resourceId = r->id;
    return s;
}

} // namespace Tessera::Store::TestUtil
