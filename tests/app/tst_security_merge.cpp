// SPDX-License-Identifier: GPL-3.0-or-later
// Issue 9, R5: merged consent requests, against a real `tessera --headless`, real tessera-cli
// processes and real listeners on a client's loopback redirect port (tst_identityhelper listen).
// The broker's rules are unit-tested in tst_consentbroker; the shared grant end to end over HTTP
// in tst_security_authorize.
#include "support/httptestclient.h"
#include "support/tesserainstance.h"
#include "support/testsupport.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDeadlineTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QUrl>

using namespace Tessera::Test;

namespace {

QJsonArray requestsOf(const TesseraInstance &t)
{
    return QJsonDocument::fromJson(t.cli({ QStringLiteral("--json"), QStringLiteral("requests") }).out).array();
}

/** Waits until @p count requests with @p path are pending (or the time is up); returns them all. */
QJsonArray waitForRequests(const TesseraInstance &t, const QString &path, int count, int timeoutMs = 20000)
{
    QDeadlineTimer deadline(timeoutMs);
    QJsonArray found;
    while (!deadline.hasExpired()) {
        found = {};
        for (const QJsonValue &v : requestsOf(t)) {
            if (v.toObject().value(QStringLiteral("path")).toString() == path)
                found.append(v);
        }
        if (found.size() >= count)
            return found;
        QThread::msleep(50);
    }
    return found;
}

QString helper()
{
    return QCoreApplication::applicationDirPath() + QStringLiteral("/tst_identityhelper");
}

} // namespace

class TestSecurityMerge : public QObject
{
    Q_OBJECT
private:
    std::unique_ptr<TesseraInstance> m_t;
    QTemporaryDir m_work;
    QString m_resource;

    std::unique_ptr<QProcess> start(const QString &program, const QStringList &args)
    {
        auto p = std::make_unique<QProcess>();
        p->setProcessEnvironment(m_t->environment());
        p->setWorkingDirectory(m_work.path());
        p->start(program, args);
        p->waitForStarted(5000);
        return p;
    }

    /** A program that holds 127.0.0.1:@p port until its stdin closes; null if it could not. */
    std::unique_ptr<QProcess> listenOn(quint16 port)
    {
        auto p = start(helper(), { QStringLiteral("listen"), QString::number(port) });
        QDeadlineTimer deadline(5000);
        while (!p->canReadLine() && !deadline.hasExpired())
            p->waitForReadyRead(100);
        if (p->readLine().trimmed() != "listening")
            return nullptr;
        return p;
    }

    static void stop(QProcess &p)
    {
        p.closeWriteChannel();
        QVERIFY(p.waitForFinished(5000));
    }

    /** GET /authorize from a fresh "browser" connection; the status of its answer. */
    int authorize(const QString &clientId, quint16 redirectPort, const QByteArray &verifier)
    {
        const QByteArray challenge = QCryptographicHash::hash(verifier, QCryptographicHash::Sha256)
                                         .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
        const QByteArray query = "response_type=code&client_id=" + QUrl::toPercentEncoding(clientId)
            + "&redirect_uri=" + QUrl::toPercentEncoding(QStringLiteral("http://127.0.0.1:%1/cb").arg(redirectPort))
            + "&code_challenge=" + challenge + "&code_challenge_method=S256&state=" + verifier.left(8)
            + "&resource=" + QUrl::toPercentEncoding(m_resource);
        RawClient browser;
        if (!browser.connectTo(m_t->port()))
            return 0;
        const auto page = browser.exchange(
            "GET /authorize?" + query + " HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(m_t->port()) + "\r\n\r\n");
        return page ? page->status : 0;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_work.isValid());
        QVERIFY2(QFile::exists(helper()), qPrintable(helper()));
        m_t = std::make_unique<TesseraInstance>();
        QVERIFY(m_t->start());
        QVERIFY2(m_t->waitUntil(0), m_t->log().constData());
        m_resource = QStringLiteral("http://127.0.0.1:%1/mcp").arg(TesseraInstance::freePort());
        const CliResult added = m_t->cli({ QStringLiteral("resource"), QStringLiteral("add"), QStringLiteral("files"),
            QStringLiteral("--uri"), m_resource, QStringLiteral("--scope"), QStringLiteral("read=Read files"),
            QStringLiteral("--default-scope"), QStringLiteral("read") });
        QVERIFY2(added.exitCode == 0, added.err.constData());
    }

    void cleanupTestCase()
    {
        if (m_t)
            QCOMPARE(m_t->stop(), 0);
    }

