// SPDX-License-Identifier: GPL-3.0-or-later
#include "crypto/encoding.h"

#include <QTest>

using namespace Tessera::Crypto;

class TestEncoding : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void testVectors_data()
    {
        QTest::addColumn<QByteArray>("decoded");
        QTest::addColumn<QByteArray>("encoded");
        // RFC 4648 §10 test vectors, padding removed (RFC 7515 §2 base64url).
        QTest::newRow("rfc4648 empty") << QByteArray() << QByteArray();
        QTest::newRow("rfc4648 f") << QByteArray("f") << QByteArray("Zg");
        QTest::newRow("rfc4648 fo") << QByteArray("fo") << QByteArray("Zm8");
        QTest::newRow("rfc4648 foo") << QByteArray("foo") << QByteArray("Zm9v");
        QTest::newRow("rfc4648 foob") << QByteArray("foob") << QByteArray("Zm9vYg");
        QTest::newRow("rfc4648 fooba") << QByteArray("fooba") << QByteArray("Zm9vYmE");
        QTest::newRow("rfc4648 foobar") << QByteArray("foobar") << QByteArray("Zm9vYmFy");
        // The two characters where base64url differs from base64 (RFC 4648 §5): 62 '-' and 63 '_'.
        QTest::newRow("url alphabet -_") << QByteArray("\xfb\xff", 2) << QByteArray("-_8");
        QTest::newRow("url alphabet 3 bytes") << QByteArray("\xfb\xef\xbe", 3) << QByteArray("----");
        QTest::newRow("url alphabet ____") << QByteArray("\xff\xff\xff", 3) << QByteArray("____");
        QTest::newRow("zero bytes") << QByteArray(4, '\0') << QByteArray("AAAAAA");
        // RFC 7515 Appendix C example octets.
        QTest::newRow("rfc7515 appendix C") << QByteArray("\x03\xec\xff\xe0", 4) << QByteArray("A-z_4A");
    }
    void testVectors()
    {
        QFETCH(QByteArray, decoded);
        QFETCH(QByteArray, encoded);
        QCOMPARE(base64UrlEncode(decoded), encoded);
        const auto r = base64UrlDecode(encoded);
        QVERIFY(r.ok());
        QCOMPARE(*r, decoded);
    }

    void testRoundTripAllLengths()
    {
        QByteArray data;
        for (int i = 0; i < 300; ++i) {
            const auto r = base64UrlDecode(base64UrlEncode(data));
            QVERIFY(r.ok());
            QCOMPARE(*r, data);
            data.append(static_cast<char>(i * 37 + 11));
        }
    }

    void testStrictRejections_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::newRow("padding ==") << QByteArray("Zg==");
        QTest::newRow("padding =") << QByteArray("Zm8=");
        QTest::newRow("lone padding") << QByteArray("=");
        QTest::newRow("standard +") << QByteArray("A+z/4A");
        QTest::newRow("standard /") << QByteArray("A/z_4A");
        QTest::newRow("space inside") << QByteArray("Zm9v YmFy");
        QTest::newRow("leading space") << QByteArray(" Zm9v");
        QTest::newRow("trailing newline") << QByteArray("Zm9v\n");
        QTest::newRow("crlf inside") << QByteArray("Zm9v\r\nYmFy");
        QTest::newRow("tab") << QByteArray("Zm\t9v");
        QTest::newRow("dot") << QByteArray("Zm9v.YmFy");
        QTest::newRow("tilde") << QByteArray("Zm9~");
        QTest::newRow("percent") << QByteArray("Zm9%");
        QTest::newRow("nul byte") << QByteArray("Zm9\0", 4);
        QTest::newRow("non-ascii") << QByteArray("Zm9\xc3\xa9");
        QTest::newRow("length 4k+1") << QByteArray("Zm9vY");
        QTest::newRow("length 1") << QByteArray("Z");
        // RFC 4648 §3.5: unused bits must be zero; "Zh" and "Zg" would both decode to "f".
        QTest::newRow("non-canonical 2 chars") << QByteArray("Zh");
        QTest::newRow("non-canonical 2 chars last bit") << QByteArray("Zv");
        QTest::newRow("non-canonical 3 chars") << QByteArray("Zm9");
        QTest::newRow("non-canonical 3 chars low bit") << QByteArray("Zm-");
        QTest::newRow("non-canonical after block") << QByteArray("Zm9vYh");
    }
    void testStrictRejections()
    {
        QFETCH(QByteArray, input);
        const auto r = base64UrlDecode(input);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, QStringLiteral("base64url_invalid"));
    }

    void testAlphabetPredicate()
    {
        int accepted = 0;
        for (int c = 0; c < 256; ++c)
            accepted += isBase64UrlChar(static_cast<char>(c)) ? 1 : 0;
        QCOMPARE(accepted, 64);
    }
};

QTEST_GUILESS_MAIN(TestEncoding)
#include "tst_encoding.moc"
