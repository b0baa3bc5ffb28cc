// SPDX-License-Identifier: GPL-3.0-or-later
#include "common/result.h"

#include <QTest>

#include <memory>

using namespace Tessera;

class TestResult : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void testValue()
    {
        Result<int> r = 42;
        QVERIFY(r.ok());
        QVERIFY(static_cast<bool>(r));
        QCOMPARE(*r, 42);
        QCOMPARE(r.valueOr(7), 42);
    }

    void testError()
    {
        Result<int> r = Error::make(QStringLiteral("nope"), QStringLiteral("It failed."));
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, QStringLiteral("nope"));
        QCOMPARE(r.error().toString(), QStringLiteral("nope: It failed."));
        QCOMPARE(r.valueOr(7), 7);
    }

    void testMoveOnly()
    {
        Result<std::unique_ptr<int>> r = std::make_unique<int>(5);
        QVERIFY(r.ok());
        std::unique_ptr<int> p = std::move(r).value();
        QCOMPARE(*p, 5);
    }

    void testStatus()
    {
        Status good;
        QVERIFY(good.ok());
        Status bad = Error::make(QStringLiteral("x"), QString());
        QVERIFY(!bad.ok());
        QCOMPARE(bad.error().toString(), QStringLiteral("x"));
    }
};

QTEST_GUILESS_MAIN(TestResult)
#include "tst_result.moc"
