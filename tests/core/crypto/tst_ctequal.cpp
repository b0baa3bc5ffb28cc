// SPDX-License-Identifier: GPL-3.0-or-later
#include "crypto/ctequal.h"

#include <QTest>

using namespace Tessera::Crypto;

class TestCtEqual : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void testCompare_data()
    {
        QTest::addColumn<QByteArray>("a");
        QTest::addColumn<QByteArray>("b");
        QTest::addColumn<bool>("equal");
        QTest::newRow("equal") << QByteArray("s3cret-value") << QByteArray("s3cret-value") << true;
        QTest::newRow("both empty") << QByteArray() << QByteArray() << true;
        QTest::newRow("binary equal") << QByteArray("\0\x01\xff", 3) << QByteArray("\0\x01\xff", 3) << true;
        QTest::newRow("last byte differs") << QByteArray("s3cret-value") << QByteArray("s3cret-valuf") << false;
        QTest::newRow("first byte differs") << QByteArray("s3cret-value") << QByteArray("t3cret-value") << false;
        QTest::newRow("prefix (shorter)") << QByteArray("s3cret") << QByteArray("s3cret-value") << false;
        QTest::newRow("prefix (longer)") << QByteArray("s3cret-value") << QByteArray("s3cret") << false;
        QTest::newRow("empty vs non-empty") << QByteArray() << QByteArray("x") << false;
        QTest::newRow("trailing nul") << QByteArray("abc") << QByteArray("abc\0", 4) << false;
        QTest::newRow("case") << QByteArray("ABC") << QByteArray("abc") << false;
    }
    void testCompare()
    {
        QFETCH(QByteArray, a);
        QFETCH(QByteArray, b);
        QFETCH(bool, equal);
        QCOMPARE(constantTimeEquals(a, b), equal);
        QCOMPARE(constantTimeEquals(b, a), equal);
    }
};

QTEST_GUILESS_MAIN(TestCtEqual)
#include "tst_ctequal.moc"
