// SPDX-License-Identifier: GPL-3.0-or-later
// SecretMetaStore: names, descriptions and default variables of `tessera-cli secret`, never values.
#include "store/secretmetastore.h"
#include "store/storeerror.h"
#include "storetestutil.h"

#include <QTemporaryDir>
#include <QTest>

using namespace Tessera;
using namespace Tessera::Store;
using namespace Tessera::Store::TestUtil;

class TestSecretMetaStore : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    std::unique_ptr<Database> m_db;
    int m_n = 0;

private Q_SLOTS:
    void init()
    {
        m_db = openDb(m_dir.filePath(QStringLiteral("s%1.db").arg(++m_n)));
        QVERIFY(m_db);
    }
    void cleanup() { m_db.reset(); }

    void testNames_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("valid");
        QTest::newRow("simple") << QStringLiteral("github") << true;
        QTest::newRow("dots dashes") << QStringLiteral("openai.prod-key_2") << true;
        QTest::newRow("upper") << QStringLiteral("GitHub") << true;
        QTest::newRow("64 chars") << QString(64, u'a') << true;
        QTest::newRow("65 chars") << QString(65, u'a') << false;
        QTest::newRow("empty") << QString() << false;
        QTest::newRow("slash (keychain key separator)") << QStringLiteral("a/b") << false;
        QTest::newRow("space") << QStringLiteral("a b") << false;
        QTest::newRow("equals (NAME=ENV syntax)") << QStringLiteral("a=b") << false;
        QTest::newRow("leading dot") << QStringLiteral(".hidden") << false;
        QTest::newRow("non-ascii") << QStringLiteral("gith\u00fcb") << false;
    }
    void testNames()
    {
        QFETCH(QString, name);
        QFETCH(bool, valid);
        QCOMPARE(SecretMetaStore::isValidName(name), valid);
    }

    void testEnvVars_data()
    {
        QTest::addColumn<QString>("secret");
        QTest::addColumn<QString>("env");
        QTest::newRow("lower") << QStringLiteral("github") << QStringLiteral("GITHUB");
        QTest::newRow("punctuation") << QStringLiteral("openai.prod-key") << QStringLiteral("OPENAI_PROD_KEY");
        QTest::newRow("leading digit") << QStringLiteral("1password") << QStringLiteral("_1PASSWORD");
    }
    void testEnvVars()
    {
        QFETCH(QString, secret);
        QFETCH(QString, env);
        QCOMPARE(SecretMetaStore::defaultEnvVar(secret), env);
        QVERIFY(SecretMetaStore::isValidEnvVar(env));
        QVERIFY(!SecretMetaStore::isValidEnvVar(QStringLiteral("1X")));
        QVERIFY(!SecretMetaStore::isValidEnvVar(QStringLiteral("A=B")));
        QVERIFY(!SecretMetaStore::isValidEnvVar(QString()));
    }

    void testUpsertKeepsCreationAndUse()
    {
        SecretMetaStore store(*m_db);
        auto first
            = store.upsert(QStringLiteral("github"), QStringLiteral("PAT"), QStringLiteral("GITHUB_TOKEN"), kNow);
        QVERIFY2(first, qPrintable(first ? QString() : first.error().message));
        QCOMPARE(first->createdAt, kNow);
        QCOMPARE(first->updatedAt, kNow);
        QCOMPARE(first->useCount, 0);
        QVERIFY(!first->lastUsedAt);

        QCOMPARE(*store.recordUse(QStringLiteral("github"), kNow + 5), true);
        QCOMPARE(*store.recordUse(QStringLiteral("nope"), kNow + 5), false);

        auto second
            = store.upsert(QStringLiteral("github"), QStringLiteral("new PAT"), QStringLiteral("GH"), kNow + 10);
        QVERIFY(second);
        QCOMPARE(second->createdAt, kNow);
        QCOMPARE(second->updatedAt, kNow + 10);
        QCOMPARE(second->description, QStringLiteral("new PAT"));
        QCOMPARE(second->envVar, QStringLiteral("GH"));
        QCOMPARE(second->useCount, 1);
        QCOMPARE(second->lastUsedAt, std::optional<qint64>(kNow + 5));
    }

    void testRejects()
    {
        SecretMetaStore store(*m_db);
        QCOMPARE(store.upsert(QStringLiteral("a/b"), {}, QStringLiteral("X"), kNow).error().code,
            QString(ErrorCode::InvalidArgument));
        QCOMPARE(store.upsert(QStringLiteral("a"), {}, QStringLiteral("1X"), kNow).error().code,
            QString(ErrorCode::InvalidArgument));
        QCOMPARE(store.upsert(QStringLiteral("a"), QString(257, u'x'), QStringLiteral("X"), kNow).error().code,
            QString(ErrorCode::InvalidArgument));
        QVERIFY(store.list()->isEmpty());
    }

    void testListFindRemove()
    {
        SecretMetaStore store(*m_db);
        QVERIFY(store.upsert(QStringLiteral("zeta"), {}, QStringLiteral("Z"), kNow));
        QVERIFY(store.upsert(QStringLiteral("alpha"), {}, QStringLiteral("A"), kNow));
        auto all = store.list();
        QVERIFY(all);
        QCOMPARE(all->size(), 2);
        QCOMPARE(all->at(0).name, QStringLiteral("alpha"));
        QCOMPARE(all->at(1).name, QStringLiteral("zeta"));
        QVERIFY(store.find(QStringLiteral("alpha"))->has_value());
        QCOMPARE(*store.remove(QStringLiteral("alpha")), true);
        QCOMPARE(*store.remove(QStringLiteral("alpha")), false);
        QVERIFY(!store.find(QStringLiteral("alpha"))->has_value());
        QCOMPARE(store.list()->size(), 1);
    }
};

QTEST_GUILESS_MAIN(TestSecretMetaStore)
#include "tst_secretmetastore.moc"
