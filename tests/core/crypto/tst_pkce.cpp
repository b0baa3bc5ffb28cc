// SPDX-License-Identifier: GPL-3.0-or-later
#include "crypto/pkce.h"

#include <QTest>

using namespace Tessera::Crypto;

namespace {
// RFC 7636 Appendix B.
const QByteArray AppendixBVerifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
const QByteArray AppendixBChallenge("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
} // namespace

class TestPkce : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void testAppendixB()
    {
        QVERIFY(isValidVerifier(AppendixBVerifier));
        QVERIFY(isValidS256Challenge(AppendixBChallenge));
        QCOMPARE(s256Challenge(AppendixBVerifier), AppendixBChallenge);
        QVERIFY(verifyS256(AppendixBVerifier, AppendixBChallenge));
    }

    void testVerifierFormat_data()
    {
        QTest::addColumn<QByteArray>("verifier");
        QTest::addColumn<bool>("valid");
        // RFC 7636 §4.1: 43..128 characters of [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~".
        QTest::newRow("42 chars") << QByteArray(42, 'a') << false;
        QTest::newRow("43 chars") << QByteArray(43, 'a') << true;
        QTest::newRow("128 chars") << QByteArray(128, 'Z') << true;
        QTest::newRow("129 chars") << QByteArray(129, 'Z') << false;
        QTest::newRow("empty") << QByteArray() << false;
        QTest::newRow("all unreserved") << QByteArray("ABCXYZabcxyz0189-._~ABCXYZabcxyz0189-._~abc") << true;
        QTest::newRow("plus") << (QByteArray(42, 'a') + '+') << false;
        QTest::newRow("slash") << (QByteArray(42, 'a') + '/') << false;
        QTest::newRow("equals") << (QByteArray(42, 'a') + '=') << false;
        QTest::newRow("space") << (QByteArray(42, 'a') + ' ') << false;
        QTest::newRow("percent-encoded") << (QByteArray(40, 'a') + "%7E") << false;
        QTest::newRow("nul") << (QByteArray(42, 'a') + '\0') << false;
        QTest::newRow("non-ascii") << (QByteArray(41, 'a') + "\xc3\xa9") << false;
        QTest::newRow("newline") << (QByteArray(43, 'a') + '\n') << false;
    }
    void testVerifierFormat()
    {
        QFETCH(QByteArray, verifier);
        QFETCH(bool, valid);
        QCOMPARE(isValidVerifier(verifier), valid);
    }

    void testChallengeFormat_data()
    {
        QTest::addColumn<QByteArray>("challenge");
        QTest::addColumn<bool>("valid");
        QTest::newRow("appendix B") << AppendixBChallenge << true;
        QTest::newRow("42 chars") << AppendixBChallenge.left(42) << false;
        QTest::newRow("44 chars") << (AppendixBChallenge + 'A') << false;
        QTest::newRow("padded") << (AppendixBChallenge + '=') << false;
        QTest::newRow("standard base64") << QByteArray("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw+cM") << false;
        // Last char 'N' carries a non-zero pad bit: not the canonical encoding of any digest.
        QTest::newRow("non-canonical last char") << QByteArray("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cN") << false;
        // A plain-method challenge is the verifier itself: '.' and '~' are not base64url.
        QTest::newRow("plain-looking with dot") << QByteArray("abcdefghijklmnopqrstuvwxyz.ABCDEFGHIJKLMNOP") << false;
        QTest::newRow("plain-looking long") << AppendixBVerifier + AppendixBVerifier << false;
        QTest::newRow("empty") << QByteArray() << false;
    }
    void testChallengeFormat()
    {
        QFETCH(QByteArray, challenge);
        QFETCH(bool, valid);
        QCOMPARE(isValidS256Challenge(challenge), valid);
    }

    void testVerify_data()
    {
        QTest::addColumn<QByteArray>("verifier");
        QTest::addColumn<QByteArray>("challenge");
        QTest::addColumn<bool>("ok");
        QTest::newRow("appendix B") << AppendixBVerifier << AppendixBChallenge << true;
        QTest::newRow("wrong verifier") << QByteArray("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXl")
                                        << AppendixBChallenge << false;
        QTest::newRow("challenge as verifier") << AppendixBChallenge << AppendixBVerifier << false;
        // plain method (RFC 7636 §4.2 code_challenge = code_verifier) must never pass.
        QTest::newRow("plain: challenge equals verifier") << AppendixBVerifier << AppendixBVerifier << false;
        QTest::newRow("plain with dot") << QByteArray("abcdefghijklmnopqrstuvwxyz.ABCDEFGHIJKLMNOP")
                                        << QByteArray("abcdefghijklmnopqrstuvwxyz.ABCDEFGHIJKLMNOP") << false;
        QTest::newRow("empty verifier") << QByteArray() << AppendixBChallenge << false;
        QTest::newRow("empty challenge") << AppendixBVerifier << QByteArray() << false;
        QTest::newRow("padded challenge") << AppendixBVerifier << (AppendixBChallenge + '=') << false;
        QTest::newRow("verifier 42 chars")
            << AppendixBVerifier.left(42) << s256Challenge(AppendixBVerifier.left(42)) << false;
        QTest::newRow("verifier 129 chars") << QByteArray(129, 'a') << s256Challenge(QByteArray(129, 'a')) << false;
        QTest::newRow("verifier 128 chars") << QByteArray(128, 'a') << s256Challenge(QByteArray(128, 'a')) << true;
        QTest::newRow("verifier with bad char")
            << (QByteArray(42, 'a') + '+') << s256Challenge(QByteArray(QByteArray(42, 'a') + '+')) << false;
    }
    void testVerify()
    {
        QFETCH(QByteArray, verifier);
        QFETCH(QByteArray, challenge);
        QFETCH(bool, ok);
        QCOMPARE(verifyS256(verifier, challenge), ok);
    }
};

QTEST_GUILESS_MAIN(TestPkce)
#include "tst_pkce.moc"
