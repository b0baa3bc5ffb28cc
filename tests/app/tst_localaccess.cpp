// SPDX-License-Identifier: GPL-3.0-or-later
// Local token access and the secret vault, end to end: a real `tessera --headless`, a real
// gnome-keyring Secret Service, real tessera-cli processes (issue 5 "done when").
#include "support/httptestclient.h"
#include "support/tesserainstance.h"
#include "support/testsupport.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDeadlineTimer>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QUuid>

#include <csignal>

using namespace Tessera::Test;

namespace {

QJsonValue parse(const QByteArray &out)
{
    const QJsonDocument d = QJsonDocument::fromJson(out);
    return d.isArray() ? QJsonValue(d.array()) : QJsonValue(d.object());
}

QByteArray sha256Hex(const QByteArray &data)
{
    return QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex();
}

/** What the keychain holds for @p service: attribute lines of every item (values included: never print). */
QByteArray keychainListing(const QString &service)
{
    QProcess search;
    search.start(QStringLiteral("secret-tool"),
        { QStringLiteral("search"), QStringLiteral("--all"), QStringLiteral("server"), service });
    search.waitForFinished(20000);
    return search.readAllStandardOutput() + search.readAllStandardError();
}

/**
 * The first character of @p out that a terminal would act on instead of showing (C0 but the
 * newline, DEL, C1, bidi controls, separators, zero-width), or why it is not UTF-8; else empty.
 * Written out here, apart from displaySafe(), so that the test does not grade itself.
 */
QString firstUnsafe(const QByteArray &out)
{
    const QString text = QString::fromUtf8(out);
    if (text.toUtf8() != out)
        return QStringLiteral("not UTF-8");
    for (const char32_t c : text.toUcs4()) {
        const bool bad = (c < 0x20 && c != '\n') || (c >= 0x7F && c <= 0x9F) || c == 0x061C
            || (c >= 0x200B && c <= 0x200F) || (c >= 0x2028 && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069)
            || c == 0xFEFF;
        if (bad)
            return QStringLiteral("raw U+%1 in: %2").arg(uint(c), 4, 16, QLatin1Char('0')).arg(QString::fromUtf8(out));
    }
    return {};
}

/** Whether a line of @p out pretends to be a verified process line of the hostile caller's making. */
bool forgesProcessLine(const QByteArray &out)
{
    for (const QByteArray &line : out.split('\n')) {
        if (line.trimmed().startsWith("process    /usr/bin/claude (pid 1)"))
            return true;
    }
    return false;
}

} // namespace

class TestLocalAccess : public QObject
{
    Q_OBJECT
private:
    std::unique_ptr<TesseraInstance> m_t;
    QTemporaryDir m_work;
    QByteArray m_secret;
    QString m_resource; ///< registered with scopes read (low) and write (high)

    /**
     * The program that starts tessera-cli, as Tessera sees it: empty for this test binary, else
     * a copy of timeout(1) under another name. Tessera limits prompts per caller (3 a minute,
     * a cool-down after 3 denials), so each test that prompts a lot asks as an agent of its own,
     * as separate agents on one machine would.
     */
    QString m_agent;

