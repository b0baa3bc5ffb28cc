// SPDX-License-Identifier: GPL-3.0-or-later
#include "crypto/hash.h"

#include <QTest>

using namespace Tessera::Crypto;

class TestHash : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void testSha256_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QByteArray>("digestHex");
        // FIPS 180-2 Appendix B.1 ("abc") and B.2 (the 448-bit message).
        QTest::newRow("fips180-2 B.1 abc")
            << QByteArray("abc") << QByteArray("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        QTest::newRow("fips180-2 B.2 448 bits")
            << QByteArray("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
            << QByteArray("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
        // FIPS 180-2 Appendix B.3: one million 'a'.
        QTest::newRow("fips180-2 B.3 million a") << QByteArray(
            1000000, 'a') << QByteArray("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
        QTest::newRow("empty") << QByteArray()
                               << QByteArray("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }
    void testSha256()
    {
        QFETCH(QByteArray, input);
        QFETCH(QByteArray, digestHex);
        const QByteArray digest = sha256(input);
        QCOMPARE(digest.size(), Sha256Size);
        QCOMPARE(digest.toHex(), digestHex);
    }

    void testViewOfPartOfBuffer()
    {
        // A view into a larger buffer hashes only the viewed bytes.
        const QByteArray buffer("xxabcxx");
        QCOMPARE(sha256(QByteArrayView(buffer).sliced(2, 3)), sha256(QByteArray("abc")));
    }
};

QTEST_GUILESS_MAIN(TestHash)
#include "tst_hash.moc"
