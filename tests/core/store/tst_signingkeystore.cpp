// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/signingkeystore.h"
#include "store/storeerror.h"
#include "storetestutil.h"

#include <QTemporaryDir>
#include <QTest>

using namespace Tessera;
using namespace Tessera::Store;
using namespace Tessera::Store::TestUtil;

class TestSigningKeyStore : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    std::unique_ptr<Database> m_db;
    int m_n = 0;

    static SigningKeyRecord key(const QString &kid, qint64 createdAt = kNow)
    {
        // RFC 7517 Appendix A.1 (the EC public key), with our kid.
        SigningKeyRecord k;
        k.kid = kid;
        k.publicJwk = QJsonObject { { QStringLiteral("kty"), QStringLiteral("EC") },
            { QStringLiteral("crv"), QStringLiteral("P-256") },
            { QStringLiteral("x"), QStringLiteral("MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4") },
            { QStringLiteral("y"), QStringLiteral("4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM") },
            { QStringLiteral("use"), QStringLiteral("sig") }, { QStringLiteral("alg"), QStringLiteral("ES256") },
            { QStringLiteral("kid"), kid } };
        k.createdAt = createdAt;
        return k;
    }

    static QStringList kids(const QList<SigningKeyRecord> &keys)
    {
        QStringList out;
        for (const SigningKeyRecord &k : keys)
            out.append(k.kid);
        return out;
    }

private Q_SLOTS:
    void init()
    {
        m_db = openDb(m_dir.filePath(QStringLiteral("k%1.db").arg(++m_n)));
        QVERIFY(m_db);
    }
    void cleanup() { m_db.reset(); }

    void testAddFindActive()
    {
        SigningKeyStore store(*m_db);
        QVERIFY(!store.active()->has_value());
        QVERIFY(store.add(key(QStringLiteral("k1"))));
        QCOMPARE(store.find(QStringLiteral("k1"))->value(), key(QStringLiteral("k1")));
        QCOMPARE(store.active()->value().kid, QStringLiteral("k1"));
        QVERIFY(!store.find(QStringLiteral("nope"))->has_value());
    }

    void testRefusesPrivateMembers_data()
    {
        // RFC 7518 §6.2.2 / §6.3.2 / §6.4: private and symmetric key members (security-cases F8).
        QTest::addColumn<QString>("member");
        for (const QString &m : SigningKeyStore::privateJwkMembers())
            QTest::newRow(qPrintable(m)) << m;
    }

    void testRefusesPrivateMembers()
    {
        QFETCH(QString, member);
        SigningKeyStore store(*m_db);
        SigningKeyRecord k = key(QStringLiteral("k"));
        k.publicJwk.insert(member, QStringLiteral("AAAA"));
        const Status s = store.add(k);
        QVERIFY(!s);
        QCOMPARE(s.error().code, QString(ErrorCode::PrivateKeyMaterial));
        QVERIFY(!store.find(QStringLiteral("k"))->has_value());
    }

    void testRejects()
    {
        SigningKeyStore store(*m_db);
        QVERIFY(store.add(key(QStringLiteral("k1"))));
        QCOMPARE(store.add(key(QStringLiteral("k1"))).error().code, QString(ErrorCode::SigningKeyExists));
        // Only one active key at a time: rotation retires the old one first.
        QCOMPARE(store.add(key(QStringLiteral("k2"))).error().code, QString(ErrorCode::StoreError));
        SigningKeyRecord empty = key(QStringLiteral("k3"));
        empty.publicJwk = {};
        QCOMPARE(store.add(empty).error().code, QString(ErrorCode::InvalidArgument));
        SigningKeyRecord retired = key(QStringLiteral("k4"));
        retired.state = SigningKeyState::Retired;
        QCOMPARE(store.add(retired).error().code, QString(ErrorCode::InvalidArgument));
    }

    void testRotationAndPublication()
    {
        SigningKeyStore store(*m_db);
        QVERIFY(store.add(key(QStringLiteral("old"), kNow - 100)));
        {
            auto tx = Transaction::begin(*m_db);
            QVERIFY(tx);
            QVERIFY(store.retire(QStringLiteral("old"), kNow + 600, kNow));
            QVERIFY(store.add(key(QStringLiteral("new"), kNow)));
            QVERIFY(tx->commit());
        }
        QCOMPARE(store.active()->value().kid, QStringLiteral("new"));
        const SigningKeyRecord old = store.find(QStringLiteral("old"))->value();
        QCOMPARE(old.state, SigningKeyState::Retired);
        QCOMPARE(old.retiredAt, std::optional<qint64>(kNow));
        QCOMPARE(old.publishUntil, std::optional<qint64>(kNow + 600));

        QCOMPARE(kids(*store.listPublished(kNow)), (QStringList { QStringLiteral("new"), QStringLiteral("old") }));
        QCOMPARE(
            kids(*store.listPublished(kNow + 599)), (QStringList { QStringLiteral("new"), QStringLiteral("old") }));
        QCOMPARE(kids(*store.listPublished(kNow + 600)), (QStringList { QStringLiteral("new") }));
        QCOMPARE(kids(*store.list()), (QStringList { QStringLiteral("new"), QStringLiteral("old") }));

        // Re-retiring moves publish_until but keeps the first retirement time.
        QVERIFY(store.retire(QStringLiteral("old"), kNow + 10, kNow + 5));
        QCOMPARE(store.find(QStringLiteral("old"))->value().retiredAt, std::optional<qint64>(kNow));
        QCOMPARE(kids(*store.listPublished(kNow + 10)), (QStringList { QStringLiteral("new") }));
        QCOMPARE(store.retire(QStringLiteral("ghost"), kNow, kNow).error().code, QString(ErrorCode::SigningKeyUnknown));
    }
};

QTEST_GUILESS_MAIN(TestSigningKeyStore)
#include "tst_signingkeystore.moc"
