// SPDX-License-Identifier: GPL-3.0-or-later
// `tessera --headless` and `tessera-cli status` as a newcomer would use them, against a real
// gnome-keyring Secret Service: start, status, single instance, restart keeps the key,
// private files, clean stop.
#include "support/httptestclient.h"
#include "support/tesserainstance.h"
#include "support/testsupport.h"

#include <QCryptographicHash>
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpServer>
#include <QTest>
#include <QUrl>

#include <unistd.h>

using namespace Tessera::Test;

class TestHeadless : public QObject
{
    Q_OBJECT
private:
    static QJsonObject statusJson(const TesseraInstance &t)
    {
        const CliResult r = t.cli({ QStringLiteral("--json"), QStringLiteral("status") });
        return QJsonDocument::fromJson(r.out).object();
    }

private Q_SLOTS:
    /** R9: neither tessera (signing key, tokens) nor tessera-cli (tokens, secret values) can dump core. */
    void testR9_noCoreDumpsNoPtrace()
    {
        TesseraInstance t;
        QVERIFY(t.start());
        QVERIFY2(t.waitUntil(0), t.log().constData());
        QCOMPARE(statusJson(t).value(QStringLiteral("dumpable")).toBool(true), false);
        const CliResult who = t.cli({ QStringLiteral("--json"), QStringLiteral("whoami") });
        QCOMPARE(who.exitCode, 0);
        const QJsonObject o = QJsonDocument::fromJson(who.out).object();
        QVERIFY2(o.contains(QStringLiteral("cliDumpable")), who.out.constData());
        QCOMPARE(o.value(QStringLiteral("cliDumpable")).toBool(true), false);
    }

    void testStartStatusRestartStop()
    {
        TesseraInstance t;
        QVERIFY(t.start());
        QVERIFY2(t.waitUntil(0), t.log().constData());

        const CliResult human = t.cli({ QStringLiteral("status") });
        QCOMPARE(human.exitCode, 0);
        QVERIFY(human.out.contains("is running (headless"));
        QVERIFY(human.out.contains(t.issuer().toUtf8()));
        const QJsonObject s = statusJson(t);
        QCOMPARE(s.value(QStringLiteral("state")).toString(), QStringLiteral("ready"));
        QCOMPARE(s.value(QStringLiteral("issuer")).toString(), t.issuer());
        const QString kid = s.value(QStringLiteral("signingKid")).toString();
        QCOMPARE(kid.size(), 43);
        QCOMPARE(s.value(QStringLiteral("schemaVersion")).toInt(), 7);

        // Files and sockets are the user's alone.
        QCOMPARE(fileMode(t.dataDir()), 0700);
        QCOMPARE(fileMode(t.runtimeDir()), 0700);
        QCOMPARE(fileMode(t.dataDir() + QStringLiteral("/tessera.db")), 0600);
        QCOMPARE(fileMode(t.runtimeDir() + QStringLiteral("/client.sock")), 0600);
        QCOMPARE(fileMode(t.runtimeDir() + QStringLiteral("/operator.sock")), 0600);
        QCOMPARE(fileMode(t.runtimeDir() + QStringLiteral("/tessera.lock")), 0600);
        // The database has the public key only.
        QVERIFY(fileContains(t.dataDir() + QStringLiteral("/tessera.db"), kid.toUtf8())
            || fileContains(t.dataDir() + QStringLiteral("/tessera.db-wal"), kid.toUtf8()));
        for (const QString &f : QDir(t.dataDir()).entryList(QDir::Files))
            QVERIFY(!fileContains(t.dataDir() + u'/' + f, "\"d\":"));

        // The private key is in the Secret Service (and nowhere in HOME in plain text).
        QProcess search;
        search.start(QStringLiteral("secret-tool"),
            { QStringLiteral("search"), QStringLiteral("--all"), QStringLiteral("server"), t.keychainService() });
        QVERIFY(search.waitForFinished(10000));
        const QByteArray found = search.readAllStandardOutput() + search.readAllStandardError();
        QVERIFY2(found.contains(QString(QStringLiteral("signing-key/") + kid).toUtf8()), found.constData());

        // A second start hands over to the first and leaves.
        const CliResult second = t.runTessera({ QStringLiteral("--headless") });
        QCOMPARE(second.exitCode, 0);
        QVERIFY2(second.out.contains("already running"), second.out.constData());
        QCOMPARE(statusJson(t).value(QStringLiteral("pid")).toInteger(), t.process().processId());

        // Clean stop: sockets gone, status says not running (exit 5).
        QCOMPARE(t.stop(), 0);
        QVERIFY(!QFile::exists(t.runtimeDir() + QStringLiteral("/client.sock")));
        QVERIFY(!QFile::exists(t.runtimeDir() + QStringLiteral("/operator.sock")));
        const CliResult after = t.cli({ QStringLiteral("status") });
        QCOMPARE(after.exitCode, 5);
        QVERIFY(after.err.contains("not running"));

        // Restart: the same key comes back from the keychain.
        QVERIFY(t.start());
        QVERIFY2(t.waitUntil(0), t.log().constData());
        QCOMPARE(statusJson(t).value(QStringLiteral("signingKid")).toString(), kid);
        QCOMPARE(t.stop(), 0);
    }

