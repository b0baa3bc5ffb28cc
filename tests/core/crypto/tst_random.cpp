// SPDX-License-Identifier: GPL-3.0-or-later
#include "crypto/encoding.h"
#include "crypto/random.h"

#include <QSet>
#include <QTest>

using namespace Tessera::Crypto;

class TestRandom : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void testBytesLength_data()
    {
        QTest::addColumn<int>("n");
        QTest::newRow("zero") << 0;
        QTest::newRow("one") << 1;
        QTest::newRow("32") << 32;
        QTest::newRow("4096") << 4096;
    }
    void testBytesLength()
    {
        QFETCH(int, n);
        const auto r = randomBytes(n);
        QVERIFY(r.ok());
        QCOMPARE(r->size(), n);
    }

    void testBytesRejectsBadSizes()
    {
        QCOMPARE(randomBytes(-1).error().code, QStringLiteral("random_bad_size"));
        QCOMPARE(randomBytes(MaxRandomBytes + 1).error().code, QStringLiteral("random_bad_size"));
    }

    void testBytesAreNotConstant()
    {
        // 64 bytes that are all zero (or equal to another draw) would mean a broken generator.
        const auto a = randomBytes(64);
        const auto b = randomBytes(64);
        QVERIFY(a.ok() && b.ok());
        QVERIFY(*a != *b);
        QVERIFY(*a != QByteArray(64, '\0'));
    }

    void testTokenDefaultLength()
    {
        const auto t = randomToken();
        QVERIFY(t.ok());
        // 32 bytes = 256 bits -> ceil(32 * 4 / 3) = 43 unpadded base64url characters.
        QCOMPARE(t->size(), 43);
        const auto decoded = base64UrlDecode(t->toLatin1());
        QVERIFY(decoded.ok());
        QCOMPARE(decoded->size(), DefaultTokenBytes);
    }

    void testTokenAlphabet()
    {
        // RFC 3986 §2.3 unreserved, and more narrowly base64url: no '+', '/', '=', '.', '~'.
        for (int i = 0; i < 200; ++i) {
            const auto t = randomToken(48);
            QVERIFY(t.ok());
            QCOMPARE(t->size(), 64);
            for (const QChar c : *t) {
                const char l = c.toLatin1();
                QVERIFY2(c.unicode() < 128 && isBase64UrlChar(l), qPrintable(QStringLiteral("bad char %1").arg(c)));
            }
        }
    }

    void testTokenUniqueness()
    {
        constexpr int Draws = 20000;
        QSet<QString> seen;
        seen.reserve(Draws);
        for (int i = 0; i < Draws; ++i) {
            const auto t = randomToken(MinTokenBytes);
            QVERIFY(t.ok());
            seen.insert(*t);
        }
        QCOMPARE(seen.size(), Draws);
    }

    void testTokenRefusesTinySizes_data()
    {
        QTest::addColumn<int>("bytes");
        QTest::newRow("15") << 15;
        QTest::newRow("8") << 8;
        QTest::newRow("0") << 0;
        QTest::newRow("-1") << -1;
    }
    void testTokenRefusesTinySizes()
    {
        QFETCH(int, bytes);
        const auto t = randomToken(bytes);
        QVERIFY(!t.ok());
        QCOMPARE(t.error().code, QStringLiteral("random_too_short"));
    }

    void testTokenMinimumAccepted()
    {
        const auto t = randomToken(MinTokenBytes);
        QVERIFY(t.ok());
        QCOMPARE(t->size(), 22);
    }
};

QTEST_GUILESS_MAIN(TestRandom)
#include "tst_random.moc"