    void actAs(const QString &name)
    {
        m_agent = m_work.filePath(name);
        if (!QFile::exists(m_agent)) {
            QVERIFY(QFile::copy(QStringLiteral("/usr/bin/timeout"), m_agent));
            QVERIFY(QFile::setPermissions(m_agent, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
        }
    }

    /** A tessera-cli running in the background (it may wait for a decision). */
    std::unique_ptr<QProcess> startCli(const QStringList &args, const QByteArray &input = {}) const
    {
        auto p = std::make_unique<QProcess>();
        p->setProcessEnvironment(m_t->environment());
        p->setWorkingDirectory(m_work.path());
        if (m_agent.isEmpty())
            p->start(builtExecutable(QStringLiteral("tessera-cli")), args);
        else
            p->start(
                m_agent, QStringList { QStringLiteral("300"), builtExecutable(QStringLiteral("tessera-cli")) } + args);
        p->waitForStarted(5000);
        if (!input.isEmpty())
            p->write(input);
        p->closeWriteChannel();
        return p;
    }

    static bool finish(QProcess &p, int timeoutMs = 60000)
    {
        return p.waitForFinished(timeoutMs) && p.exitStatus() == QProcess::NormalExit;
    }

    /** tessera-cli run to its end by the current agent (m_t->cli() runs it as this test binary). */
    CliResult cliAs(const QStringList &args, const QByteArray &input = {}, int timeoutMs = 30000) const
    {
        auto p = startCli(args, input);
        CliResult r;
        if (!finish(*p, timeoutMs))
            return r;
        r.exitCode = p->exitCode();
        r.out = p->readAllStandardOutput();
        r.err = p->readAllStandardError();
        return r;
    }

    QJsonArray pending() const
    {
        return parse(m_t->cli({ QStringLiteral("--json"), QStringLiteral("requests") }).out).toArray();
    }

    /** Waits until a request with @p path is pending; returns it (empty on timeout). */
    QJsonObject waitForRequest(const QString &path, int timeoutMs = 30000) const
    {
        QDeadlineTimer deadline(timeoutMs);
        while (!deadline.hasExpired()) {
            for (const QJsonValue &v : pending()) {
                if (v.toObject().value(QStringLiteral("path")).toString() == path)
                    return v.toObject();
            }
            QCoreApplication::processEvents(); // collects Tessera's log
            QThread::msleep(100);
        }
        return {};
    }

    QString dbPath() const { return m_t->dataDir() + QStringLiteral("/tessera.db"); }

private Q_SLOTS:
    void init() { m_agent.clear(); }

    void initTestCase()
    {
        QVERIFY(m_work.isValid());
        m_t = std::make_unique<TesseraInstance>();
        QVERIFY(m_t->start());
        QVERIFY2(m_t->waitUntil(0), m_t->log().constData());
        m_resource = QStringLiteral("http://127.0.0.1:%1/mcp").arg(TesseraInstance::freePort());
        const CliResult added = m_t->cli(
            { QStringLiteral("resource"), QStringLiteral("add"), QStringLiteral("files"), QStringLiteral("--uri"),
                m_resource, QStringLiteral("--scope"), QStringLiteral("read=Read files"), QStringLiteral("--scope"),
                QStringLiteral("write:high=Change files"), QStringLiteral("--default-scope"), QStringLiteral("read") });
        QVERIFY2(added.exitCode == 0, added.err.constData());
        // A value no test string could contain by accident.
        m_secret = "tsk-" + QUuid::createUuid().toString(QUuid::Id128).toLatin1() + "-v@lue";
    }

    void cleanupTestCase()
    {
        if (!m_t)
            return;
        QCOMPARE(m_t->stop(), 0);
        // Tessera's whole log, up to its exit, never had the value in it.
        QVERIFY(!m_secret.isEmpty() && !m_t->log().contains(m_secret));
        QVERIFY(m_t->log().contains("new local client")); // the log was captured: the check above means something
    }

    void testCallerIdentity()
    {
        const CliResult r = m_t->cli({ QStringLiteral("--json"), QStringLiteral("whoami") });
        QCOMPARE(r.exitCode, 0);
        const QJsonObject o = parse(r.out).toObject();
        const QJsonArray chain = o.value(QStringLiteral("chain")).toArray();
        QVERIFY(chain.size() >= 2);
        // The peer is tessera-cli; the request is attributed to the program that started it.
        QCOMPARE(chain.at(0).toObject().value(QStringLiteral("exe")).toString(),
            builtExecutable(QStringLiteral("tessera-cli")));
        QCOMPARE(o.value(QStringLiteral("callerExe")).toString(), QCoreApplication::applicationFilePath());
        QCOMPARE(o.value(QStringLiteral("callerPid")).toInteger(), QCoreApplication::applicationPid());
        QVERIFY(o.value(QStringLiteral("clientId")).toString().startsWith(QStringLiteral("local-")));

        // Started through a shell, it is still attributed to us: shells are skipped.
        QProcess sh;
        sh.setProcessEnvironment(m_t->environment());
        sh.start(QStringLiteral("/bin/sh"),
            { QStringLiteral("-c"),
                builtExecutable(QStringLiteral("tessera-cli")) + QStringLiteral(" --json whoami") });
        QVERIFY(finish(sh));
        QCOMPARE(parse(sh.readAllStandardOutput()).toObject().value(QStringLiteral("clientId")),
            o.value(QStringLiteral("clientId")));
    }

    void testSecretSetListAndExecInjectsIt()
    {
        // Through stdin (not a terminal); one trailing newline is dropped.
        const CliResult set = m_t->cli(
            { QStringLiteral("secret"), QStringLiteral("set"), QStringLiteral("demo"), QStringLiteral("--env"),
                QStringLiteral("DEMO_SECRET"), QStringLiteral("--description"), QStringLiteral("A test credential") },
            m_secret + '\n');
        QVERIFY2(set.exitCode == 0, set.err.constData());
        QVERIFY(!set.out.contains(m_secret) && !set.err.contains(m_secret));
        const CliResult list = m_t->cli({ QStringLiteral("--json"), QStringLiteral("secret"), QStringLiteral("list") });
        QCOMPARE(list.exitCode, 0);
        QVERIFY(!list.out.contains(m_secret));
        const QJsonObject meta = parse(list.out).toArray().at(0).toObject();
        QCOMPARE(meta.value(QStringLiteral("name")).toString(), QStringLiteral("demo"));
        QCOMPARE(meta.value(QStringLiteral("env")).toString(), QStringLiteral("DEMO_SECRET"));
        QCOMPARE(meta.value(QStringLiteral("description")).toString(), QStringLiteral("A test credential"));
        QVERIFY(!meta.contains(QStringLiteral("value")));
        QVERIFY(keychainListing(m_t->keychainService()).contains("secret/demo"));

        // The child prints its own command line and a hash of the variable.
        const QStringList exec { QStringLiteral("exec"), QStringLiteral("--secret"), QStringLiteral("demo"),
            QStringLiteral("--"), QStringLiteral("sh"), QStringLiteral("-c"),
            QStringLiteral("tr '\\0' ' ' < /proc/$$/cmdline; echo; printf %s \"$DEMO_SECRET\" | sha256sum") };
        auto p = startCli(exec);
        const QJsonObject request = waitForRequest(QStringLiteral("exec"));
        QVERIFY2(!request.isEmpty(), m_t->log().constData());
        const QJsonObject who = request.value(QStringLiteral("requester")).toObject();
        QCOMPARE(who.value(QStringLiteral("kind")).toString(), QStringLiteral("local"));
        const QString commandLine = who.value(QStringLiteral("commandLine")).toString();
        QVERIFY2(
            commandLine.startsWith(u'/') && commandLine.contains(QStringLiteral("/sh -c ")), qPrintable(commandLine));
        QCOMPARE(request.value(QStringLiteral("secrets")).toArray(), QJsonArray { QStringLiteral("demo") });
        bool chainHasUs = false;
        for (const QJsonValue &v : who.value(QStringLiteral("processChain")).toArray())
            chainHasUs = chainHasUs
                || v.toObject().value(QStringLiteral("exe")).toString() == QCoreApplication::applicationFilePath();
        QVERIFY(chainHasUs);
        QVERIFY(!QJsonDocument(request).toJson().contains(m_secret));
        // The terminal view names the same facts (escaped, R1: the shell quoting's backslashes doubled).
        const QByteArray shown = m_t->cli({ QStringLiteral("requests") }).out;
        const QByteArray commandShown = QString(commandLine).replace(u'\\', QStringLiteral("\\\\")).toUtf8();
        QVERIFY2(shown.contains(QByteArray("command    " + commandShown)) && shown.contains("secret     demo")
                && shown.contains("named after its executable"),
            shown.constData());

        const CliResult approved = m_t->cli({ QStringLiteral("approve"), request.value(QStringLiteral("id")).toString(),
            QStringLiteral("--for"), QStringLiteral("1h") });
        QVERIFY2(approved.exitCode == 0, approved.err.constData());
        QVERIFY(finish(*p));
        QCOMPARE(p->exitCode(), 0);
        const QByteArray out = p->readAllStandardOutput();
        QVERIFY2(out.contains(sha256Hex(m_secret)), out.constData());
        QVERIFY2(out.contains("sh -c"), out.constData()); // the child's cmdline ...
        QVERIFY(!out.contains(m_secret)); // ... has no secret in it

        // Remembered for this caller, command line and secret set: the second run is silent.
        auto again = startCli(exec);
        QVERIFY(finish(*again, 30000));
        QCOMPARE(again->exitCode(), 0);
        QVERIFY(again->readAllStandardOutput().contains(sha256Hex(m_secret)));
        QVERIFY(pending().isEmpty());
        const QJsonArray grants
            = parse(m_t->cli({ QStringLiteral("--json"), QStringLiteral("exec-grants") }).out).toArray();
        QCOMPARE(grants.size(), 1);
        QCOMPARE(grants.at(0).toObject().value(QStringLiteral("state")).toString(), QStringLiteral("active"));
        QCOMPARE(grants.at(0).toObject().value(QStringLiteral("useCount")).toInt(), 2);
        QCOMPARE(
            grants.at(0).toObject().value(QStringLiteral("secrets")).toArray(), QJsonArray { QStringLiteral("demo") });
    }

    void testExecExitCodeAndUsage()
    {
        actAs(QStringLiteral("exit-agent"));
        // A failing command's status is tessera-cli's status (here: a new command line, so a prompt).
        auto p = startCli({ QStringLiteral("exec"), QStringLiteral("--secret"), QStringLiteral("demo"),
            QStringLiteral("--"), QStringLiteral("sh"), QStringLiteral("-c"), QStringLiteral("exit 42") });
        const QJsonObject request = waitForRequest(QStringLiteral("exec"));
        QVERIFY(!request.isEmpty());
        QCOMPARE(m_t->cli({ QStringLiteral("approve"), request.value(QStringLiteral("id")).toString(),
                              QStringLiteral("--for"), QStringLiteral("once") })
                     .exitCode,
            0);
        QVERIFY(finish(*p));
        QCOMPARE(p->exitCode(), 42);
        // "once" leaves no exec grant: the same command asks again.
        QCOMPARE(parse(m_t->cli({ QStringLiteral("--json"), QStringLiteral("exec-grants") }).out).toArray().size(), 1);

        QCOMPARE(m_t->cli({ QStringLiteral("exec"), QStringLiteral("--secret"), QStringLiteral("demo") }).exitCode, 2);
        QCOMPARE(m_t->cli({ QStringLiteral("exec"), QStringLiteral("--"), QStringLiteral("true") }).exitCode, 2);
        QCOMPARE(m_t->cli({ QStringLiteral("exec"), QStringLiteral("--secret"), QStringLiteral("demo"),
                              QStringLiteral("--"), QStringLiteral("no-such-command-tessera") })
                     .exitCode,
            127);
        const CliResult unknown = m_t->cli({ QStringLiteral("exec"), QStringLiteral("--secret"), QStringLiteral("nope"),
            QStringLiteral("--"), QStringLiteral("true") });
        QCOMPARE(unknown.exitCode, 1);
        QVERIFY(unknown.err.contains("no secret named"));
        QVERIFY(pending().isEmpty());
    }

    void testDeniedExecDoesNotStartTheChild()
    {
        actAs(QStringLiteral("denied-agent"));
        const QString marker = m_work.filePath(QStringLiteral("child-ran"));
        auto p = startCli({ QStringLiteral("exec"), QStringLiteral("--secret"), QStringLiteral("demo"),
            QStringLiteral("--"), QStringLiteral("touch"), marker });
        const QJsonObject request = waitForRequest(QStringLiteral("exec"));
        QVERIFY(!request.isEmpty());
        QCOMPARE(m_t->cli({ QStringLiteral("deny"), request.value(QStringLiteral("id")).toString() }).exitCode, 0);
        QVERIFY(finish(*p));
        QCOMPARE(p->exitCode(), 3);
        QVERIFY(p->readAllStandardError().contains("denied"));
        QVERIFY(!QFile::exists(marker));
    }

    void testExecGrantRevokedWithTesseraCli()
    {
        actAs(QStringLiteral("revoke-agent"));
        const QStringList exec { QStringLiteral("exec"), QStringLiteral("--secret"), QStringLiteral("demo=OTHER_NAME"),
            QStringLiteral("--"), QStringLiteral("sh"), QStringLiteral("-c"),
            QStringLiteral("test -n \"$OTHER_NAME\" && test -z \"$DEMO_SECRET\"") };
        auto first = startCli(exec);
        const QJsonObject request = waitForRequest(QStringLiteral("exec"));
        QVERIFY(!request.isEmpty());
        QCOMPARE(m_t->cli({ QStringLiteral("approve"), request.value(QStringLiteral("id")).toString(),
                              QStringLiteral("--for"), QStringLiteral("1d") })
                     .exitCode,
            0);
        QVERIFY(finish(*first));
        QCOMPARE(first->exitCode(), 0); // the variable chosen with NAME=ENV, not the default one
        QCOMPARE(cliAs(exec).exitCode, 0); // remembered: silent

        const auto grantOfAgent = [this] {
            for (const QJsonValue &v :
                parse(m_t->cli({ QStringLiteral("--json"), QStringLiteral("exec-grants") }).out).toArray()) {
                if (v.toObject().value(QStringLiteral("callerExe")).toString() == m_agent)
                    return v.toObject();
            }
            return QJsonObject {};
        };
        const QJsonObject grant = grantOfAgent();
        QCOMPARE(grant.value(QStringLiteral("env")).toArray(), QJsonArray { QStringLiteral("demo=OTHER_NAME") });
        const QString id = grant.value(QStringLiteral("id")).toString();
        QVERIFY(id.startsWith(QStringLiteral("exec-")));
        QCOMPARE(m_t->cli({ QStringLiteral("revoke"), id }).exitCode, 0);
        QCOMPARE(grantOfAgent().value(QStringLiteral("state")).toString(), QStringLiteral("revoked"));

        // Revoked: the same command asks again (denied here: exit 3).
        auto again = startCli(exec);
        const QJsonObject asked = waitForRequest(QStringLiteral("exec"));
        QVERIFY(!asked.isEmpty());
        QCOMPARE(m_t->cli({ QStringLiteral("deny"), asked.value(QStringLiteral("id")).toString() }).exitCode, 0);
        QVERIFY(finish(*again));
        QCOMPARE(again->exitCode(), 3);
    }

    void testTokenSilentThenRefusedAfterRevoke()
    {
        actAs(QStringLiteral("token-agent"));
        auto first = startCli({ QStringLiteral("token"), QStringLiteral("--resource"), m_resource });
        const QJsonObject request = waitForRequest(QStringLiteral("token"));
        QVERIFY2(!request.isEmpty(), m_t->log().constData());
        QCOMPARE(
            request.value(QStringLiteral("resource")).toObject().value(QStringLiteral("uri")).toString(), m_resource);
        QCOMPARE(request.value(QStringLiteral("scopes")).toArray().size(), 1); // the default scope: read
        QCOMPARE(m_t->cli({ QStringLiteral("approve"), request.value(QStringLiteral("id")).toString() }).exitCode, 0);
        QVERIFY(finish(*first));
        QCOMPARE(first->exitCode(), 0);
        const QByteArray out1 = first->readAllStandardOutput();
        // Only the access token: one line, a JWT.
        QCOMPARE(out1.count('\n'), 1);
        const QByteArray token1 = out1.trimmed();
        QCOMPARE(token1.split('.').size(), 3);
        const QJsonObject claims
            = QJsonDocument::fromJson(QByteArray::fromBase64(token1.split('.').at(1), QByteArray::Base64UrlEncoding))
                  .object();
        QCOMPARE(claims.value(QStringLiteral("aud")).toString(), m_resource);
        QCOMPARE(claims.value(QStringLiteral("scope")).toString(), QStringLiteral("read"));
        const QString clientId = claims.value(QStringLiteral("client_id")).toString();
        QVERIFY(clientId.startsWith(QStringLiteral("local-")));
        // The refresh token stays with Tessera, in the keychain.
        QVERIFY(keychainListing(m_t->keychainService())
                    .contains(QString(QStringLiteral("client-token/") + clientId + u'/' + m_resource).toUtf8()));

        // Silent the second time: no prompt, a fresh token.
        const CliResult second
            = cliAs({ QStringLiteral("token"), QStringLiteral("--resource"), m_resource }, {}, 20000);
        QCOMPARE(second.exitCode, 0);
        QVERIFY(second.out.trimmed() != token1);
        QCOMPARE(second.out.trimmed().split('.').size(), 3);
        QVERIFY(pending().isEmpty());
        const CliResult json
            = cliAs({ QStringLiteral("--json"), QStringLiteral("token"), QStringLiteral("--resource"), m_resource });
        QCOMPARE(json.exitCode, 0);
        const QJsonObject response = parse(json.out).toObject();
        QVERIFY(response.contains(QStringLiteral("access_token")));
        QCOMPARE(response.value(QStringLiteral("token_type")).toString(), QStringLiteral("Bearer"));
        QVERIFY(!response.contains(QStringLiteral("refresh_token")));

        // The grant is an ordinary grant of the local client.
        QJsonObject grant;
        for (const QJsonValue &v :
            parse(m_t->cli({ QStringLiteral("--json"), QStringLiteral("grants") }).out).toArray()) {
            if (v.toObject().value(QStringLiteral("clientId")).toString() == clientId)
                grant = v.toObject();
        }
        QCOMPARE(grant.value(QStringLiteral("state")).toString(), QStringLiteral("active"));
        QCOMPARE(grant.value(QStringLiteral("resourceUri")).toString(), m_resource);

        // Revoked: refused at once (exit 3), no prompt, until the caller asks again explicitly.
        QCOMPARE(m_t->cli({ QStringLiteral("revoke"), grant.value(QStringLiteral("id")).toString() }).exitCode, 0);
        const CliResult refused
            = cliAs({ QStringLiteral("token"), QStringLiteral("--resource"), m_resource }, {}, 20000);
        QCOMPARE(refused.exitCode, 3);
        QVERIFY(refused.out.isEmpty());
        QVERIFY(refused.err.contains("revoked"));
        QVERIFY(pending().isEmpty());
        auto asked
            = startCli({ QStringLiteral("token"), QStringLiteral("--ask"), QStringLiteral("--resource"), m_resource });
        const QJsonObject again = waitForRequest(QStringLiteral("token"));
        QVERIFY(!again.isEmpty());
        QCOMPARE(m_t->cli({ QStringLiteral("deny"), again.value(QStringLiteral("id")).toString() }).exitCode, 0);
        QVERIFY(finish(*asked));
        QCOMPARE(asked->exitCode(), 3);
        QVERIFY(asked->readAllStandardOutput().isEmpty());
    }

    void testPromptLimitsApplyToLocalCallers()
    {
        // An agent in a loop cannot bury the person under prompts: the fourth waiting request of
        // one caller is refused at once, with the denied code (a script must not retry it).
        actAs(QStringLiteral("busy-agent"));
        std::vector<std::unique_ptr<QProcess>> waiting;
        for (const QStringList &scopes :
            { QStringList { QStringLiteral("read") }, QStringList { QStringLiteral("write") },
                QStringList { QStringLiteral("read"), QStringLiteral("write") } }) {
            QStringList args { QStringLiteral("token"), QStringLiteral("--ask"), QStringLiteral("--resource"),
                m_resource };
            for (const QString &scope : scopes)
                args << QStringLiteral("--scope") << scope;
            waiting.push_back(startCli(args));
            QDeadlineTimer deadline(20000);
            while (pending().size() < qsizetype(waiting.size()) && !deadline.hasExpired())
                QThread::msleep(50);
        }
        QCOMPARE(pending().size(), 3);
        const QString marker = m_work.filePath(QStringLiteral("busy-ran"));
        const CliResult refused = cliAs({ QStringLiteral("exec"), QStringLiteral("--secret"), QStringLiteral("demo"),
            QStringLiteral("--"), QStringLiteral("touch"), marker });
        QCOMPARE(refused.exitCode, 3);
        QVERIFY2(refused.err.contains("waiting"), refused.err.constData());
        QVERIFY(!QFile::exists(marker));
        QCOMPARE(pending().size(), 3);
        // A waiting tessera-cli that is stopped withdraws its request (timeout(1) passes SIGTERM on).
        for (auto &p : waiting) {
            p->terminate();
            p->waitForFinished(5000);
        }
        QDeadlineTimer deadline(10000);
        while (!pending().isEmpty() && !deadline.hasExpired())
            QThread::msleep(50);
        QVERIFY(pending().isEmpty());
    }

    void testExecWithTokenFileAndSignals()
    {
        // --resource: a token in the environment, the same token in a file, the file gone afterwards,
        // and the child's exit status passed on.
        const QString seen = m_work.filePath(QStringLiteral("token-file-path"));
        auto p = startCli({ QStringLiteral("exec"), QStringLiteral("--resource"), m_resource, QStringLiteral("--"),
            QStringLiteral("sh"), QStringLiteral("-c"),
            QStringLiteral(
                "printf %s \"$TESSERA_ACCESS_TOKEN_FILE\" > '%1'; "
                "[ \"$(cat \"$TESSERA_ACCESS_TOKEN_FILE\")\" = \"$TESSERA_ACCESS_TOKEN\" ] && exit 7; exit 1")
                .arg(seen) });
        const QJsonObject request = waitForRequest(QStringLiteral("exec"));
        QVERIFY(!request.isEmpty());
        QCOMPARE(
            request.value(QStringLiteral("resource")).toObject().value(QStringLiteral("uri")).toString(), m_resource);
        QCOMPARE(m_t->cli({ QStringLiteral("approve"), request.value(QStringLiteral("id")).toString() }).exitCode, 0);
        QVERIFY(finish(*p));
        QCOMPARE(p->exitCode(), 7);
        QFile pathFile(seen);
        QVERIFY(pathFile.open(QIODevice::ReadOnly));
        const QString tokenFile = QString::fromLocal8Bit(pathFile.readAll());
        QVERIFY(tokenFile.startsWith(m_t->runtimeDir()));
        QVERIFY(!QFile::exists(tokenFile));

        // A SIGTERM sent to tessera-cli reaches the command (covered now: no prompt).
        auto trapped = startCli({ QStringLiteral("exec"), QStringLiteral("--resource"), m_resource,
            QStringLiteral("--"), QStringLiteral("sh"), QStringLiteral("-c"),
            QStringLiteral("trap 'exit 9' TERM; echo ready; while :; do sleep 0.1; done") });
        QVERIFY(trapped->waitForReadyRead(30000));
        QVERIFY(trapped->readAllStandardOutput().contains("ready"));
        ::kill(pid_t(trapped->processId()), SIGTERM);
        QVERIFY(finish(*trapped));
        QCOMPARE(trapped->exitCode(), 9);

        // A command killed by a signal: tessera-cli ends by the same signal.
        auto killed = startCli({ QStringLiteral("exec"), QStringLiteral("--resource"), m_resource, QStringLiteral("--"),
            QStringLiteral("sh"), QStringLiteral("-c"), QStringLiteral("kill -KILL $$") });
        QVERIFY(killed->waitForFinished(30000));
        QCOMPARE(killed->exitStatus(), QProcess::CrashExit);
    }

    void testAuditHasNoValuesAndSecretRemoval()
    {
        // The value never reached the database (and its WAL), the log or the audit log.
        const QStringList files { dbPath(), dbPath() + QStringLiteral("-wal") };
        for (const QString &f : files)
            QVERIFY2(!fileContains(f, m_secret), qPrintable(f));
        QVERIFY(!m_t->log().contains(m_secret));
        const QString exported = m_work.filePath(QStringLiteral("audit.jsonl"));
        const CliResult ex = m_t->cli({ QStringLiteral("audit"), QStringLiteral("export"), QStringLiteral("--format"),
            QStringLiteral("jsonl"), exported });
        QCOMPARE(ex.exitCode, 0);
        QCOMPARE(fileMode(exported), 0600);
        QFile f(exported);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray audit = f.readAll();
        QVERIFY(!audit.contains(m_secret));
        QVERIFY(!audit.contains("refresh_token"));
        // ... but who ran what is there, with the caller chain.
        bool sawExec = false;
        for (const QByteArray &line : audit.split('\n')) {
            const QJsonObject e = QJsonDocument::fromJson(line).object();
            if (e.value(QStringLiteral("kind")).toString() != QStringLiteral("local.exec"))
                continue;
            const QJsonObject d = e.value(QStringLiteral("details")).toObject();
            sawExec = sawExec
                || (d.value(QStringLiteral("outcome")).toString() == QStringLiteral("handed_out")
                    && d.value(QStringLiteral("callerExe")).toString() == QCoreApplication::applicationFilePath()
                    && !d.value(QStringLiteral("caller")).toArray().isEmpty());
        }
        QVERIFY(sawExec);

        // Removing the secret revokes what hands it out.
        const CliResult removed
            = m_t->cli({ QStringLiteral("secret"), QStringLiteral("remove"), QStringLiteral("demo") });
        QCOMPARE(removed.exitCode, 0);
        QVERIFY(!keychainListing(m_t->keychainService()).contains("secret/demo"));
        const QJsonArray active = parse(m_t->cli({ QStringLiteral("--json"), QStringLiteral("exec-grants"),
                                                     QStringLiteral("--state"), QStringLiteral("active") })
                                            .out)
                                      .toArray();
        QVERIFY(active.isEmpty());
    }

    void testHelpEverywhere()
    {
        for (const QString &c :
            { QStringLiteral("token"), QStringLiteral("exec"), QStringLiteral("exec-grants"), QStringLiteral("secret"),
                QStringLiteral("audit"), QStringLiteral("watch"), QStringLiteral("whoami") }) {
            const CliResult h = m_t->cli({ c, QStringLiteral("--help") });
            QVERIFY2(h.exitCode == 0 && h.out.contains("tessera-cli"), qPrintable(c));
        }
        for (const QStringList &sub :
            { QStringList { QStringLiteral("secret"), QStringLiteral("set"), QStringLiteral("--help") },
                QStringList { QStringLiteral("audit"), QStringLiteral("verify"), QStringLiteral("--help") },
                QStringList { QStringLiteral("audit"), QStringLiteral("export"), QStringLiteral("--help") } })
            QCOMPARE(m_t->cli(sub).exitCode, 0);
        // An id that starts with '-' (1 in 64 do) is an id, not options: "no such request", not usage.
        const CliResult dashId = m_t->cli({ QStringLiteral("deny"), QStringLiteral("-OemRjFrJIsTYqFSyOjGrQ") });
        QCOMPARE(dashId.exitCode, 1);
        QVERIFY2(dashId.err.contains("-OemRjFrJIsTYqFSyOjGrQ"), dashId.err.constData());
        QCOMPARE(m_t->cli({ QStringLiteral("deny"), QStringLiteral("-x") }).exitCode, 2);
        QCOMPARE(m_t->cli({ QStringLiteral("token") }).exitCode, 2);
        QCOMPARE(m_t->cli({ QStringLiteral("secret"), QStringLiteral("set") }).exitCode, 2);
        QCOMPARE(
            m_t->cli({ QStringLiteral("secret"), QStringLiteral("set"), QStringLiteral("bad/name") }, "x").exitCode, 2);
        QCOMPARE(
            m_t->cli({ QStringLiteral("audit"), QStringLiteral("--since"), QStringLiteral("yesterday") }).exitCode, 2);
    }

    void testAuditFollowAndCsv()
    {
        const QString csv = m_work.filePath(QStringLiteral("audit.csv"));
        QCOMPARE(m_t->cli({ QStringLiteral("audit"), QStringLiteral("export"), QStringLiteral("--format"),
                              QStringLiteral("csv"), csv })
                     .exitCode,
            0);
        QFile f(csv);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = f.readAll().split('\n');
        QVERIFY(lines.at(0).startsWith("seq,time_utc,ts_ms,kind,actor"));
        QVERIFY(lines.size() > 5);

        auto follow = startCli({ QStringLiteral("--json"), QStringLiteral("audit"), QStringLiteral("--follow"),
            QStringLiteral("--limit"), QStringLiteral("1") });
        QVERIFY(follow->waitForReadyRead(20000));
        follow->readAllStandardOutput();
        QCOMPARE(m_t->cli({ QStringLiteral("freeze") }).exitCode, 0);
        QCOMPARE(m_t->cli({ QStringLiteral("unfreeze") }).exitCode, 0);
        QByteArray seen;
        QDeadlineTimer deadline(20000);
        while (!seen.contains("freeze.off") && !deadline.hasExpired()) {
            follow->waitForReadyRead(500);
            seen += follow->readAllStandardOutput();
        }
        QVERIFY2(seen.contains("\"freeze.on\"") && seen.contains("\"freeze.off\""), seen.constData());
        follow->terminate();
        QVERIFY(follow->waitForFinished(10000));
    }

    void testWatchApprovesInTmux()
    {
        actAs(QStringLiteral("watch-agent"));
        if (QStandardPaths::findExecutable(QStringLiteral("tmux")).isEmpty())
            QSKIP("tmux is not installed");
        const QString socket = QStringLiteral("tessera-test-") + QString::number(QCoreApplication::applicationPid());
        const auto tmux = [&socket](const QStringList &args) {
            QProcess p;
            p.start(QStringLiteral("tmux"), QStringList { QStringLiteral("-L"), socket } + args);
            p.waitForFinished(10000);
            return p.readAllStandardOutput();
        };
        const auto screen = [&tmux] {
            return tmux(
                { QStringLiteral("capture-pane"), QStringLiteral("-p"), QStringLiteral("-t"), QStringLiteral("w") });
        };
        const auto waitFor = [&screen](const QByteArray &text, int ms) {
            QDeadlineTimer deadline(ms);
            while (!deadline.hasExpired()) {
                if (screen().contains(text))
                    return true;
                QThread::msleep(100);
            }
            return false;
        };
        // The trap keeps the pane's shell alive through Ctrl-C, so that it can print the exit code.
        const QString command
            = QStringLiteral("trap : INT; env TESSERA_RUNTIME_DIR='%1' '%2' watch; echo WATCH-EXIT=$?; sleep 120")
                  .arg(m_t->runtimeDir(), builtExecutable(QStringLiteral("tessera-cli")));
        tmux({ QStringLiteral("new-session"), QStringLiteral("-d"), QStringLiteral("-s"), QStringLiteral("w"),
            QStringLiteral("-x"), QStringLiteral("180"), QStringLiteral("-y"), QStringLiteral("50"), command });
        QVERIFY2(waitFor("Watching for new ones", 20000), screen().constData());

        // A request appears with its facts; after a second on screen, `a` approves it.
        auto token = startCli({ QStringLiteral("token"), QStringLiteral("--ask"), QStringLiteral("--resource"),
            m_resource, QStringLiteral("--scope"), QStringLiteral("write") });
        QVERIFY2(waitFor("HIGH RISK", 30000), screen().constData());
        const QByteArray card = screen();
        QVERIFY(card.contains("token"));
        QVERIFY(card.contains(m_resource.toUtf8()));
        QVERIFY(card.contains(QCoreApplication::applicationFilePath().toUtf8()));
        QThread::msleep(1300);
        tmux({ QStringLiteral("send-keys"), QStringLiteral("-t"), QStringLiteral("w"), QStringLiteral("a") });
        QVERIFY2(finish(*token), screen().constData());
        QCOMPARE(token->exitCode(), 0);
        QCOMPARE(token->readAllStandardOutput().trimmed().split('.').size(), 3);
        QVERIFY2(waitFor("Approved write", 10000), screen().constData());

        // Ctrl-C leaves a request pending.
        const QString marker = m_work.filePath(QStringLiteral("never"));
        QVERIFY(
            m_t->cli({ QStringLiteral("secret"), QStringLiteral("set"), QStringLiteral("later") }, "v").exitCode == 0);
        auto exec = startCli({ QStringLiteral("exec"), QStringLiteral("--secret"), QStringLiteral("later"),
            QStringLiteral("--"), QStringLiteral("touch"), marker });
        QVERIFY2(waitFor("later", 30000), screen().constData());
        tmux({ QStringLiteral("send-keys"), QStringLiteral("-t"), QStringLiteral("w"), QStringLiteral("C-c") });
        QVERIFY2(waitFor("WATCH-EXIT=0", 10000), screen().constData());
        QVERIFY(screen().contains("1 request(s) left pending"));
        const QJsonObject still = waitForRequest(QStringLiteral("exec"), 2000);
        QVERIFY(!still.isEmpty());
        QCOMPARE(m_t->cli({ QStringLiteral("deny"), still.value(QStringLiteral("id")).toString() }).exitCode, 0);
        QVERIFY(finish(*exec));
        QCOMPARE(exec->exitCode(), 3);
        QVERIFY(!QFile::exists(marker));
        tmux({ QStringLiteral("kill-server") });
    }

    /**
     * R1: a caller names its executable as it likes (every byte but '/' and NUL), and that name
     * becomes a local client's name and a line of the process chain. Every output of tessera-cli
     * shows it escaped: no escape sequence acts, no newline forges a "process" line, a division
     * slash shows as \u{2215}, and the name is marked as the caller's choice.
     */
    void testR1_hostileCallerIsEscapedInEveryCliOutput()
    {
        // A file name cannot hold '/', but a directory name can hold a newline: the path
        // ".../usr∕bin∕x\n  process    /usr/bin/claude (pid 1)..." forges a process line.
        const QString dir = QStringLiteral("usr\u2215bin\u2215x\n  process    /usr/bin");
        const QString hostile
            = QStringLiteral("claude (pid 1)\n  warning    none\x1b[2J\x1b]0;pwned\x07\u009b31m\u202Egpj.exe\u2028x");
        const QByteArray nameShown = "claude (pid 1)\\n  warning    none\\x1b[2J\\x1b]0;pwned\\x07\\u{009B}31m"
                                     "\\u{202E}gpj.exe\\u{2028}x";
        const QByteArray pathShown
            = "usr\\u{2215}bin\\u{2215}x\\n  process    /usr/bin/claude (pid 1)\\n  warning    none\\x1b[2J";
        QVERIFY(QDir(m_work.path()).mkpath(dir));
        actAs(dir + u'/' + hostile);
        QVERIFY(QFileInfo::exists(m_agent));
        // The description is the person's, and refused with control characters; a backslash is text.
        QCOMPARE(
            m_t->cli({ QStringLiteral("secret"), QStringLiteral("set"), QStringLiteral("r1"),
                         QStringLiteral("--description"), QStringLiteral("R1 \\x1b[31mred (a backslash is text)") },
                   "v")
                .exitCode,
            0);

        // An exec request with a hostile command line, from the hostile caller.
        const QString arg = QStringLiteral("hi\x1b[2J\n  process    /usr/bin/claude (pid 1)");
        auto exec = startCli({ QStringLiteral("exec"), QStringLiteral("--secret"), QStringLiteral("r1"),
            QStringLiteral("--"), QStringLiteral("/bin/echo"), arg });
        const QJsonObject request = waitForRequest(QStringLiteral("exec"));
        QVERIFY2(!request.isEmpty(), m_t->log().constData());
        const QString id = request.value(QStringLiteral("id")).toString();
        // --json keeps the value exactly (and the raw bytes hold nothing a terminal acts on).
        const CliResult json = m_t->cli({ QStringLiteral("--json"), QStringLiteral("requests") });
        QVERIFY2(firstUnsafe(json.out).isEmpty(), qPrintable(firstUnsafe(json.out)));
        QCOMPARE(
            request.value(QStringLiteral("requester")).toObject().value(QStringLiteral("name")).toString(), hostile);
        QVERIFY(request.value(QStringLiteral("requester"))
                    .toObject()
                    .value(QStringLiteral("commandLine"))
                    .toString()
                    .contains(arg));

        const CliResult shown = m_t->cli({ QStringLiteral("requests") });
        QCOMPARE(shown.exitCode, 0);
        QVERIFY2(firstUnsafe(shown.out).isEmpty(), qPrintable(firstUnsafe(shown.out)));
        QVERIFY2(!forgesProcessLine(shown.out), shown.out.constData());
        QVERIFY2(shown.out.contains(
                     QByteArray("\"" + nameShown + "\" (named after its executable, a file name chosen by the caller")),
            shown.out.constData());
        QVERIFY2(shown.out.contains(QByteArray("  process    " + QFile::encodeName(m_work.path()) + '/' + pathShown)),
            shown.out.constData());
        QVERIFY(shown.out.contains("looks like '/'"));
        QVERIFY(shown.out.contains("hi\\x1b[2J\\n  process    /usr/bin/claude (pid 1)"));
        QVERIFY(shown.out.contains("(shown escaped: \\\\ is one backslash"));

        // watch without a terminal: one line per event, escaped; with --json, the exact value.
        for (const bool asJson : { false, true }) {
            QProcess watch;
            watch.setProcessEnvironment(m_t->environment());
            watch.start(builtExecutable(QStringLiteral("tessera-cli")),
                asJson ? QStringList { QStringLiteral("--json"), QStringLiteral("watch") }
                       : QStringList { QStringLiteral("watch") });
            QByteArray out;
            QDeadlineTimer deadline(15000);
            while (!out.contains(id.toUtf8()) && !deadline.hasExpired()) {
                watch.waitForReadyRead(200);
                out += watch.readAllStandardOutput();
            }
            ::kill(pid_t(watch.processId()), SIGTERM);
            QVERIFY(watch.waitForFinished(10000));
            out += watch.readAllStandardOutput();
            QVERIFY2(out.contains(id.toUtf8()), out.constData());
            QVERIFY2(firstUnsafe(out).isEmpty(), qPrintable(firstUnsafe(out)));
            QVERIFY2(!forgesProcessLine(out), out.constData());
            if (asJson) {
                const QJsonObject event = QJsonDocument::fromJson(out.split('\n').first()).object();
                QCOMPARE(event.value(QStringLiteral("data"))
                             .toObject()
                             .value(QStringLiteral("requester"))
                             .toObject()
                             .value(QStringLiteral("name"))
                             .toString(),
                    hostile);
            } else {
                QVERIFY2(out.contains(QByteArray("from \"" + nameShown
                             + "\" (named after its executable, a file name chosen by the caller)")),
                    out.constData());
            }
        }

        QCOMPARE(
            m_t->cli({ QStringLiteral("approve"), id, QStringLiteral("--for"), QStringLiteral("1h") }).exitCode, 0);
        QVERIFY(finish(*exec));
        QCOMPARE(exec->exitCode(), 0);
        // And an ordinary grant of the same client.
        auto token = startCli({ QStringLiteral("token"), QStringLiteral("--ask"), QStringLiteral("--resource"),
            m_resource, QStringLiteral("--scope"), QStringLiteral("read") });
        const QJsonObject tokenRequest = waitForRequest(QStringLiteral("token"));
        QVERIFY(!tokenRequest.isEmpty());
        QCOMPARE(
            m_t->cli({ QStringLiteral("approve"), tokenRequest.value(QStringLiteral("id")).toString() }).exitCode, 0);
        QVERIFY(finish(*token));
        QCOMPARE(token->exitCode(), 0);

        // A DCR client: registration refuses controls in client_name, but a backslash is text.
        Tessera::Test::RawClient http;
        QVERIFY(http.connectTo(m_t->port()));
        // moc reads this file too, and Qt 6.4's moc loses its way in raw string literals.
        const QByteArray body
            = "{\"client_name\":\"Evil \\\\x1b[2J name\",\"redirect_uris\":[\"http://127.0.0.1:9/cb\"],"
              "\"token_endpoint_auth_method\":\"none\"}";
        const auto registered
            = http.exchange(Tessera::Test::postRequest("/register", m_t->port(), "application/json", body), 10000);
        QVERIFY(registered && registered->status == 201);

        const auto check = [this](const QStringList &args, const QList<QByteArray> &mustShow) {
            const CliResult r = args.first() == QStringLiteral("whoami") ? cliAs(args) : m_t->cli(args);
            QVERIFY2(r.exitCode == 0, qPrintable(args.join(u' ') + u' ' + QString::fromUtf8(r.err)));
            QVERIFY2(firstUnsafe(r.out).isEmpty(), qPrintable(args.join(u' ') + u' ' + firstUnsafe(r.out)));
            QVERIFY2(firstUnsafe(r.err).isEmpty(), qPrintable(args.join(u' ') + u' ' + firstUnsafe(r.err)));
            QVERIFY2(!forgesProcessLine(r.out), r.out.constData());
            for (const QByteArray &text : mustShow)
                QVERIFY2(r.out.contains(text), qPrintable(args.join(u' ') + u'\n' + QString::fromUtf8(r.out)));
        };
        check({ QStringLiteral("clients") },
            { "\"" + nameShown + "\" (named after its executable, a file name chosen by the caller)",
                "\"Evil \\\\x1b[2J name\" (name is self-asserted)" });
        check({ QStringLiteral("grants") }, { nameShown });
        check({ QStringLiteral("exec-grants") }, { nameShown, "hi\\x1b[2J\\n  process    /usr/bin/claude (pid 1)" });
        check({ QStringLiteral("audit"), QStringLiteral("--limit"), QStringLiteral("200") }, { "\\\\n  process" });
        check({ QStringLiteral("secret"), QStringLiteral("list") }, { "R1 \\\\x1b[31mred (a backslash is text)" });
        check({ QStringLiteral("whoami") }, { pathShown });
        for (const QString &command : { QStringLiteral("clients"), QStringLiteral("grants"),
                 QStringLiteral("exec-grants"), QStringLiteral("audit"), QStringLiteral("whoami") })
            check({ QStringLiteral("--json"), command }, {});
        const CliResult exported = m_t->cli({ QStringLiteral("audit"), QStringLiteral("export"), QStringLiteral("-") });
        QVERIFY2(firstUnsafe(exported.out).isEmpty(), qPrintable(firstUnsafe(exported.out)));
        QVERIFY(exported.out.contains("\\u202e"));
        // The local client is marked in --json too: its name is its own, not verified.
        for (const QJsonValue &v :
            parse(m_t->cli({ QStringLiteral("--json"), QStringLiteral("clients") }).out).toArray()) {
            if (v.toObject().value(QStringLiteral("name")).toString() == hostile)
                QVERIFY(v.toObject().value(QStringLiteral("nameIsSelfAsserted")).toBool());
        }
    }

    /** R1: escape sequences in a request cannot redraw `watch`, retitle the terminal or forge lines. */
    void testR1_watchScreenCannotBeRedrawnByARequest()
    {
        if (QStandardPaths::findExecutable(QStringLiteral("tmux")).isEmpty())
            QSKIP("tmux is not installed");
        const QString dir = QStringLiteral("r1-watch\x1b[2J\x1b[H\x1b]2;pwned\x07\n  process    /usr/bin");
        QVERIFY(QDir(m_work.path()).mkpath(dir));
        actAs(dir + QStringLiteral("/claude (pid 1)\x1b[2J\x1b[H"));
        QCOMPARE(m_t->cli({ QStringLiteral("secret"), QStringLiteral("set"), QStringLiteral("r1w") }, "v").exitCode, 0);
        const QString socket = QStringLiteral("tessera-r1-") + QString::number(QCoreApplication::applicationPid());
        const auto tmux = [&socket](const QStringList &args) {
            QProcess p;
            p.start(QStringLiteral("tmux"), QStringList { QStringLiteral("-L"), socket } + args);
            p.waitForFinished(10000);
            return p.readAllStandardOutput();
        };
        const auto screen = [&tmux] {
            return tmux(
                { QStringLiteral("capture-pane"), QStringLiteral("-p"), QStringLiteral("-t"), QStringLiteral("w") });
        };
        const auto waitFor = [&screen](const QByteArray &text, int ms) {
            QDeadlineTimer deadline(ms);
            while (!deadline.hasExpired()) {
                if (screen().contains(text))
                    return true;
                QThread::msleep(100);
            }
            return false;
        };
        const QString command = QStringLiteral("env TESSERA_RUNTIME_DIR='%1' '%2' watch; sleep 120")
                                    .arg(m_t->runtimeDir(), builtExecutable(QStringLiteral("tessera-cli")));
        tmux({ QStringLiteral("new-session"), QStringLiteral("-d"), QStringLiteral("-s"), QStringLiteral("w"),
            QStringLiteral("-x"), QStringLiteral("250"), QStringLiteral("-y"), QStringLiteral("50"), command });
        QVERIFY2(waitFor("Watching for new ones", 20000), screen().constData());

        auto exec = startCli({ QStringLiteral("exec"), QStringLiteral("--secret"), QStringLiteral("r1w"),
            QStringLiteral("--"), QStringLiteral("/bin/echo"), QStringLiteral("\x1b[2J\x1b[Hbenign") });
        QVERIFY2(waitFor("benign", 30000), screen().constData()); // the command line, drawn either way
        QThread::msleep(1200); // a redraw or two later
        const QByteArray card = screen();
        QVERIFY2(card.startsWith("Tessera approvals"), card.constData()); // nothing cleared the screen above it
        QVERIFY2(card.contains("\"claude (pid 1)\\x1b[2J\\x1b[H\" (named after its executable")
                && card.contains("r1-watch\\x1b[2J\\x1b[H\\x1b]2;pwned\\x07\\n  process    /usr/bin/claude (pid 1)"),
            card.constData());
        QVERIFY2(card.contains("/bin/echo") && card.contains("\\x1b[2J\\x1b[Hbenign"), card.constData());
        QVERIFY2(!forgesProcessLine(card), card.constData());
        const QByteArray title = tmux({ QStringLiteral("display-message"), QStringLiteral("-p"), QStringLiteral("-t"),
            QStringLiteral("w"), QStringLiteral("#{pane_title}") });
        QVERIFY2(!title.contains("pwned"), title.constData());
        tmux({ QStringLiteral("send-keys"), QStringLiteral("-t"), QStringLiteral("w"), QStringLiteral("d") });
        QVERIFY(finish(*exec));
        QCOMPARE(exec->exitCode(), 3);
        tmux({ QStringLiteral("kill-server") });
    }

    void testShellCompletion()
    {
        const QString dir = sourcePath(QStringLiteral("packaging/completion/"));
        // bash: the commands, then a secret name asked from the running Tessera.
        const auto complete = [&](const QString &line) {
            QProcess bash;
            QProcessEnvironment env = m_t->environment();
            env.insert(QStringLiteral("PATH"),
                QFileInfo(builtExecutable(QStringLiteral("tessera-cli"))).path() + u':'
                    + env.value(QStringLiteral("PATH")));
            bash.setProcessEnvironment(env);
            bash.start(QStringLiteral("bash"),
                { QStringLiteral("-c"),
                    QStringLiteral(
                        "source /usr/share/bash-completion/bash_completion; source '%1tessera-cli.bash'; "
                        "COMP_LINE='%2'; COMP_POINT=${#COMP_LINE}; read -ra COMP_WORDS <<< \"$COMP_LINE\"; "
                        "[[ $COMP_LINE == *' ' ]] && COMP_WORDS+=(''); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); "
                        "_tessera_cli; printf '%s\\n' \"${COMPREPLY[@]}\"")
                        .arg(dir, line) });
            bash.waitForFinished(30000);
            return QString::fromUtf8(bash.readAllStandardOutput()).split(u'\n', Qt::SkipEmptyParts);
        };
        if (!QFile::exists(QStringLiteral("/usr/share/bash-completion/bash_completion")))
            QSKIP("bash-completion is not installed");
        QCOMPARE(complete(QStringLiteral("tessera-cli sec")), QStringList { QStringLiteral("secret") });
        QVERIFY(complete(QStringLiteral("tessera-cli ")).contains(QStringLiteral("watch")));
        QCOMPARE(
            m_t->cli({ QStringLiteral("secret"), QStringLiteral("set"), QStringLiteral("compl") }, "v").exitCode, 0);
        QVERIFY(complete(QStringLiteral("tessera-cli exec --secret ")).contains(QStringLiteral("compl")));
        QVERIFY(complete(QStringLiteral("tessera-cli secret remove co")) == QStringList { QStringLiteral("compl") });
        QCOMPARE(complete(QStringLiteral("tessera-cli token --resource ")), QStringList { m_resource });
        QCOMPARE(complete(QStringLiteral("tessera-cli client f")), QStringList { QStringLiteral("forget") });
        QCOMPARE(complete(QStringLiteral("tessera-cli audit export --format ")),
            (QStringList { QStringLiteral("jsonl"), QStringLiteral("csv") }));
        // zsh: at least well-formed.
        if (!QStandardPaths::findExecutable(QStringLiteral("zsh")).isEmpty()) {
            QProcess zsh;
            zsh.start(QStringLiteral("zsh"), { QStringLiteral("-n"), dir + QStringLiteral("_tessera-cli") });
            QVERIFY(zsh.waitForFinished(20000));
            QVERIFY2(zsh.exitCode() == 0, zsh.readAllStandardError().constData());
        }
    }

    void testAuditVerifyDetectsAnEditedRow()
    {
        const CliResult ok = m_t->cli({ QStringLiteral("audit"), QStringLiteral("verify") });
        QCOMPARE(ok.exitCode, 0);
        QVERIFY(ok.out.contains("intact"));

        // Someone with write access edits one event with the sqlite3 tool (the triggers are no
        // barrier: they only guard against our own bugs).
        QProcess sqlite;
        sqlite.start(QStringLiteral("sqlite3"),
            { dbPath(),
                QStringLiteral("DROP TRIGGER audit_events_no_update; "
                               "UPDATE audit_events SET actor = 'mallory' WHERE seq = 3;") });
        QVERIFY(sqlite.waitForFinished(20000));
        QVERIFY2(sqlite.exitCode() == 0, sqlite.readAllStandardError().constData());

        const CliResult broken = m_t->cli({ QStringLiteral("audit"), QStringLiteral("verify") });
        QCOMPARE(broken.exitCode, 1);
        QVERIFY2(broken.out.contains("BROKEN at event 3"), broken.out.constData());
        const QJsonObject report
            = parse(m_t->cli({ QStringLiteral("--json"), QStringLiteral("audit"), QStringLiteral("verify") }).out)
                  .toObject();
        QCOMPARE(report.value(QStringLiteral("ok")).toBool(), false);
        QCOMPARE(report.value(QStringLiteral("firstBadSeq")).toInteger(), 3);
    }

    // Last, because it restarts Tessera: nobody answers, so tessera-cli exits 4 (timeout) once
    // the person's prompt timeout has passed (the shortest the Settings page allows, 15 s, kept in
    // the settings table and read at start, headless too), printing no token.
    void testUnansweredRequestTimesOut()
    {
        QCOMPARE(m_t->stop(), 0);
        QProcess sqlite;
        sqlite.start(QStringLiteral("sqlite3"),
            { dbPath(),
                QStringLiteral("INSERT OR REPLACE INTO settings (key, value) "
                               "VALUES ('consent.promptTimeoutSecs', '15');") });
        QVERIFY(sqlite.waitForFinished(20000));
        QVERIFY2(sqlite.exitCode() == 0, sqlite.readAllStandardError().constData());
        QVERIFY(m_t->start());
        QVERIFY2(m_t->waitUntil(0), m_t->log().constData());

        actAs(QStringLiteral("unanswered-agent"));
        QElapsedTimer waited;
        waited.start();
        const CliResult r = cliAs({ QStringLiteral("token"), QStringLiteral("--resource"), m_resource }, {}, 60000);
        QCOMPARE(r.exitCode, 4);
        QVERIFY2(waited.elapsed() >= 14000, QByteArray::number(waited.elapsed()).constData());
        QVERIFY2(r.out.isEmpty(), r.out.constData());
        QVERIFY2(!r.err.isEmpty(), "a timeout says so");
        QVERIFY(pending().isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestLocalAccess)
#include "tst_localaccess.moc"
