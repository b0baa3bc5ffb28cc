// SPDX-License-Identifier: GPL-3.0-or-later
// Resource indicators (RFC 8707), redirect URIs (RFC 6749 §3.1.2, RFC 8252 §7.3) and scopes
// (RFC 6749 §3.3). Cases follow security-cases.md C1, C2, D2, D3, D8, D9.
#include "oauth/canonical.h"

#include <QTest>

using namespace Tessera::OAuth;
using namespace Qt::Literals::StringLiterals;

class TestCanonical : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void testCanonicalResource_data()
    {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("expected"); // empty: must be rejected
        QTest::newRow("already canonical") << u"http://127.0.0.1:8931/mcp"_s << u"http://127.0.0.1:8931/mcp"_s;
        QTest::newRow("sdk adds slash to bare origin") << u"http://127.0.0.1:8931/"_s << u"http://127.0.0.1:8931"_s;
        QTest::newRow("upper-case scheme and host") << u"HTTP://LOCALHOST:8931/mcp"_s << u"http://localhost:8931/mcp"_s;
        QTest::newRow("default https port") << u"https://mcp.example.com:443/x"_s << u"https://mcp.example.com/x"_s;
        QTest::newRow("path slash kept") << u"http://127.0.0.1:1/mcp/"_s << u"http://127.0.0.1:1/mcp/"_s;
        QTest::newRow("ipv6 loopback") << u"http://[::1]:9/mcp"_s << u"http://[::1]:9/mcp"_s;
        QTest::newRow("query kept") << u"http://127.0.0.1:1/mcp?tenant=a"_s << u"http://127.0.0.1:1/mcp?tenant=a"_s;
        QTest::newRow("fragment (D8)") << u"http://127.0.0.1:1/mcp#frag"_s << u""_s;
        QTest::newRow("empty fragment") << u"http://127.0.0.1:1/mcp#"_s << u""_s;
        QTest::newRow("relative") << u"/mcp"_s << u""_s;
        QTest::newRow("urn") << u"urn:example:mcp"_s << u""_s;
        QTest::newRow("plain http on LAN") << u"http://192.168.1.5:8931/mcp"_s << u""_s;
        QTest::newRow("user info") << u"http://user@127.0.0.1:1/mcp"_s << u""_s;
        QTest::newRow("space") << u"http://127.0.0.1:1/m cp"_s << u""_s;
        QTest::newRow("empty") << u""_s << u""_s;
    }
    void testCanonicalResource()
    {
        QFETCH(QString, input);
        QFETCH(QString, expected);
        const auto r = canonicalResource(input);
        if (expected.isEmpty()) {
            QVERIFY2(!r.ok(), qPrintable(input));
            QCOMPARE(r.error().code, QStringLiteral("invalid_target"));
        } else {
            QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().message));
            QCOMPARE(*r, expected);
        }
    }

    void testRedirectUriAccepted_data()
    {
        QTest::addColumn<QString>("uri");
        QTest::addColumn<bool>("loopback");
        QTest::addColumn<bool>("localhostName");
        QTest::newRow("vs code portless") << u"http://127.0.0.1/"_s << true << false;
        QTest::newRow("vs code fixed port") << u"http://127.0.0.1:33418/"_s << true << false;
        QTest::newRow("sdk callback") << u"http://localhost:3000/callback"_s << true << true;
        QTest::newRow("ipv6") << u"http://[::1]:5000/cb"_s << true << false;
        QTest::newRow("https") << u"https://vscode.dev/redirect"_s << false << false;
        QTest::newRow("https with query") << u"https://app.example/cb?x=1"_s << false << false;
    }
    void testRedirectUriAccepted()
    {
        QFETCH(QString, uri);
        QFETCH(bool, loopback);
        QFETCH(bool, localhostName);
        const auto r = parseRedirectUri(uri);
        QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().message));
        QCOMPARE(r->loopback, loopback);
        QCOMPARE(r->usesLocalhostName, localhostName);
    }

    void testRedirectUriRejected_data()
    {
        QTest::addColumn<QString>("uri");
        // C1: dangerous schemes, in every spelling.
        QTest::newRow("javascript") << u"javascript:alert(1)"_s;
        QTest::newRow("JaVaScRiPt") << u"JaVaScRiPt:alert(1)"_s;
        QTest::newRow("leading space") << u" javascript:alert(1)"_s;
        QTest::newRow("tab inside") << u"java\tscript:alert(1)"_s;
        QTest::newRow("data") << u"data:text/html,<script>alert(1)</script>"_s;
        QTest::newRow("vbscript") << u"vbscript:msgbox(1)"_s;
        QTest::newRow("file") << u"file:///etc/passwd"_s;
        QTest::newRow("blob") << u"blob:https://a.example/uuid"_s;
        QTest::newRow("custom scheme") << u"com.example.app:/cb"_s;
        // C2
        QTest::newRow("plain http non-loopback") << u"http://example.com/cb"_s;
        QTest::newRow("wildcard path") << u"http://127.0.0.1/*"_s;
        QTest::newRow("wildcard host") << u"https://*.example.com/cb"_s;
        QTest::newRow("fragment") << u"http://127.0.0.1/cb#frag"_s;
        QTest::newRow("empty fragment") << u"http://127.0.0.1/cb#"_s;
        // D3: parser confusion
        QTest::newRow("userinfo port") << u"http://127.0.0.1:80@evil.example/cb"_s;
        QTest::newRow("double at") << u"http://127.0.0.1@a@evil.example/cb"_s;
        QTest::newRow("encoded slash in host") << u"http://127.0.0.1%2F@evil/"_s;
        QTest::newRow("suffix domain") << u"http://127.0.0.1.evil.example/cb"_s;
        QTest::newRow("backslash") << u"http://127.0.0.1\\@evil/"_s;
        QTest::newRow("decimal ip") << u"http://2130706433/cb"_s;
        QTest::newRow("hex ip") << u"http://0x7f.1/cb"_s;
        QTest::newRow("trailing dot") << u"http://127.0.0.1./cb"_s;
        QTest::newRow("dot-dot-semicolon") << u"http://127.0.0.1/cb/..;/x"_s;
        QTest::newRow("dot segment") << u"http://127.0.0.1/x/../cb"_s;
        QTest::newRow("encoded dot segment") << u"http://127.0.0.1/x/%2e%2e/cb"_s;
        QTest::newRow("encoded slash") << u"http://127.0.0.1/cb%2Fx"_s;
        QTest::newRow("percent-encoded once") << u"http%3A%2F%2F127.0.0.1%2Fcb"_s;
        QTest::newRow("percent-encoded twice") << u"http%253A%252F%252F127.0.0.1%252Fcb"_s;
        QTest::newRow("encoded tab in path") << u"http://127.0.0.1/cb%09"_s;
        QTest::newRow("encoded LF in query") << u"https://a.example/cb?x=%0A"_s;
        QTest::newRow("encoded DEL") << u"http://127.0.0.1/cb%7F"_s;
        QTest::newRow("double-encoded tab") << u"http://127.0.0.1/cb%2509"_s;
        QTest::newRow("double-encoded at") << u"https://a.example/%2540evil/cb"_s;
        QTest::newRow("port 0") << u"http://127.0.0.1:0/cb"_s;
        QTest::newRow("upper-case scheme") << u"HTTP://127.0.0.1/cb"_s;
        QTest::newRow("localhost suffix") << u"http://localhost.evil.example/cb"_s;
        QTest::newRow("other loopback") << u"http://127.0.0.2/cb"_s;
        QTest::newRow("mapped v6") << u"http://[::ffff:127.0.0.1]/cb"_s;
        QTest::newRow("nul") << u"http://127.0.0.1/cb"_s + QChar(0) + u"x"_s;
        QTest::newRow("non-ascii") << u"https://ex\u0430mple.com/cb"_s;
        QTest::newRow("relative") << u"/cb"_s;
        QTest::newRow("empty") << u""_s;
    }
    void testRedirectUriRejected()
    {
        QFETCH(QString, uri);
        const auto r = parseRedirectUri(uri);
        QVERIFY2(!r.ok(), qPrintable(uri));
        QCOMPARE(r.error().code, QStringLiteral("invalid_redirect_uri"));
    }

    void testRedirectMatching_data()
    {
        QTest::addColumn<QString>("registered");
        QTest::addColumn<QString>("requested");
        QTest::addColumn<bool>("matches");
        // D2 with registered http://127.0.0.1/cb
        const QString reg = QStringLiteral("http://127.0.0.1/cb");
        QTest::newRow("any port") << reg << u"http://127.0.0.1:53682/cb"_s << true;
        QTest::newRow("no port") << reg << u"http://127.0.0.1/cb"_s << true;
        QTest::newRow("other path") << reg << u"http://127.0.0.1:53682/cb2"_s << false;
        QTest::newRow("trailing slash") << reg << u"http://127.0.0.1:53682/cb/"_s << false;
        QTest::newRow("case") << reg << u"http://127.0.0.1:53682/CB"_s << false;
        QTest::newRow("query added") << reg << u"http://127.0.0.1:53682/cb?x=1"_s << false;
        QTest::newRow("dot segments") << reg << u"http://127.0.0.1:53682/x/../cb"_s << false;
        QTest::newRow("https") << reg << u"https://127.0.0.1:53682/cb"_s << false;
        QTest::newRow("other loopback name") << reg << u"http://localhost:53682/cb"_s << false;
        QTest::newRow("registered with port") << u"http://127.0.0.1:33418/"_s << u"http://127.0.0.1:40000/"_s << true;
        QTest::newRow("claude code localhost")
            << u"http://localhost/callback"_s << u"http://localhost:51234/callback"_s << true;
        QTest::newRow("ipv6 any port") << u"http://[::1]/cb"_s << u"http://[::1]:9999/cb"_s << true;
        QTest::newRow("https exact") << u"https://a.example/cb"_s << u"https://a.example/cb"_s << true;
        QTest::newRow("https port differs") << u"https://a.example/cb"_s << u"https://a.example:8443/cb"_s << false;
        QTest::newRow("query must match") << u"http://127.0.0.1/cb?a=1"_s << u"http://127.0.0.1:1/cb?a=1"_s << true;
        QTest::newRow("query differs") << u"http://127.0.0.1/cb?a=1"_s << u"http://127.0.0.1:1/cb?a=2"_s << false;
        QTest::newRow("invalid requested") << reg << u"http://127.0.0.1:1@evil/cb"_s << false;
    }
    void testRedirectMatching()
    {
        QFETCH(QString, registered);
        QFETCH(QString, requested);
        QFETCH(bool, matches);
        QCOMPARE(redirectUriMatches(registered, requested), matches);
    }

    void testScope_data()
    {
        QTest::addColumn<QString>("scope");
        QTest::addColumn<QStringList>("expected");
        QTest::addColumn<bool>("ok");
        QTest::newRow("empty") << u""_s << QStringList {} << true;
        QTest::newRow("sorted, deduplicated")
            << u"files:write files:read files:read"_s << QStringList { u"files:read"_s, u"files:write"_s } << true;
        QTest::newRow("double space") << u"a  b"_s << QStringList {} << false;
        QTest::newRow("leading space") << u" a"_s << QStringList {} << false;
        QTest::newRow("quote") << u"a\"b"_s << QStringList {} << false;
        QTest::newRow("backslash") << u"a\\b"_s << QStringList {} << false;
        QTest::newRow("tab") << u"a\tb"_s << QStringList {} << false;
        QTest::newRow("non-ascii") << u"r\u00e9ad"_s << QStringList {} << false;
        QTest::newRow("too long") << QString(129, u'a') << QStringList {} << false;
        QStringList many;
        for (int i = 0; i < 65; ++i)
            many << QStringLiteral("s%1").arg(i);
        QTest::newRow("too many (B5)") << many.join(u' ') << QStringList {} << false;
    }
    void testScope()
    {
        QFETCH(QString, scope);
        QFETCH(QStringList, expected);
        QFETCH(bool, ok);
        const auto r = parseScope(scope);
        QCOMPARE(r.ok(), ok);
        if (ok)
            QCOMPARE(*r, expected);
        else
            QCOMPARE(r.error().code, QStringLiteral("invalid_scope"));
    }

    void testJoinScope()
    {
        QCOMPARE(joinScope({ QStringLiteral("b"), QStringLiteral("a"), QStringLiteral("b") }), QStringLiteral("a b"));
    }
};

QTEST_GUILESS_MAIN(TestCanonical)
#include "tst_canonical.moc"
