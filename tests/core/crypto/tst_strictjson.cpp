// SPDX-License-Identifier: GPL-3.0-or-later
#include "crypto/strictjson.h"

#include <QJsonArray>
#include <QTest>

using namespace Tessera::Crypto;

class TestStrictJson : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void testAccepts_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::newRow("empty object") << QByteArray("{}");
        QTest::newRow("jose header") << QByteArray("{\"alg\":\"ES256\",\"kid\":\"k1\",\"typ\":\"at+jwt\"}");
        // RFC 7515 Appendix A.3 payload, with CRLF whitespace between members.
        QTest::newRow("rfc7515 A.3 payload")
            << QByteArray("{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}");
        QTest::newRow("nested, same names at different levels")
            << QByteArray("{\"a\":{\"a\":1},\"b\":[{\"a\":1},{\"a\":2}]}");
        QTest::newRow("all value kinds") << QByteArray(
            "{\"s\":\"x\",\"n\":-0.5e+10,\"i\":0,\"t\":true,\"f\":false,\"z\":null,\"a\":[],\"o\":{}}");
        QTest::newRow("escapes") << QByteArray("{\"e\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\"}");
        QTest::newRow("utf-8 member") << QByteArray("{\"\xc3\xa9\":1,\"e\xcc\x81\":2}");
        QTest::newRow("surrounding whitespace") << QByteArray(" \t\r\n{ \"a\" : 1 } \n");
    }
    void testAccepts()
    {
        QFETCH(QByteArray, json);
        const auto r = parseStrictJsonObject(json);
        QVERIFY2(r.ok(), json.constData());
    }

    void testValues()
    {
        const auto r = parseStrictJsonObject("{\"a\":\"\\u0041\",\"n\":[1,2.5]}");
        QVERIFY(r.ok());
        QCOMPARE(r->value(QStringLiteral("a")).toString(), QStringLiteral("A"));
        QCOMPARE(r->value(QStringLiteral("n")).toArray().size(), 2);
    }

    void testRejects_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::newRow("duplicate member") << QByteArray("{\"alg\":\"ES256\",\"alg\":\"none\"}");
        QTest::newRow("duplicate after unescape") << QByteArray("{\"alg\":\"ES256\",\"\\u0061lg\":\"none\"}");
        QTest::newRow("duplicate escaped slash") << QByteArray("{\"a/b\":1,\"a\\/b\":2}");
        QTest::newRow("duplicate nested") << QByteArray("{\"o\":{\"x\":1,\"x\":2}}");
        QTest::newRow("duplicate in array element") << QByteArray("{\"a\":[{\"x\":1,\"x\":2}]}");
        QTest::newRow("trailing garbage") << QByteArray("{\"a\":1}x");
        QTest::newRow("trailing second object") << QByteArray("{\"a\":1}{\"a\":2}");
        QTest::newRow("trailing nul") << QByteArray("{\"a\":1}\0", 8);
        QTest::newRow("array top level") << QByteArray("[1]");
        QTest::newRow("string top level") << QByteArray("\"x\"");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("bom") << QByteArray("\xef\xbb\xbf{}");
        QTest::newRow("invalid utf-8") << QByteArray("{\"a\":\"\xff\"}");
        QTest::newRow("overlong utf-8") << QByteArray("{\"a\":\"\xc0\xaf\"}");
        QTest::newRow("utf-8 surrogate") << QByteArray("{\"a\":\"\xed\xa0\x80\"}");
        QTest::newRow("lone high surrogate") << QByteArray("{\"a\":\"\\ud83d\"}");
        QTest::newRow("lone low surrogate") << QByteArray("{\"a\":\"\\ude00\"}");
        QTest::newRow("raw control char") << QByteArray("{\"a\":\"x\ty\"}");
        QTest::newRow("bad escape") << QByteArray("{\"a\":\"\\x41\"}");
        QTest::newRow("short unicode escape") << QByteArray("{\"a\":\"\\u41\"}");
        QTest::newRow("unquoted name") << QByteArray("{a:1}");
        QTest::newRow("single quotes") << QByteArray("{'a':1}");
        QTest::newRow("trailing comma") << QByteArray("{\"a\":1,}");
        QTest::newRow("leading zero") << QByteArray("{\"a\":01}");
        QTest::newRow("plus sign") << QByteArray("{\"a\":+1}");
        QTest::newRow("bare dot") << QByteArray("{\"a\":1.}");
        QTest::newRow("NaN") << QByteArray("{\"a\":NaN}");
        QTest::newRow("comment") << QByteArray("{/*x*/\"a\":1}");
        QTest::newRow("unterminated") << QByteArray("{\"a\":1");
        QTest::newRow("too deep") << (QByteArray("{\"a\":") + QByteArray(40, '[') + QByteArray(40, ']') + '}');
    }
    void testRejects()
    {
        QFETCH(QByteArray, json);
        const auto r = parseStrictJsonObject(json);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, QStringLiteral("json_invalid"));
    }
};

QTEST_GUILESS_MAIN(TestStrictJson)
#include "tst_strictjson.moc"