    void testDesktopSecondStartAsksFirstToShow()
    {
        TesseraInstance t;
        // The desktop front end without a display server: Qt's offscreen platform.
        qputenv("QT_QPA_PLATFORM", "offscreen");
        QVERIFY(t.start({}));
        QVERIFY2(t.waitUntil(0), t.log().constData());
        QCOMPARE(statusJson(t).value(QStringLiteral("mode")).toString(), QStringLiteral("desktop"));
        const CliResult second = t.runTessera({});
        QCOMPARE(second.exitCode, 0);
        QVERIFY2(second.out.contains("asked it to show its window"), second.out.constData());
        QCOMPARE(t.stop(), 0);
        QVERIFY(!t.log().contains("failed to load"));
    }

    // CORS for browser-based clients is off unless the person names origins (TESSERA_CORS_ORIGINS);
    // a bad entry fails closed with a message that names it.
    void testCorsOriginsFromEnvironment()
    {
        auto preflight = [](const TesseraInstance &t, const QByteArray &origin) {
            RawClient c;
            std::optional<HttpReply> r;
            if (c.connectTo(t.port()))
                r = c.exchange("OPTIONS /token HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(t.port())
                    + "\r\nOrigin: " + origin + "\r\nAccess-Control-Request-Method: POST\r\n\r\n");
            return r;
        };
        {
            TesseraInstance t;
            QVERIFY(t.start());
            QVERIFY2(t.waitUntil(0), t.log().constData());
            const auto r = preflight(t, "http://localhost:6274");
            QVERIFY(r);
            QVERIFY2(r->header("access-control-allow-origin").isEmpty(), r->statusLine.constData());
            QCOMPARE(t.stop(), 0);
        }
        // A loopback origin counts only while a program of this user serves it (R3): this test.
        QTcpServer inspector;
        QVERIFY(inspector.listen(QHostAddress::LocalHost, 0));
        const QByteArray served = "http://localhost:" + QByteArray::number(inspector.serverPort());
        const QByteArray unserved = "http://localhost:" + QByteArray::number(TesseraInstance::freePort());
        qputenv("TESSERA_CORS_ORIGINS", served + ", https://inspector.example, " + unserved);
        {
            TesseraInstance t;
            QVERIFY(t.start());
            QVERIFY2(t.waitUntil(0), t.log().constData());
            const auto r = preflight(t, served);
            QVERIFY(r);
            QCOMPARE(r->header("access-control-allow-origin"), served);
            const auto other = preflight(t, "http://localhost:9999");
            QVERIFY(other);
            QVERIFY(other->header("access-control-allow-origin").isEmpty());
            const auto nobody = preflight(t, unserved); // allowed, but nobody serves it
            QVERIFY(nobody);
            QCOMPARE(nobody->status, 403);
            QVERIFY(nobody->header("access-control-allow-origin").isEmpty());
            QCOMPARE(t.stop(), 0);
        }
        qputenv("TESSERA_CORS_ORIGINS", "http://evil.example/path");
        {
            TesseraInstance t;
            QVERIFY(t.start());
            CliResult status;
            QTRY_VERIFY_WITH_TIMEOUT((status = t.cli({ QStringLiteral("status") })).out.contains("failed"), 15000);
            QCOMPARE(status.exitCode, 1);
            QVERIFY2(status.out.contains("TESSERA_CORS_ORIGINS: \"http://evil.example/path\""), status.out.constData());
            t.stop();
        }
        qunsetenv("TESSERA_CORS_ORIGINS");
    }

