// SPDX-License-Identifier: GPL-3.0-or-later
#include "http/requestparser.h"

#include <QTest>

using namespace Tessera::Http;

namespace {

HttpLimits smallLimits()
{
    HttpLimits limits;
    limits.maxBodyBytes = 1000;
    limits.maxHeaderBytes = 512;
    limits.maxUriBytes = 128;
    limits.maxHeaderCount = 8;
    return limits;
}

struct Outcome
{
    RequestParser::State state;
    int status = 0;
    QString code;
    qsizetype consumed = 0;
};

Outcome parseAll(const QByteArray &input, const HttpLimits &limits = smallLimits())
{
    RequestParser parser(limits);
    qsizetype consumed = 0;
    const auto state = parser.feed(input, &consumed);
    return { state, parser.failure().status, parser.failure().code, consumed };
}

Outcome parseByteByByte(const QByteArray &input, const HttpLimits &limits = smallLimits())
{
    RequestParser parser(limits);
    qsizetype total = 0;
    for (qsizetype i = 0; i < input.size(); ++i) {
        qsizetype consumed = 0;
        const auto state = parser.feed(QByteArrayView(input).sliced(i, 1), &consumed);
        total += consumed;
        if (state != RequestParser::State::NeedMore)
            return { state, parser.failure().status, parser.failure().code, total };
    }
    return { parser.state(), parser.failure().status, parser.failure().code, total };
}

} // namespace

