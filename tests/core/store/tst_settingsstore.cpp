// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/settingsstore.h"
#include "store/storeerror.h"
#include "storetestutil.h"

#include <QTemporaryDir>
#include <QTest>

using namespace Tessera;
using namespace Tessera::Store;
using namespace Tessera::Store::TestUtil;

class TestSettingsStore : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void testGetSetRemove()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s.db"));
        {
            auto db = openDb(path);
            QVERIFY(db);
            SettingsStore store(*db);
            QVERIFY(!store.get(QStringLiteral("port"))->has_value());
            QCOMPARE(*store.value(QStringLiteral("port"), QStringLiteral("7391")), QStringLiteral("7391"));
            QVERIFY(store.set(QStringLiteral("port"), QStringLiteral("8000")));
            QVERIFY(store.set(QStringLiteral("port"), QStringLiteral("8001")));
            QCOMPARE(store.get(QStringLiteral("port"))->value(), QStringLiteral("8001"));
            QVERIFY(store.set(QStringLiteral("empty"), QString()));
            QCOMPARE(store.get(QStringLiteral("empty"))->value(), QString());
            QVERIFY(store.set(QStringLiteral("unicode"), QStringLiteral("gr\u00fc\u00dfe \u2713")));
            QCOMPARE(store.set(QString(), QStringLiteral("x")).error().code, QString(ErrorCode::InvalidArgument));
        }
        auto db = openDb(path); // persisted
        QVERIFY(db);
        SettingsStore store(*db);
        QCOMPARE(*store.value(QStringLiteral("port"), QStringLiteral("7391")), QStringLiteral("8001"));
        QCOMPARE(store.get(QStringLiteral("unicode"))->value(), QStringLiteral("gr\u00fc\u00dfe \u2713"));
        QVERIFY(*store.remove(QStringLiteral("port")));
        QVERIFY(!*store.remove(QStringLiteral("port")));
        QVERIFY(!store.get(QStringLiteral("port"))->has_value());
    }
};

QTEST_GUILESS_MAIN(TestSettingsStore)
#include "tst_settingsstore.moc"