    // Two processes of one agent asking for the same token raise two prompts: one approval is
    // for the process the person saw, never also for another that joined its prompt. They used to
    // be merged, and the approval of one answered both.
    void testR5_tokenRequestsOfTwoProcessesAreNotMerged()
    {
        const QString agent = m_work.filePath(QStringLiteral("merge-agent"));
        QVERIFY(QFile::copy(QStringLiteral("/usr/bin/timeout"), agent));
        QVERIFY(QFile::setPermissions(agent, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
        const QStringList args { QStringLiteral("300"), builtExecutable(QStringLiteral("tessera-cli")),
            QStringLiteral("token"), QStringLiteral("--resource"), m_resource };
        auto first = start(agent, args);
        QCOMPARE(waitForRequests(*m_t, QStringLiteral("token"), 1).size(), 1);
        auto second = start(agent, args);
        const QJsonArray both = waitForRequests(*m_t, QStringLiteral("token"), 2);
        QCOMPARE(both.size(), 2);
        for (const QJsonValue &v : both)
            QCOMPARE(v.toObject().value(QStringLiteral("merged")).toInt(), 1);
        // The requests name their own processes: approve the first one's, deny the other's.
        const auto pidOf = [](const QJsonObject &r) {
            return r.value(QStringLiteral("requester"))
                .toObject()
                .value(QStringLiteral("processChain"))
                .toArray()
                .first()
                .toObject()
                .value(QStringLiteral("pid"))
                .toInteger();
        };
        QVERIFY(pidOf(both.at(0).toObject()) != pidOf(both.at(1).toObject()));
        QCOMPARE(m_t->cli({ QStringLiteral("approve"), both.at(0).toObject().value(QStringLiteral("id")).toString() })
                     .exitCode,
            0);
        QVERIFY(first->waitForFinished(20000));
        QCOMPARE(first->exitCode(), 0);
        QCOMPARE(first->readAllStandardOutput().trimmed().split('.').size(), 3); // a JWT
        // The other one still waits for its own answer.
        QVERIFY(!second->waitForFinished(500));
        QCOMPARE(waitForRequests(*m_t, QStringLiteral("token"), 1).size(), 1);
        QCOMPARE(
            m_t->cli({ QStringLiteral("deny"), both.at(1).toObject().value(QStringLiteral("id")).toString() }).exitCode,
            0);
        QVERIFY(second->waitForFinished(20000));
        QCOMPARE(second->exitCode(), 3);
        QVERIFY(second->readAllStandardOutput().isEmpty());
    }

    // An OAuth client that restarted its flow while the first prompt waits (same program on the
    // redirect port, a new process): one prompt, and tessera-cli shows how many asked and the
    // process chain behind each of them, the merged one included.
    void testR5_cliShowsMergeCountAndEveryChain()
    {
        RawClient reg;
        QVERIFY(reg.connectTo(m_t->port()));
        const QByteArray body = R"({"redirect_uris":["http://127.0.0.1/cb"],"token_endpoint_auth_method":"none"})";
        const auto registered = reg.exchange("POST /register HTTP/1.1\r\nHost: 127.0.0.1:"
            + QByteArray::number(m_t->port()) + "\r\nContent-Type: application/json\r\nContent-Length: "
            + QByteArray::number(body.size()) + "\r\n\r\n" + body);
        QVERIFY(registered && registered->status == 201);
        const QString clientId
            = QJsonDocument::fromJson(registered->body).object().value(QStringLiteral("client_id")).toString();

        const quint16 port = TesseraInstance::freePort();
        auto before = listenOn(port);
        QVERIFY(before);
        const qint64 beforePid = before->processId();
        QCOMPARE(authorize(clientId, port, "first-verifier-0123456789012345678901234567"), 200);
        QCOMPARE(waitForRequests(*m_t, QStringLiteral("authorize"), 1).size(), 1);
        stop(*before);
        auto after = listenOn(port);
        QVERIFY(after);
        const qint64 afterPid = after->processId();
        QCOMPARE(authorize(clientId, port, "second-verifier-012345678901234567890123456"), 200);

        QJsonObject request;
        QDeadlineTimer deadline(20000);
        while (!deadline.hasExpired() && request.value(QStringLiteral("merged")).toInt() < 2) {
            const QJsonArray list = waitForRequests(*m_t, QStringLiteral("authorize"), 1);
            QCOMPARE(list.size(), 1); // merged: never a second prompt
            request = list.first().toObject();
            QThread::msleep(50);
        }
        QCOMPARE(request.value(QStringLiteral("merged")).toInt(), 2);
        const QJsonArray chain
            = request.value(QStringLiteral("requester")).toObject().value(QStringLiteral("processChain")).toArray();
        QCOMPARE(chain.first().toObject().value(QStringLiteral("pid")).toInteger(), beforePid);
        const QJsonArray merged = request.value(QStringLiteral("mergedChains")).toArray();
        QCOMPARE(merged.size(), 1);
        QCOMPARE(merged.first().toArray().first().toObject().value(QStringLiteral("pid")).toInteger(), afterPid);

        const CliResult human = m_t->cli({ QStringLiteral("requests") });
        QCOMPARE(human.exitCode, 0);
        QVERIFY2(human.out.contains("  asked      2 times; one answer covers all of them"), human.out.constData());
        const QByteArray processLine
            = QByteArray("  process    ") + helper().toUtf8() + " (pid " + QByteArray::number(beforePid) + ")";
        const QByteArray mergedLine
            = QByteArray("  also from  ") + helper().toUtf8() + " (pid " + QByteArray::number(afterPid) + ")";
        QVERIFY2(human.out.contains(processLine), human.out.constData());
        QVERIFY2(human.out.contains(mergedLine), human.out.constData());
        QCOMPARE(m_t->cli({ QStringLiteral("deny"), request.value(QStringLiteral("id")).toString() }).exitCode, 0);
        stop(*after);
    }
};

QTEST_GUILESS_MAIN(TestSecurityMerge)
#include "tst_security_merge.moc"