class TestRequestParser : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void testRejects_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("code");
        const QByteArray host = "Host: 127.0.0.1:7391\r\n";
        // RFC 9112 §6.1 / §6.3, security-cases B7: ambiguous framing is 400 and close.
        QTest::newRow("CL and TE") << ("POST /token HTTP/1.1\r\n" + host
            + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n")
                                   << 400 << QStringLiteral("ambiguous_framing");
        QTest::newRow("TE and CL") << ("POST /token HTTP/1.1\r\n" + host
            + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n")
                                   << 400 << QStringLiteral("ambiguous_framing");
        QTest::newRow("two different CL")
            << ("POST /token HTTP/1.1\r\n" + host + "Content-Length: 5\r\nContent-Length: 6\r\n\r\n") << 400
            << QStringLiteral("ambiguous_framing");
        QTest::newRow("two equal CL") << ("POST /token HTTP/1.1\r\n" + host
            + "Content-Length: 5\r\nContent-Length: 5\r\n\r\n")
                                      << 400 << QStringLiteral("ambiguous_framing");
        QTest::newRow("CL list") << ("POST /token HTTP/1.1\r\n" + host + "Content-Length: 5, 5\r\n\r\n") << 400
                                 << QStringLiteral("invalid_content_length");
        QTest::newRow("CL sign") << ("POST /token HTTP/1.1\r\n" + host + "Content-Length: +5\r\n\r\n") << 400
                                 << QStringLiteral("invalid_content_length");
        QTest::newRow("CL negative") << ("POST /token HTTP/1.1\r\n" + host + "Content-Length: -1\r\n\r\n") << 400
                                     << QStringLiteral("invalid_content_length");
        QTest::newRow("CL hex") << ("POST /token HTTP/1.1\r\n" + host + "Content-Length: 0x10\r\n\r\n") << 400
                                << QStringLiteral("invalid_content_length");
        QTest::newRow("CL empty") << ("POST /token HTTP/1.1\r\n" + host + "Content-Length:\r\n\r\n") << 400
                                  << QStringLiteral("invalid_content_length");
        // RFC 9112 §6.3: chunked must be the final coding of a request, else 400.
        QTest::newRow("TE identity") << ("POST /token HTTP/1.1\r\n" + host + "Transfer-Encoding: identity\r\n\r\n")
                                     << 400 << QStringLiteral("chunked_not_final");
        QTest::newRow("TE on HTTP/1.0") << ("POST /token HTTP/1.0\r\n" + host + "Transfer-Encoding: chunked\r\n\r\n")
                                        << 400 << QStringLiteral("ambiguous_framing");
        // security-cases B1: the declared length alone decides, before any body byte.
        QTest::newRow("CL over limit") << ("POST /token HTTP/1.1\r\n" + host + "Content-Length: 1001\r\n\r\n") << 413
                                       << QStringLiteral("body_too_large");
        QTest::newRow("CL 10^12") << ("POST /register HTTP/1.1\r\n" + host + "Content-Length: 1000000000000\r\n\r\n")
                                  << 413 << QStringLiteral("body_too_large");
        QTest::newRow("CL 40 digits") << ("POST /token HTTP/1.1\r\n" + host
            + "Content-Length: 9999999999999999999999999999999999999999\r\n\r\n")
                                      << 413 << QStringLiteral("body_too_large");
        // RFC 9112 §5.2 obs-fold, §2.2 line endings, §5.1 no space before colon.
        QTest::newRow("obs-fold") << ("GET / HTTP/1.1\r\n" + host + "X-A: a\r\n b\r\n\r\n") << 400
                                  << QStringLiteral("obs_fold");
        QTest::newRow("obs-fold tab") << ("GET / HTTP/1.1\r\n" + host + "X-A: a\r\n\tb\r\n\r\n") << 400
                                      << QStringLiteral("obs_fold");
        QTest::newRow("space before first header")
            << QByteArray("GET / HTTP/1.1\r\n Host: x\r\n\r\n") << 400 << QStringLiteral("obs_fold");
        QTest::newRow("bare LF request line")
            << QByteArray("GET / HTTP/1.1\nHost: x\r\n\r\n") << 400 << QStringLiteral("bare_lf");
        QTest::newRow("bare LF header") << ("GET / HTTP/1.1\r\n" + host + "X-A: b\n\r\n") << 400
                                        << QStringLiteral("bare_lf");
        QTest::newRow("bare LF end") << ("GET / HTTP/1.1\r\n" + host + "\n") << 400 << QStringLiteral("bare_lf");
        QTest::newRow("bare CR") << ("GET / HTTP/1.1\r\n" + host + "X-A: a\rb\r\n\r\n") << 400
                                 << QStringLiteral("bare_cr");
        QTest::newRow("space before colon")
            << ("GET / HTTP/1.1\r\n" + host + "Content-Length : 5\r\n\r\n") << 400 << QStringLiteral("invalid_header");
        QTest::newRow("no colon") << ("GET / HTTP/1.1\r\n" + host + "NoColon\r\n\r\n") << 400
                                  << QStringLiteral("invalid_header");
        QTest::newRow("empty name") << ("GET / HTTP/1.1\r\n" + host + ": x\r\n\r\n") << 400
                                    << QStringLiteral("invalid_header");
        QTest::newRow("nul in value") << ("GET / HTTP/1.1\r\n" + host + QByteArray("X-A: a\0b\r\n\r\n", 12)) << 400
                                      << QStringLiteral("invalid_header");
        QTest::newRow("control in value") << ("GET / HTTP/1.1\r\n" + host
            + "X-A: a\x01"
              "b\r\n\r\n") << 400 << QStringLiteral("invalid_header");
        QTest::newRow("DEL in value") << ("GET / HTTP/1.1\r\n" + host + "X-A: a\x7f\r\n\r\n") << 400
                                      << QStringLiteral("invalid_header");
        QTest::newRow("two Host") << QByteArray("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n") << 400
                                  << QStringLiteral("duplicate_host");
        // RFC 9112 §3: request-line.
        QTest::newRow("double space") << ("GET  / HTTP/1.1\r\n" + host + "\r\n") << 400
                                      << QStringLiteral("invalid_request_line");
        QTest::newRow("tab separator") << ("GET\t/ HTTP/1.1\r\n" + host + "\r\n") << 400
                                       << QStringLiteral("invalid_method");
        QTest::newRow("no version") << QByteArray("GET /\r\n\r\n") << 400 << QStringLiteral("invalid_request_line");
        QTest::newRow("trailing space") << ("GET / HTTP/1.1 \r\n" + host + "\r\n") << 400
                                        << QStringLiteral("invalid_request_line");
        QTest::newRow("lower-case version")
            << ("GET / http/1.1\r\n" + host + "\r\n") << 400 << QStringLiteral("invalid_request_line");
        QTest::newRow("HTTP/2.0") << ("GET / HTTP/2.0\r\n" + host + "\r\n") << 505
                                  << QStringLiteral("http_version_not_supported");
        QTest::newRow("HTTP/0.9") << ("GET / HTTP/0.9\r\n" + host + "\r\n") << 505
                                  << QStringLiteral("http_version_not_supported");
        QTest::newRow("invalid method token")
            << ("G(T / HTTP/1.1\r\n" + host + "\r\n") << 400 << QStringLiteral("invalid_method");
        QTest::newRow("unknown method") << ("FOO / HTTP/1.1\r\n" + host + "\r\n") << 501
                                        << QStringLiteral("method_not_implemented");
        QTest::newRow("lower-case get") << ("get / HTTP/1.1\r\n" + host + "\r\n") << 501
                                        << QStringLiteral("method_not_implemented");
        // RFC 9112 §3.2: origin-form only.
        QTest::newRow("absolute-form") << ("GET http://127.0.0.1:7391/token HTTP/1.1\r\n" + host + "\r\n") << 400
                                       << QStringLiteral("invalid_target");
        QTest::newRow("authority-form") << ("CONNECT 127.0.0.1:7391 HTTP/1.1\r\n" + host + "\r\n") << 400
                                        << QStringLiteral("invalid_target");
        QTest::newRow("asterisk-form") << ("OPTIONS * HTTP/1.1\r\n" + host + "\r\n") << 400
                                       << QStringLiteral("invalid_target");
        QTest::newRow("fragment") << ("GET /a#b HTTP/1.1\r\n" + host + "\r\n") << 400
                                  << QStringLiteral("invalid_target");
        QTest::newRow("bad percent") << ("GET /a%zz HTTP/1.1\r\n" + host + "\r\n") << 400
                                     << QStringLiteral("invalid_target");
        QTest::newRow("short percent") << ("GET /a% HTTP/1.1\r\n" + host + "\r\n") << 400
                                       << QStringLiteral("invalid_target");
        QTest::newRow("raw non-ascii") << ("GET /\xc3\xa9 HTTP/1.1\r\n" + host + "\r\n") << 400
                                       << QStringLiteral("invalid_target");
        QTest::newRow("backslash") << ("GET /a\\b HTTP/1.1\r\n" + host + "\r\n") << 400
                                   << QStringLiteral("invalid_target");
        QTest::newRow("quote") << ("GET /a\"b HTTP/1.1\r\n" + host + "\r\n") << 400 << QStringLiteral("invalid_target");
        // Limits (smallLimits: target 128, head 512, 8 fields).
        QTest::newRow("uri too long") << ("GET /" + QByteArray(128, 'a') + " HTTP/1.1\r\n" + host + "\r\n") << 414
                                      << QStringLiteral("uri_too_long");
        QTest::newRow("head too large") << ("GET / HTTP/1.1\r\n" + host + "X-Big: " + QByteArray(500, 'a') + "\r\n\r\n")
                                        << 431 << QStringLiteral("header_too_large");
        QTest::newRow("too many fields") << ("GET / HTTP/1.1\r\n" + host + QByteArray("X-A: 1\r\n").repeated(8)
            + "\r\n") << 431 << QStringLiteral("too_many_headers");
        QTest::newRow("method too long") << (QByteArray(40, 'A') + " / HTTP/1.1\r\n\r\n") << 400
                                         << QStringLiteral("invalid_method");
        QTest::newRow("expect other") << ("POST / HTTP/1.1\r\n" + host + "Expect: 200-ok\r\nContent-Length: 1\r\n\r\n")
                                      << 417 << QStringLiteral("expectation_failed");
    }

    void testRejects()
    {
        QFETCH(QByteArray, input);
        QFETCH(int, status);
        QFETCH(QString, code);
        // Whole and byte by byte: where the bytes are split must not matter.
        for (const Outcome &o : { parseAll(input), parseByteByByte(input) }) {
            QCOMPARE(o.state, RequestParser::State::Failed);
            QCOMPARE(o.status, status);
            QCOMPARE(o.code, code);
        }
    }

    void testAccepts_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<QByteArray>("query");
        QTest::addColumn<bool>("hasQuery");
        QTest::addColumn<qint64>("contentLength");
        QTest::addColumn<bool>("close");
        QTest::newRow("simple GET") << QByteArray(
            "GET /.well-known/oauth-authorization-server HTTP/1.1\r\nHost: h\r\n\r\n")
                                    << QByteArray("GET") << QByteArray("/.well-known/oauth-authorization-server")
                                    << QByteArray() << false << qint64(0) << false;
        // Paths stay exactly as sent: routing sees `//token` and `/token%2F`, not a normalised form.
        QTest::newRow("double slash kept") << QByteArray("GET //token HTTP/1.1\r\nHost: h\r\n\r\n") << QByteArray("GET")
                                           << QByteArray("//token") << QByteArray() << false << qint64(0) << false;
        QTest::newRow("encoded slash kept")
            << QByteArray("GET /token%2F HTTP/1.1\r\nHost: h\r\n\r\n") << QByteArray("GET") << QByteArray("/token%2F")
            << QByteArray() << false << qint64(0) << false;
        QTest::newRow("dot segments kept")
            << QByteArray("GET /a/../token HTTP/1.1\r\nHost: h\r\n\r\n") << QByteArray("GET")
            << QByteArray("/a/../token") << QByteArray() << false << qint64(0) << false;
        QTest::newRow("query") << QByteArray("GET /authorize?response_type=code&x=%2F? HTTP/1.1\r\nHost: h\r\n\r\n")
                               << QByteArray("GET") << QByteArray("/authorize")
                               << QByteArray("response_type=code&x=%2F?") << true << qint64(0) << false;
        QTest::newRow("empty query") << QByteArray("GET /a? HTTP/1.1\r\nHost: h\r\n\r\n") << QByteArray("GET")
                                     << QByteArray("/a") << QByteArray() << true << qint64(0) << false;
        QTest::newRow("POST with body") << QByteArray(
            "POST /token HTTP/1.1\r\nHost: h\r\nContent-Length: 0005\r\n\r\nabcde")
                                        << QByteArray("POST") << QByteArray("/token") << QByteArray() << false
                                        << qint64(5) << false;
        QTest::newRow("CL at limit") << QByteArray("POST /token HTTP/1.1\r\nHost: h\r\nContent-Length: 1000\r\n\r\n")
                                     << QByteArray("POST") << QByteArray("/token") << QByteArray() << false
                                     << qint64(1000) << false;
        // RFC 9112 §2.2: empty lines before the request-line are ignored.
        QTest::newRow("leading CRLF") << QByteArray("\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n") << QByteArray("GET")
                                      << QByteArray("/") << QByteArray() << false << qint64(0) << false;
        QTest::newRow("Connection close")
            << QByteArray("GET / HTTP/1.1\r\nHost: h\r\nConnection: keep-alive, Close\r\n\r\n") << QByteArray("GET")
            << QByteArray("/") << QByteArray() << false << qint64(0) << true;
        QTest::newRow("HTTP/1.0 closes") << QByteArray("GET / HTTP/1.0\r\nHost: h\r\n\r\n") << QByteArray("GET")
                                         << QByteArray("/") << QByteArray() << false << qint64(0) << true;
        QTest::newRow("HTTP/1.9 as 1.1") << QByteArray("GET / HTTP/1.9\r\nHost: h\r\n\r\n") << QByteArray("GET")
                                         << QByteArray("/") << QByteArray() << false << qint64(0) << false;
        QTest::newRow("missing Host is for the gate") << QByteArray("GET / HTTP/1.1\r\n\r\n") << QByteArray("GET")
                                                      << QByteArray("/") << QByteArray() << false << qint64(0) << false;
        QTest::newRow("PUT parses") << QByteArray("PUT /token HTTP/1.1\r\nHost: h\r\n\r\n") << QByteArray("PUT")
                                    << QByteArray("/token") << QByteArray() << false << qint64(0) << false;
        QTest::newRow("TRACE parses") << QByteArray("TRACE /token HTTP/1.1\r\nHost: h\r\n\r\n") << QByteArray("TRACE")
                                      << QByteArray("/token") << QByteArray() << false << qint64(0) << false;
        QTest::newRow("obs-text value") << QByteArray("GET / HTTP/1.1\r\nHost: h\r\nX-A: caf\xe9\r\n\r\n")
                                        << QByteArray("GET") << QByteArray("/") << QByteArray() << false << qint64(0)
                                        << false;
        QTest::newRow("uri at limit") << ("GET /" + QByteArray(127, 'a') + " HTTP/1.1\r\nHost: h\r\n\r\n")
                                      << QByteArray("GET") << ("/" + QByteArray(127, 'a')) << QByteArray() << false
                                      << qint64(0) << false;
    }

    void testAccepts()
    {
        QFETCH(QByteArray, input);
        QFETCH(QByteArray, method);
        QFETCH(QByteArray, path);
        QFETCH(QByteArray, query);
        QFETCH(bool, hasQuery);
        QFETCH(qint64, contentLength);
        QFETCH(bool, close);
        for (bool byteByByte : { false, true }) {
            RequestParser parser(smallLimits());
            qsizetype consumed = 0;
            if (byteByByte) {
                for (qsizetype i = 0; i < input.size() && parser.state() == RequestParser::State::NeedMore; ++i) {
                    qsizetype c = 0;
                    parser.feed(QByteArrayView(input).sliced(i, 1), &c);
                    consumed += c;
                }
            } else {
                parser.feed(input, &consumed);
            }
            QCOMPARE(parser.state(), RequestParser::State::Complete);
            const RequestHead &head = parser.head();
            QCOMPARE(head.method, method);
            QCOMPARE(head.path, path);
            QCOMPARE(head.query, query);
            QCOMPARE(head.hasQuery, hasQuery);
            QCOMPARE(head.contentLength, contentLength);
            QCOMPARE(head.connectionClose, close);
            // The parser stops at the end of the head: the body stays for the connection to read.
            QCOMPARE(consumed, input.lastIndexOf("\r\n\r\n") + 4);
        }
    }

    void testHeadersKeptAsReceived()
    {
        RequestParser parser(smallLimits());
        qsizetype consumed = 0;
        parser.feed("GET / HTTP/1.1\r\nHost: h\r\nX-Dup: one\r\nx-dup:  two \r\nAccept:\r\n\r\n", &consumed);
        QCOMPARE(parser.state(), RequestParser::State::Complete);
        const Headers &h = parser.head().headers;
        QCOMPARE(h.size(), 4);
        QCOMPARE(h.count("X-DUP"), 2);
        QCOMPARE(h.values("x-dup"), (QList<QByteArray> { "one", "two" }));
        QCOMPARE(h.value("accept"), QByteArray());
        QVERIFY(h.contains("ACCEPT"));
        QCOMPARE(h.fields().at(2).first, QByteArray("x-dup"));
        QVERIFY(!h.single("x-dup").ok());
        QCOMPARE(h.single("x-dup").error().code, QStringLiteral("header_repeated"));
        QCOMPARE(h.single("x-missing").error().code, QStringLiteral("header_missing"));
        QCOMPARE(*h.single("host"), QByteArray("h"));
    }

    // security-cases B1/B7: limits fire while bytes are still arriving, not after the line ends.
    void testLimitsFireEarly()
    {
        const HttpLimits limits = smallLimits();
        {
            RequestParser parser(limits);
            qsizetype consumed = 0;
            const QByteArray partial = "GET /" + QByteArray(200, 'a'); // no line end yet
            QCOMPARE(parser.feed(partial, &consumed), RequestParser::State::Failed);
            QCOMPARE(parser.failure().status, 414);
        }
        {
            RequestParser parser(limits);
            qsizetype consumed = 0;
            const QByteArray partial = "GET / HTTP/1.1\r\nX-A: " + QByteArray(4096, 'a'); // never ends
            QCOMPARE(parser.feed(partial, &consumed), RequestParser::State::Failed);
            QCOMPARE(parser.failure().status, 431);
            // It stopped at the limit instead of swallowing everything.
            QVERIFY(consumed <= limits.maxHeaderBytes + 1);
        }
        {
            RequestParser parser(limits);
            qsizetype consumed = 0;
            QCOMPARE(parser.feed("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1000000000000\r\n\r\n", &consumed),
                RequestParser::State::Failed);
            QCOMPARE(parser.failure().status, 413);
        }
    }

    void testPipelinedRequestsAndReset()
    {
        RequestParser parser(smallLimits());
        const QByteArray two = "GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n";
        qsizetype consumed = 0;
        QCOMPARE(parser.feed(two, &consumed), RequestParser::State::Complete);
        QCOMPARE(parser.head().path, QByteArray("/a"));
        QVERIFY(parser.hasStarted());
        // Feeding after completion consumes nothing until reset().
        qsizetype none = 0;
        QCOMPARE(parser.feed(QByteArrayView(two).sliced(consumed), &none), RequestParser::State::Complete);
        QCOMPARE(none, 0);
        parser.reset();
        QVERIFY(!parser.hasStarted());
        qsizetype second = 0;
        QCOMPARE(parser.feed(QByteArrayView(two).sliced(consumed), &second), RequestParser::State::Complete);
        QCOMPARE(parser.head().path, QByteArray("/b"));
        QCOMPARE(consumed + second, two.size());
    }

    void testExpectContinue()
    {
        RequestParser parser(smallLimits());
        qsizetype consumed = 0;
        parser.feed("POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-Continue\r\nContent-Length: 3\r\n\r\n", &consumed);
        QCOMPARE(parser.state(), RequestParser::State::Complete);
        QVERIFY(parser.head().expectContinue);
    }

    // RFC 9112 §6.1 / §6.3 / §7: which Transfer-Encoding values frame a request.
    void testChunked_transferEncodingRefused_data()
    {
        QTest::addColumn<QByteArray>("fields");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("code");
        QTest::newRow("gzip alone") << QByteArray("Transfer-Encoding: gzip\r\n") << 400
                                    << QStringLiteral("chunked_not_final");
        QTest::newRow("chunked, gzip") << QByteArray("Transfer-Encoding: chunked, gzip\r\n") << 400
                                       << QStringLiteral("chunked_not_final");
        QTest::newRow("chunked then gzip field")
            << QByteArray("Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n") << 400
            << QStringLiteral("chunked_not_final");
        QTest::newRow("empty") << QByteArray("Transfer-Encoding:\r\n") << 400 << QStringLiteral("chunked_not_final");
        QTest::newRow("only commas") << QByteArray("Transfer-Encoding: , ,\r\n") << 400
                                     << QStringLiteral("chunked_not_final");
        QTest::newRow("chunked twice") << QByteArray("Transfer-Encoding: chunked, chunked\r\n") << 400
                                       << QStringLiteral("chunked_repeated");
        QTest::newRow("chunked in two fields")
            << QByteArray("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n") << 400
            << QStringLiteral("chunked_repeated");
        QTest::newRow("chunked, gzip, chunked")
            << QByteArray("Transfer-Encoding: chunked, gzip, chunked\r\n") << 400 << QStringLiteral("chunked_repeated");
        QTest::newRow("chunked with parameter")
            << QByteArray("Transfer-Encoding: chunked;q=1\r\n") << 400 << QStringLiteral("invalid_transfer_encoding");
        QTest::newRow("not a token") << QByteArray("Transfer-Encoding: \"chunked\"\r\n") << 400
                                     << QStringLiteral("invalid_transfer_encoding");
        QTest::newRow("space inside") << QByteArray("Transfer-Encoding: chun ked\r\n") << 400
                                      << QStringLiteral("invalid_transfer_encoding");
        QTest::newRow("chunked-x") << QByteArray("Transfer-Encoding: chunked-x\r\n") << 400
                                   << QStringLiteral("chunked_not_final");
        // Chunked is final, so the framing is clear, but we decode no other coding.
        QTest::newRow("gzip, chunked") << QByteArray("Transfer-Encoding: gzip, chunked\r\n") << 501
                                       << QStringLiteral("transfer_coding_not_implemented");
        QTest::newRow("gzip field, chunked field")
            << QByteArray("Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n") << 501
            << QStringLiteral("transfer_coding_not_implemented");
        QTest::newRow("identity, chunked") << QByteArray("Transfer-Encoding: identity, chunked\r\n") << 501
                                           << QStringLiteral("transfer_coding_not_implemented");
        // Content-Length with any Transfer-Encoding stays ambiguous (§6.3, B7).
        QTest::newRow("CL and TE gzip, chunked")
            << QByteArray("Content-Length: 3\r\nTransfer-Encoding: gzip, chunked\r\n") << 400
            << QStringLiteral("ambiguous_framing");
        QTest::newRow("CL 0 and TE") << QByteArray("Transfer-Encoding: chunked\r\nContent-Length: 0\r\n") << 400
                                     << QStringLiteral("ambiguous_framing");
    }

    void testChunked_transferEncodingRefused()
    {
        QFETCH(QByteArray, fields);
        QFETCH(int, status);
        QFETCH(QString, code);
        const QByteArray input = "POST /token HTTP/1.1\r\nHost: h\r\n" + fields + "\r\n";
        for (const Outcome &o : { parseAll(input), parseByteByByte(input) }) {
            QCOMPARE(o.state, RequestParser::State::Failed);
            QCOMPARE(o.status, status);
            QCOMPARE(o.code, code);
        }
    }

    void testChunked_transferEncodingAccepted_data()
    {
        QTest::addColumn<QByteArray>("fields");
        QTest::newRow("chunked") << QByteArray("Transfer-Encoding: chunked\r\n");
        // RFC 9112 §7: coding names are case-insensitive.
        QTest::newRow("Chunked") << QByteArray("transfer-encoding: Chunked\r\n");
        QTest::newRow("CHUNKED") << QByteArray("Transfer-Encoding: CHUNKED\r\n");
        QTest::newRow("OWS") << QByteArray("Transfer-Encoding: \t chunked \t\r\n");
        // RFC 9110 §5.6.1.2: empty list elements are ignored.
        QTest::newRow("empty elements") << QByteArray("Transfer-Encoding: , chunked ,\r\n");
        QTest::newRow("empty field first") << QByteArray("Transfer-Encoding:\r\nTransfer-Encoding: chunked\r\n");
        QTest::newRow("with Expect") << QByteArray("Expect: 100-continue\r\nTransfer-Encoding: chunked\r\n");
    }

    void testChunked_transferEncodingAccepted()
    {
        QFETCH(QByteArray, fields);
        const QByteArray input = "POST /token HTTP/1.1\r\nHost: h\r\n" + fields + "\r\n5\r\nabcde\r\n0\r\n\r\n";
        for (bool byteByByte : { false, true }) {
            RequestParser parser(smallLimits());
            qsizetype consumed = 0;
            if (byteByByte) {
                for (qsizetype i = 0; i < input.size() && parser.state() == RequestParser::State::NeedMore; ++i) {
                    qsizetype c = 0;
                    parser.feed(QByteArrayView(input).sliced(i, 1), &c);
                    consumed += c;
                }
            } else {
                parser.feed(input, &consumed);
            }
            QCOMPARE(parser.state(), RequestParser::State::Complete);
            QVERIFY(parser.head().chunked);
            QCOMPARE(parser.head().contentLength, qint64(0));
            QCOMPARE(parser.head().expectContinue, fields.contains("Expect"));
            // The chunked body is left for ChunkedBodyParser.
            QCOMPARE(consumed, input.indexOf("\r\n\r\n") + 4);
        }
        // A Content-Length body is not chunked.
        RequestParser plain(smallLimits());
        qsizetype consumed = 0;
        plain.feed("POST /token HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\n\r\n", &consumed);
        QCOMPARE(plain.state(), RequestParser::State::Complete);
        QVERIFY(!plain.head().chunked);
    }

    void testLimitsValidate()
    {
        QVERIFY(HttpLimits {}.validate().ok());
        HttpLimits uriTooBig;
        uriTooBig.maxUriBytes = uriTooBig.maxHeaderBytes;
        QCOMPARE(uriTooBig.validate().error().code, QStringLiteral("invalid_limits"));
        HttpLimits zero;
        zero.maxConnections = 0;
        QVERIFY(!zero.validate().ok());
        for (int HttpLimits::*limit :
            { &HttpLimits::maxChunkLineBytes, &HttpLimits::maxChunkExtensionBytes, &HttpLimits::maxTrailerBytes }) {
            HttpLimits chunk;
            chunk.*limit = 0;
            QCOMPARE(chunk.validate().error().code, QStringLiteral("invalid_limits"));
        }
    }
};

QTEST_GUILESS_MAIN(TestRequestParser)
#include "tst_requestparser.moc"
