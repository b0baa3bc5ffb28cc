// SPDX-License-Identifier: GPL-3.0-or-later
#include "common/strictjson.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace Tessera;

class TestStrictJsonValue : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void testAccepts_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QByteArray>("canonical"); // QJsonDocument's compact form of the expected value
        // RFC 8259 §2: any value at the top level, surrounded by any whitespace.
        QTest::newRow("object") << QByteArray("{\"a\":1,\"b\":[true,false,null],\"c\":\"x\"}")
                                << QByteArray("{\"a\":1,\"b\":[true,false,null],\"c\":\"x\"}");
        QTest::newRow("whitespace") << QByteArray(" \t\r\n{ \"a\" : [ ] , \"b\" : { } }\n ")
                                    << QByteArray("{\"a\":[],\"b\":{}}");
        QTest::newRow("scalar top-level") << QByteArray("42") << QByteArray("[42]");
        QTest::newRow("string top-level") << QByteArray("\"hi\"") << QByteArray("[\"hi\"]");
        QTest::newRow("numbers") << QByteArray("[0,-0,1.5,-2e3,1E+2,1e-300,1.7976931348623157e308]")
                                 << QByteArray("[0,0,1.5,-2000,100,1e-300,1.7976931348623157e+308]");
        QTest::newRow("escapes") << QByteArray("[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\"]")
                                 << QByteArray("[\"\\\"\\\\/\\b\\f\\n\\r\\t\xc3\xa9\"]");
        // RFC 8259 §7: a character outside the BMP as an escaped surrogate pair.
        QTest::newRow("surrogate pair") << QByteArray("[\"\\ud83d\\ude00\"]") << QByteArray("[\"\xf0\x9f\x98\x80\"]");
        QTest::newRow("raw utf-8") << QByteArray("[\"\xe2\x82\xac \xf0\x9f\x98\x80\"]")
                                   << QByteArray("[\"\xe2\x82\xac \xf0\x9f\x98\x80\"]");
        QTest::newRow("same name in sibling objects")
            << QByteArray("[{\"a\":1},{\"a\":2}]") << QByteArray("[{\"a\":1},{\"a\":2}]");
        QTest::newRow("16 deep") << (QByteArray(16, '[') + QByteArray(16, ']'))
                                 << (QByteArray(16, '[') + QByteArray(16, ']'));
    }

    void testAccepts()
    {
        QFETCH(QByteArray, input);
        QFETCH(QByteArray, canonical);
        const auto result = parseStrictJson(input);
        QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.error().toString()));
        const QJsonValue v = *result;
        const QByteArray got = v.isObject() ? QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact)
            : v.isArray()                   ? QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact)
                                            : QJsonDocument(QJsonArray { v }).toJson(QJsonDocument::Compact);
        QCOMPARE(got, canonical);
    }

    void testRejects_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QString>("code");
        // RFC 7493 §2.3: member names MUST be unique; compared after unescaping.
        QTest::newRow("duplicate member")
            << QByteArray("{\"redirect_uris\":[\"https://a\"],\"redirect_uris\":[\"https://evil\"]}")
            << QStringLiteral("json_duplicate_member");
        QTest::newRow("duplicate after unescape")
            << QByteArray("{\"a\":1,\"\\u0061\":2}") << QStringLiteral("json_duplicate_member");
        QTest::newRow("nested duplicate")
            << QByteArray("{\"x\":{\"k\":1,\"k\":1}}") << QStringLiteral("json_duplicate_member");
        // security-cases B3: depth beyond the limit, without recursion.
        QTest::newRow("17 deep") << (QByteArray(17, '[') + QByteArray(17, ']')) << QStringLiteral("json_too_deep");
        QTest::newRow("1025 deep") << (QByteArray(1025, '[') + QByteArray(1025, ']'))
                                   << QStringLiteral("json_too_deep");
        QTest::newRow("1025 deep objects")
            << (QByteArray("{\"a\":").repeated(1025) + "1" + QByteArray(1025, '}')) << QStringLiteral("json_too_deep");
        // RFC 3629 §3: overlong encodings and encoded surrogates are invalid UTF-8.
        QTest::newRow("overlong slash") << QByteArray("[\"\xc0\xaf\"]") << QStringLiteral("json_invalid_utf8");
        QTest::newRow("overlong 3-byte") << QByteArray("[\"\xe0\x80\xaf\"]") << QStringLiteral("json_invalid_utf8");
        QTest::newRow("utf-8 surrogate") << QByteArray("[\"\xed\xa0\x80\"]") << QStringLiteral("json_invalid_utf8");
        QTest::newRow("above U+10FFFF") << QByteArray("[\"\xf4\x90\x80\x80\"]") << QStringLiteral("json_invalid_utf8");
        QTest::newRow("truncated sequence") << QByteArray("[\"\xe2\x82\"]") << QStringLiteral("json_invalid_utf8");
        QTest::newRow("lone continuation") << QByteArray("[\"\x80\"]") << QStringLiteral("json_invalid_utf8");
        QTest::newRow("latin-1 byte") << QByteArray("[\"caf\xe9\"]") << QStringLiteral("json_invalid_utf8");
        // RFC 7493 §2.1: no surrogates or noncharacters, escaped or not.
        QTest::newRow("lone high surrogate escape")
            << QByteArray("[\"\\ud800\"]") << QStringLiteral("json_invalid_unicode");
        QTest::newRow("lone low surrogate escape")
            << QByteArray("[\"\\udc00\"]") << QStringLiteral("json_invalid_unicode");
        QTest::newRow("reversed pair") << QByteArray("[\"\\ude00\\ud83d\"]") << QStringLiteral("json_invalid_unicode");
        QTest::newRow("high then letter") << QByteArray("[\"\\ud83dx\"]") << QStringLiteral("json_invalid_unicode");
        QTest::newRow("noncharacter escape") << QByteArray("[\"\\uffff\"]") << QStringLiteral("json_invalid_unicode");
        QTest::newRow("noncharacter raw") << QByteArray("[\"\xef\xb7\x90\"]") << QStringLiteral("json_invalid_unicode");
        QTest::newRow("nul escape") << QByteArray("{\"client_name\":\"a\\u0000b\"}") << QStringLiteral("json_nul");
        // RFC 7493 §2.2: numbers must fit an IEEE double.
        QTest::newRow("1e400") << QByteArray("[1e400]") << QStringLiteral("json_number_out_of_range");
        QTest::newRow("-1e400") << QByteArray("[-1e400]") << QStringLiteral("json_number_out_of_range");
        QTest::newRow("underflow") << QByteArray("[1e-400]") << QStringLiteral("json_number_out_of_range");
        // RFC 8259 §8.1: no byte order mark.
        QTest::newRow("bom") << QByteArray("\xef\xbb\xbf{}") << QStringLiteral("json_bom");
        QTest::newRow("trailing garbage") << QByteArray("{} x") << QStringLiteral("json_trailing_data");
        QTest::newRow("two documents") << QByteArray("{}{}") << QStringLiteral("json_trailing_data");
        QTest::newRow("trailing nul") << QByteArray("{}\0", 3) << QStringLiteral("json_trailing_data");
        QTest::newRow("empty") << QByteArray() << QStringLiteral("json_syntax");
        QTest::newRow("raw control in string") << QByteArray("[\"a\nb\"]") << QStringLiteral("json_syntax");
        QTest::newRow("raw nul in string") << QByteArray("[\"a\0b\"]", 7) << QStringLiteral("json_syntax");
        QTest::newRow("single quotes") << QByteArray("['a']") << QStringLiteral("json_syntax");
        QTest::newRow("trailing comma") << QByteArray("[1,]") << QStringLiteral("json_syntax");
        QTest::newRow("trailing comma object") << QByteArray("{\"a\":1,}") << QStringLiteral("json_syntax");
        QTest::newRow("leading zero") << QByteArray("[01]") << QStringLiteral("json_syntax");
        QTest::newRow("plus sign") << QByteArray("[+1]") << QStringLiteral("json_syntax");
        QTest::newRow("bare dot") << QByteArray("[1.]") << QStringLiteral("json_syntax");
        QTest::newRow("NaN") << QByteArray("[NaN]") << QStringLiteral("json_syntax");
        QTest::newRow("Infinity") << QByteArray("[Infinity]") << QStringLiteral("json_syntax");
        QTest::newRow("bad escape") << QByteArray("[\"\\x41\"]") << QStringLiteral("json_syntax");
        QTest::newRow("short unicode escape") << QByteArray("[\"\\u12\"]") << QStringLiteral("json_syntax");
        QTest::newRow("unterminated") << QByteArray("[\"abc") << QStringLiteral("json_syntax");
        QTest::newRow("unclosed") << QByteArray("[1,2") << QStringLiteral("json_syntax");
        QTest::newRow("comment") << QByteArray("{/* */}") << QStringLiteral("json_syntax");
        QTest::newRow("unquoted key") << QByteArray("{a:1}") << QStringLiteral("json_syntax");
        QTest::newRow("truncated literal") << QByteArray("[tru]") << QStringLiteral("json_syntax");
    }

    void testRejects()
    {
        QFETCH(QByteArray, input);
        QFETCH(QString, code);
        const auto result = parseStrictJson(input);
        QVERIFY(!result.ok());
        QCOMPARE(result.error().code, code);
        QVERIFY(!result.error().message.isEmpty());
    }

    // security-cases B3: 10,000 deep must fail cleanly and fast, not overflow the stack.
    void testLeadingZeroWidthNoBreakSpaceKept()
    {
        // U+FEFF at the start of a string, raw and escaped, must survive: QString::fromUtf8
        // would drop it and show another parser's reader a different name.
        for (const QByteArray &doc : { QByteArray("{\"n\":\"\xEF\xBB\xBF"
                                                  "Claude\"}"),
                 QByteArray("{\"n\":\"\\ufeffClaude\"}") }) {
            const auto v = Tessera::parseStrictJson(doc);
            QVERIFY(v.ok());
            const QString n = v->toObject().value(QStringLiteral("n")).toString();
            QCOMPARE(n.size(), 7);
            QCOMPARE(n.at(0).unicode(), ushort(0xFEFF));
        }
    }

    void testTenThousandDeepDoesNotCrash()
    {
        const QByteArray arrays = QByteArray(10000, '[') + QByteArray(10000, ']');
        const QByteArray objects = QByteArray("{\"a\":").repeated(10000) + "0" + QByteArray(10000, '}');
        const QByteArray unclosed(100000, '[');
        for (const QByteArray &input : { arrays, objects, unclosed }) {
            QElapsedTimer timer;
            timer.start();
            const auto result = parseStrictJson(input, StrictJsonLimits { 1024 * 1024, 16, 8192, 256, 256 });
            QVERIFY(!result.ok());
            QCOMPARE(result.error().code, QStringLiteral("json_too_deep"));
            QVERIFY(timer.elapsed() < 1000);
        }
        // Even with the limit raised to 100,000 there is no recursion to overflow.
        const auto deep = parseStrictJson(arrays, StrictJsonLimits { 1024 * 1024, 100000, 8192, 256, 256 });
        QVERIFY(deep.ok());
    }

    void testLimits_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QString>("code");
        QTest::addColumn<bool>("justFits");
        // Limits used below: 100 bytes, depth 3, strings 10 bytes (with quotes), 3 items, 2 members.
        QTest::newRow("size at limit") << (QByteArray("[") + QByteArray(98, '1') + "]") << QString() << true;
        QTest::newRow("size over") << (QByteArray("[") + QByteArray(99, '1') + "]") << QStringLiteral("json_too_large")
                                   << false;
        QTest::newRow("depth 3") << QByteArray("[[[]]]") << QString() << true;
        QTest::newRow("depth 4") << QByteArray("[[[[]]]]") << QStringLiteral("json_too_deep") << false;
        QTest::newRow("string 8 chars") << QByteArray("[\"12345678\"]") << QString() << true;
        QTest::newRow("string 9 chars") << QByteArray("[\"123456789\"]") << QStringLiteral("json_string_too_long")
                                        << false;
        QTest::newRow("member name 9 chars")
            << QByteArray("{\"123456789\":1}") << QStringLiteral("json_string_too_long") << false;
        QTest::newRow("3 items") << QByteArray("[1,2,3]") << QString() << true;
        QTest::newRow("4 items") << QByteArray("[1,2,3,4]") << QStringLiteral("json_too_many_items") << false;
        QTest::newRow("2 members") << QByteArray("{\"a\":1,\"b\":2}") << QString() << true;
        QTest::newRow("3 members") << QByteArray("{\"a\":1,\"b\":2,\"c\":3}") << QStringLiteral("json_too_many_members")
                                   << false;
    }

    void testLimits()
    {
        QFETCH(QByteArray, input);
        QFETCH(QString, code);
        QFETCH(bool, justFits);
        const auto result = parseStrictJson(input, StrictJsonLimits { 100, 3, 10, 3, 2 });
        QCOMPARE(result.ok(), justFits);
        if (!justFits)
            QCOMPARE(result.error().code, code);
    }

    void testDefaultLimitsRejectLargeArrays()
    {
        // security-cases B5: 10,000 redirect_uris.
        QByteArray many = "{\"redirect_uris\":[";
        for (int i = 0; i < 10000; ++i)
            many += (i ? ",\"https://a\"" : "\"https://a\"");
        many += "]}";
        const auto result = parseStrictJson(many, StrictJsonLimits { 1024 * 1024 });
        QVERIFY(!result.ok());
        QCOMPARE(result.error().code, QStringLiteral("json_too_many_items"));
    }

    void testIsStrictUtf8_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<bool>("valid");
        QTest::newRow("ascii") << QByteArray("hello") << true;
        QTest::newRow("2-4 byte forms") << QByteArray("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80") << true;
        QTest::newRow("nul is valid utf-8") << QByteArray("a\0b", 3) << true;
        QTest::newRow("overlong nul") << QByteArray("\xc0\x80") << false;
        QTest::newRow("surrogate") << QByteArray("\xed\xbf\xbf") << false;
        QTest::newRow("f5") << QByteArray("\xf5\x80\x80\x80") << false;
        QTest::newRow("truncated") << QByteArray("\xf0\x9f\x98") << false;
    }

    void testIsStrictUtf8()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(bool, valid);
        QCOMPARE(isStrictUtf8(bytes), valid);
    }
};

QTEST_GUILESS_MAIN(TestStrictJsonValue)
#include "tst_strictjsonvalue.moc"