    // R4/R8: headless resolves the redirect port's owner too (core does it, off the event loop):
    // `tessera-cli requests` names this test as the program receiving the code, and says when
    // nothing listens there.
    void testR4_headlessNamesTheRedirectPortOwner()
    {
        TesseraInstance t;
        QVERIFY(t.start());
        QVERIFY2(t.waitUntil(0), t.log().constData());
        const QString resource = QStringLiteral("http://127.0.0.1:%1/mcp").arg(TesseraInstance::freePort());
        const CliResult added = t.cli({ QStringLiteral("resource"), QStringLiteral("add"), QStringLiteral("files"),
            QStringLiteral("--uri"), resource, QStringLiteral("--scope"), QStringLiteral("read=Read files") });
        QVERIFY2(added.exitCode == 0, added.err.constData());
        const QByteArray host = "127.0.0.1:" + QByteArray::number(t.port());
        RawClient reg;
        QVERIFY(reg.connectTo(t.port()));
        const QByteArray body = R"({"redirect_uris":["http://127.0.0.1/cb"],"token_endpoint_auth_method":"none"})";
        const auto registered = reg.exchange("POST /register HTTP/1.1\r\nHost: " + host
            + "\r\nContent-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n"
            + body);
        QVERIFY(registered && registered->status == 201);
        const QString clientId
            = QJsonDocument::fromJson(registered->body).object().value(QStringLiteral("client_id")).toString();

        QTcpServer callback;
        QVERIFY(callback.listen(QHostAddress::LocalHost, 0));
        const quint16 nobody = TesseraInstance::freePort();
        for (const quint16 port : { callback.serverPort(), nobody }) {
            const QByteArray challenge = QCryptographicHash::hash(
                QByteArray(QByteArray::number(port) + "-verifier"), QCryptographicHash::Sha256)
                                             .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
            const QByteArray query = "response_type=code&client_id=" + QUrl::toPercentEncoding(clientId)
                + "&redirect_uri=" + QUrl::toPercentEncoding(QStringLiteral("http://127.0.0.1:%1/cb").arg(port))
                + "&code_challenge=" + challenge
                + "&code_challenge_method=S256&resource=" + QUrl::toPercentEncoding(resource);
            RawClient browser;
            QVERIFY(browser.connectTo(t.port()));
            const auto page = browser.exchange("GET /authorize?" + query + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
            QVERIFY(page);
            QCOMPARE(page->status, 200);
        }
        const CliResult listed = t.cli({ QStringLiteral("--json"), QStringLiteral("requests") });
        QCOMPARE(listed.exitCode, 0);
        const QJsonArray requests = QJsonDocument::fromJson(listed.out).array();
        QCOMPARE(requests.size(), 2);
        bool sawOwner = false, sawNobody = false;
        for (const QJsonValue &v : requests) {
            const QJsonObject who = v.toObject().value(QStringLiteral("requester")).toObject();
            const QString redirect = who.value(QStringLiteral("redirectUri")).toString();
            const QJsonArray chain = who.value(QStringLiteral("processChain")).toArray();
            if (redirect.contains(QString::number(callback.serverPort()))) {
                QVERIFY(!chain.isEmpty());
                QCOMPARE(chain.first().toObject().value(QStringLiteral("pid")).toInteger(), qint64(::getpid()));
                sawOwner = true;
            } else {
                QVERIFY(chain.isEmpty());
                QVERIFY(who.value(QStringLiteral("receiverWarnings"))
                            .toArray()
                            .first()
                            .toString()
                            .startsWith(QStringLiteral("Nothing listens on port %1").arg(nobody)));
                sawNobody = true;
            }
        }
        QVERIFY(sawOwner && sawNobody);
        const CliResult human = t.cli({ QStringLiteral("requests") });
        QVERIFY2(human.out.contains(QByteArray("warning    Nothing listens on port " + QByteArray::number(nobody))),
            human.out.constData());
        QCOMPARE(t.stop(), 0);
    }

    void testCliUsageAndHelp()
    {
        TesseraInstance t;
        QCOMPARE(t.cli({}).exitCode, 2);
        QCOMPARE(t.cli({ QStringLiteral("no-such-command") }).exitCode, 2);
        QCOMPARE(t.cli({ QStringLiteral("status"), QStringLiteral("--bogus") }).exitCode, 2);
        QCOMPARE(t.cli({ QStringLiteral("status"), QStringLiteral("extra") }).exitCode, 2);
        const CliResult help = t.cli({ QStringLiteral("--help") });
        QCOMPARE(help.exitCode, 0);
        QVERIFY(help.out.contains("Exit codes"));
        QVERIFY(help.out.contains("status"));
        QCOMPARE(t.cli({ QStringLiteral("status"), QStringLiteral("--help") }).exitCode, 0);
        // Nothing running for these locations.
        QCOMPARE(t.cli({ QStringLiteral("status") }).exitCode, 5);
    }
};

QTEST_GUILESS_MAIN(TestHeadless)
#include "tst_headless.moc"
