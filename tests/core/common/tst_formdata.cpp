// SPDX-License-Identifier: GPL-3.0-or-later
#include "common/formdata.h"

#include <QTest>

using namespace Tessera;

using Pairs = QList<QPair<QString, QString>>;

class TestFormData : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void testAccepts_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<Pairs>("expected");
        QTest::newRow("empty") << QByteArray() << Pairs {};
        // RFC 6749 §4.1.3 token request, as the MCP SDKs send it.
        QTest::newRow("token request")
            << QByteArray("grant_type=authorization_code&code=SplxlOBeZQQYbYS6WxSbIA&code_verifier=dBjftJeZ4CVP-"
                          "mB92K27uhbUJU1p1r_wW1gFWFOEjXk&redirect_uri=http%3A%2F%2F127.0.0.1%3A33418%2F")
            << Pairs { { QStringLiteral("grant_type"), QStringLiteral("authorization_code") },
                   { QStringLiteral("code"), QStringLiteral("SplxlOBeZQQYbYS6WxSbIA") },
                   { QStringLiteral("code_verifier"), QStringLiteral("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") },
                   { QStringLiteral("redirect_uri"), QStringLiteral("http://127.0.0.1:33418/") } };
        QTest::newRow("plus is space") << QByteArray("scope=files%3Aread+files%3Awrite")
                                       << Pairs { { QStringLiteral("scope"),
                                              QStringLiteral("files:read files:write") } };
        QTest::newRow("encoded plus stays plus")
            << QByteArray("a=1%2B1") << Pairs { { QStringLiteral("a"), QStringLiteral("1+1") } };
        QTest::newRow("lower-case hex") << QByteArray("a=%c3%a9")
                                        << Pairs { { QStringLiteral("a"), QString::fromUtf8("\xc3\xa9") } };
        QTest::newRow("empty value") << QByteArray("state=") << Pairs { { QStringLiteral("state"), QString() } };
        QTest::newRow("no equals") << QByteArray("flag") << Pairs { { QStringLiteral("flag"), QString() } };
        QTest::newRow("equals in value") << QByteArray("a=b=c")
                                         << Pairs { { QStringLiteral("a"), QStringLiteral("b=c") } };
        QTest::newRow("case differs") << QByteArray("a=1&A=2")
                                      << Pairs { { QStringLiteral("a"), QStringLiteral("1") },
                                             { QStringLiteral("A"), QStringLiteral("2") } };
        QTest::newRow("64 params") << ([] {
            QList<QByteArray> parts;
            for (int i = 0; i < 64; ++i)
                parts.append("p" + QByteArray::number(i) + "=x");
            return parts.join('&');
        }()) << ([] {
            Pairs p;
            for (int i = 0; i < 64; ++i)
                p.append({ QStringLiteral("p%1").arg(i), QStringLiteral("x") });
            return p;
        }());
    }

    void testAccepts()
    {
        QFETCH(QByteArray, input);
        QFETCH(Pairs, expected);
        const auto form = parseForm(input);
        QVERIFY2(form.ok(), qPrintable(form.ok() ? QString() : form.error().toString()));
        QCOMPARE(form->items(), expected);
        for (const auto &[name, value] : expected) {
            QVERIFY(form->contains(name));
            QCOMPARE(form->value(name), std::optional<QString>(value));
        }
    }

    void testAbsentIsNotEmpty()
    {
        const auto form = parseForm("state=");
        QVERIFY(form.ok());
        QCOMPARE(form->value(u"state"), std::optional<QString>(QString()));
        QCOMPARE(form->value(u"code"), std::nullopt);
        QVERIFY(!form->contains(u"code"));
    }

    void testRejects_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QString>("code");
        // RFC 6749 §3.1 / security-cases B4: parameters MUST NOT be included more than once.
        QTest::newRow("grant_type twice")
            << QByteArray("grant_type=authorization_code&code=x&grant_type=client_credentials")
            << QStringLiteral("form_duplicate_parameter");
        QTest::newRow("code_verifier twice")
            << QByteArray("code_verifier=a&code_verifier=b") << QStringLiteral("form_duplicate_parameter");
        QTest::newRow("redirect_uri twice in query") << QByteArray(
            "response_type=code&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcb&redirect_uri=https%3A%2F%2Fevil.example")
                                                     << QStringLiteral("form_duplicate_parameter");
        QTest::newRow("duplicate after decoding")
            << QByteArray("code=1&c%6Fde=2") << QStringLiteral("form_duplicate_parameter");
        QTest::newRow("duplicate empty values") << QByteArray("a&a") << QStringLiteral("form_duplicate_parameter");
        QTest::newRow("truncated percent") << QByteArray("a=%4") << QStringLiteral("form_invalid_percent_encoding");
        QTest::newRow("lone percent") << QByteArray("a=%") << QStringLiteral("form_invalid_percent_encoding");
        QTest::newRow("non-hex percent") << QByteArray("a=%zz") << QStringLiteral("form_invalid_percent_encoding");
        QTest::newRow("percent in name") << QByteArray("%g1=x") << QStringLiteral("form_invalid_percent_encoding");
        QTest::newRow("invalid utf-8") << QByteArray("a=%ff") << QStringLiteral("form_invalid_utf8");
        QTest::newRow("overlong utf-8") << QByteArray("a=%c0%af") << QStringLiteral("form_invalid_utf8");
        QTest::newRow("encoded surrogate") << QByteArray("a=%ed%a0%80") << QStringLiteral("form_invalid_utf8");
        QTest::newRow("nul") << QByteArray("a=b%00c") << QStringLiteral("form_nul");
        QTest::newRow("nul in name") << QByteArray("a%00=1") << QStringLiteral("form_nul");
        QTest::newRow("raw space") << QByteArray("a=b c") << QStringLiteral("form_invalid_character");
        QTest::newRow("raw newline") << QByteArray("a=b\nc") << QStringLiteral("form_invalid_character");
        QTest::newRow("raw non-ascii") << QByteArray("a=\xc3\xa9") << QStringLiteral("form_invalid_character");
        QTest::newRow("raw nul") << QByteArray("a=b\0c", 5) << QStringLiteral("form_invalid_character");
        QTest::newRow("fragment") << QByteArray("a=b#c") << QStringLiteral("form_invalid_character");
        QTest::newRow("empty name") << QByteArray("=x") << QStringLiteral("form_empty_name");
        QTest::newRow("empty pair") << QByteArray("a=1&&b=2") << QStringLiteral("form_empty_name");
        QTest::newRow("trailing ampersand") << QByteArray("a=1&") << QStringLiteral("form_empty_name");
        QTest::newRow("leading ampersand") << QByteArray("&a=1") << QStringLiteral("form_empty_name");
        QTest::newRow("lone ampersand") << QByteArray("&") << QStringLiteral("form_empty_name");
        QTest::newRow("65 params") << ([] {
            QList<QByteArray> parts;
            for (int i = 0; i < 65; ++i)
                parts.append("p" + QByteArray::number(i) + "=x");
            return parts.join('&');
        }()) << QStringLiteral("form_too_many_parameters");
    }

    void testRejects()
    {
        QFETCH(QByteArray, input);
        QFETCH(QString, code);
        const auto form = parseForm(input);
        QVERIFY(!form.ok());
        QCOMPARE(form.error().code, code);
    }

    void testDuplicateMessageNamesOnlyPlainParameters()
    {
        const auto plain = parseForm("grant_type=a&grant_type=b");
        QVERIFY(!plain.ok());
        QVERIFY(plain.error().message.contains(QStringLiteral("\"grant_type\"")));
        // A name with odd characters is not echoed into messages (and so not into logs).
        const auto odd = parseForm("x%0Ay=1&x%0Ay=2");
        QVERIFY(!odd.ok());
        QCOMPARE(odd.error().code, QStringLiteral("form_duplicate_parameter"));
        QVERIFY(!odd.error().message.contains(u'\n'));
    }

    void testMaxParamsIsAParameter()
    {
        QVERIFY(parseForm("a=1&b=2", 2).ok());
        const auto tooMany = parseForm("a=1&b=2&c=3", 2);
        QVERIFY(!tooMany.ok());
        QCOMPARE(tooMany.error().code, QStringLiteral("form_too_many_parameters"));
    }
};

QTEST_GUILESS_MAIN(TestFormData)
#include "tst_formdata.moc"
