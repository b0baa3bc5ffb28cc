// SPDX-License-Identifier: GPL-3.0-or-later
// Issue 9, R2: borrowed caller identity. Real attackers (tests/app/identityhelper.cpp, zsh,
// unshare) against a real `tessera --headless` and real tessera-cli processes: a process that
// connects and then turns into an approved agent's binary, a parent that does so under its
// connected child, a bind mount over the agent's path in a mount namespace of its own, a copy of
// a program named like a shell, and an agent binary replaced at its path.
#include "support/tesserainstance.h"
#include "support/testsupport.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

using namespace Tessera::Test;

namespace {

QJsonValue parse(const QByteArray &out)
{
    const QJsonDocument d = QJsonDocument::fromJson(out);
    return d.isArray() ? QJsonValue(d.array()) : QJsonValue(d.object());
}

QString helper()
{
    return QCoreApplication::applicationDirPath() + QStringLiteral("/tst_identityhelper");
}

QString compact(const QJsonObject &o)
{
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

const QByteArray kSecretValue = "r2-secret-value-6f1d";

} // namespace

class TestSecurityIdentity : public QObject
{
    Q_OBJECT
private:
    std::unique_ptr<TesseraInstance> m_t;
    QTemporaryDir m_work;
    QString m_resource;

    /** A copy of timeout(1) at @p name in the work directory: an "agent" of its own inode. */
    QString agentCopy(const QString &name)
    {
        const QString path = m_work.filePath(name);
        QFile::remove(path);
        if (!QFile::copy(QStringLiteral("/usr/bin/timeout"), path)
            || !QFile::setPermissions(path, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner))
            return {};
        return path;
    }

    std::unique_ptr<QProcess> start(
        const TesseraInstance &t, const QString &program, const QStringList &args, const QByteArray &input = {})
    {
        auto p = std::make_unique<QProcess>();
        p->setProcessEnvironment(t.environment());
        p->setWorkingDirectory(m_work.path());
        p->start(program, args);
        p->waitForStarted(5000);
        if (!input.isEmpty())
            p->write(input);
        p->closeWriteChannel();
        return p;
    }

    /** `AGENT 300 tessera-cli ARGS`: tessera-cli as the agent's child. */
    std::unique_ptr<QProcess> asAgent(const TesseraInstance &t, const QString &agent, const QStringList &args)
    {
        return start(
            t, agent, QStringList { QStringLiteral("300"), builtExecutable(QStringLiteral("tessera-cli")) } + args);
    }

    static CliResult finish(QProcess &p, int timeoutMs = 30000)
    {
        CliResult r;
        if (!p.waitForFinished(timeoutMs) || p.exitStatus() != QProcess::NormalExit)
            return r;
        r.exitCode = p.exitCode();
        r.out = p.readAllStandardOutput();
        r.err = p.readAllStandardError();
        return r;
    }

    static QJsonObject waitForRequest(const TesseraInstance &t, const QString &path, int timeoutMs = 20000)
    {
        QDeadlineTimer deadline(timeoutMs);
        while (!deadline.hasExpired()) {
            for (const QJsonValue &v :
                parse(t.cli({ QStringLiteral("--json"), QStringLiteral("requests") }).out).toArray()) {
                if (v.toObject().value(QStringLiteral("path")).toString() == path)
                    return v.toObject();
            }
            QThread::msleep(50);
        }
        return {};
    }

    /** Approves what @p p (tessera-cli as @p agent's child) asks for a day; returns its result. */
    CliResult approveFor(const TesseraInstance &t, std::unique_ptr<QProcess> p, const QString &path)
    {
        const QJsonObject request = waitForRequest(t, path);
        if (request.isEmpty())
            return {};
        const CliResult approved = t.cli({ QStringLiteral("approve"), request.value(QStringLiteral("id")).toString(),
            QStringLiteral("--for"), QStringLiteral("1d") });
        if (approved.exitCode != 0)
            return {};
        return finish(*p);
    }

    /** Gives @p agent a token grant and an exec grant for the secret on @p t, and checks both are silent. */
    void grantAgent(const TesseraInstance &t, const QString &resource, const QString &agent)
    {
        const CliResult token
            = approveFor(t, asAgent(t, agent, { QStringLiteral("token"), QStringLiteral("--resource"), resource }),
                QStringLiteral("token"));
        QVERIFY2(token.exitCode == 0, token.err.constData());
        const CliResult exec = approveFor(t,
            asAgent(t, agent,
                { QStringLiteral("exec"), QStringLiteral("--secret"), QStringLiteral("r2secret"), QStringLiteral("--"),
                    QStringLiteral("/usr/bin/env") }),
            QStringLiteral("exec"));
        QVERIFY2(exec.exitCode == 0, exec.err.constData());
        // Silent now: the agent's own requests are answered from the grants.
        const CliResult silent = finish(*asAgent(t, agent,
            { QStringLiteral("token"), QStringLiteral("--no-prompt"), QStringLiteral("--resource"), resource }));
        QVERIFY2(silent.exitCode == 0, silent.err.constData());
    }

    /** Runs @p args and reads its output until a line answers request 1 (the attacker's). */
    static QJsonObject answerOf(QProcess &p, QByteArray *all, int timeoutMs = 20000)
    {
        QDeadlineTimer deadline(timeoutMs);
        while (!deadline.hasExpired()) {
            p.waitForReadyRead(100);
            *all += p.readAllStandardOutput();
            for (const QByteArray &line : all->split('\n')) {
                const QJsonObject o = QJsonDocument::fromJson(line).object();
                if (o.value(QStringLiteral("id")).toInt() == 1)
                    return o;
            }
        }
        return {};
    }

    static QJsonArray auditOf(const TesseraInstance &t, const QString &kind)
    {
        return parse(t.cli({ QStringLiteral("--json"), QStringLiteral("audit"), QStringLiteral("--kind"), kind }).out)
            .toArray();
    }

    static QJsonObject tokenRequest(const QString &resource)
    {
        return { { QStringLiteral("id"), 1 }, { QStringLiteral("method"), QStringLiteral("token") },
            { QStringLiteral("params"),
                QJsonObject { { QStringLiteral("resource"), resource }, { QStringLiteral("noPrompt"), true } } } };
    }

    static QJsonObject execRequest()
    {
        return { { QStringLiteral("id"), 1 }, { QStringLiteral("method"), QStringLiteral("exec") },
            { QStringLiteral("params"),
                QJsonObject { { QStringLiteral("command"), QJsonArray { QStringLiteral("/usr/bin/env") } },
                    { QStringLiteral("secrets"),
                        QJsonArray { QJsonObject { { QStringLiteral("name"), QStringLiteral("r2secret") } } } } } } };
    }

    /**
     * The attack of R2 on @p t: connect, let Tessera accept, turn into @p agent (execve in place) while
     * a forked child sends @p request on the inherited connection. Returns the answer.
     */
    QJsonObject execAfterConnect(const TesseraInstance &t, const QString &agent, const QJsonObject &request)
    {
        auto p = start(t, helper(),
            { QStringLiteral("fork-exec"), t.runtimeDir() + QStringLiteral("/client.sock"), compact(request), agent,
                QStringLiteral("5"), QStringLiteral("/usr/bin/sleep"), QStringLiteral("1") });
        QByteArray all;
        const QJsonObject answer = answerOf(*p, &all);
        p->waitForFinished(10000);
        return answer.isEmpty()
            ? QJsonObject { { QStringLiteral("noAnswer"), QString::fromUtf8(all + p->readAllStandardError()) } }
            : answer;
    }

    void checkExecAfterConnectIsRefused(const TesseraInstance &t, const QString &resource, const QString &agent)
    {
        grantAgent(t, resource, agent);
        if (QTest::currentTestFailed())
            return;
        for (const QJsonObject &request : { tokenRequest(resource), execRequest() }) {
            const QJsonObject answer = execAfterConnect(t, agent, request);
            const QByteArray text = QJsonDocument(answer).toJson(QJsonDocument::Compact);
            QVERIFY2(!answer.contains(QStringLiteral("result")), text.constData()); // no token, no secret
            QVERIFY2(!text.contains(kSecretValue.toBase64()), text.constData());
            const QJsonObject err = answer.value(QStringLiteral("error")).toObject();
            QCOMPARE(err.value(QStringLiteral("code")).toString(), QStringLiteral("caller_changed"));
            // A person understands it: who connected, what it runs now.
            QVERIFY2(err.value(QStringLiteral("message")).toString().contains(helper()), text.constData());
            QVERIFY2(err.value(QStringLiteral("message")).toString().contains(agent), text.constData());
        }
        // The audit log names the program that connected, not the agent it turned into.
        const QJsonArray refused = auditOf(t, QStringLiteral("local.caller_refused"));
        QVERIFY(refused.size() >= 2);
        for (const QJsonValue &v : refused) {
            const QJsonObject details = v.toObject().value(QStringLiteral("details")).toObject();
            QCOMPARE(details.value(QStringLiteral("callerExe")).toString(), helper());
            QCOMPARE(details.value(QStringLiteral("outcome")).toString(), QStringLiteral("caller_changed"));
        }
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
            QStringLiteral("--uri"), m_resource, QStringLiteral("--scope"), QStringLiteral("read=Read files") });
        QVERIFY2(added.exitCode == 0, added.err.constData());
        const CliResult secret
            = m_t->cli({ QStringLiteral("secret"), QStringLiteral("set"), QStringLiteral("r2secret") }, kSecretValue);
        QVERIFY2(secret.exitCode == 0, secret.err.constData());
    }

    void cleanupTestCase()
    {
        if (m_t)
            QCOMPARE(m_t->stop(), 0);
    }

    void testR2_execAfterConnectIsRefused()
    {
        const CliResult who = m_t->cli({ QStringLiteral("--json"), QStringLiteral("whoami") });
        QCOMPARE(parse(who.out).toObject().value(QStringLiteral("pidfd")).toString(), QStringLiteral("SO_PEERPIDFD"));
        checkExecAfterConnectIsRefused(*m_t, m_resource, agentCopy(QStringLiteral("r2-agent")));
    }

    void testR2_execAfterConnectIsRefusedWithPidfdOpen()
    {
        // The fallback for kernels before 6.5: pidfd_open() of the SO_PEERCRED pid at accept.
        qputenv("TESSERA_IPC_FORCE_PIDFD_OPEN", "1");
        TesseraInstance t;
        const bool started = t.start();
        qunsetenv("TESSERA_IPC_FORCE_PIDFD_OPEN");
        QVERIFY(started);
        QVERIFY2(t.waitUntil(0), t.log().constData());
        const QString resource = QStringLiteral("http://127.0.0.1:%1/mcp").arg(TesseraInstance::freePort());
        QCOMPARE(
            t.cli({ QStringLiteral("resource"), QStringLiteral("add"), QStringLiteral("files"), QStringLiteral("--uri"),
                      resource, QStringLiteral("--scope"), QStringLiteral("read=Read files") })
                .exitCode,
            0);
        QCOMPARE(t.cli({ QStringLiteral("secret"), QStringLiteral("set"), QStringLiteral("r2secret") }, kSecretValue)
                     .exitCode,
            0);
        const CliResult who = t.cli({ QStringLiteral("--json"), QStringLiteral("whoami") });
        QCOMPARE(parse(who.out).toObject().value(QStringLiteral("pidfd")).toString(), QStringLiteral("pidfd_open"));
        checkExecAfterConnectIsRefused(t, resource, agentCopy(QStringLiteral("r2-agent-fallback")));
        QCOMPARE(t.stop(), 0);
    }

    void testR2_parentThatExecsAfterConnectIsRefused()
    {
        // zsh connects (zsh/net/socket) and is skipped as a shell: the request is attributed to its
        // parent, which turns into the agent's binary between the connection and the request.
        const QString zsh = QStringLiteral("/usr/bin/zsh");
        if (!QFile::exists(zsh))
            QSKIP("needs zsh (its zsh/net/socket module speaks to a Unix socket)");
        const QString agent = agentCopy(QStringLiteral("r2-parent-agent"));
        grantAgent(*m_t, m_resource, agent);
        if (QTest::currentTestFailed())
            return;
        const QString script = QStringLiteral(
            "zmodload zsh/net/socket || exit 90\n"
            "zsocket \"$SOCK\" || exit 91\n"
            "fd=$REPLY\n"
            "print -r -u $fd '{\"id\":0,\"method\":\"whoami\",\"params\":{}}'\n"
            "read -r -u $fd line\n"
            "before=$(readlink /proc/$PPID/exe)\n"
            "print -n x >&9; exec 9>&-\n"
            "for i in {1..200}; do [[ $(readlink /proc/$PPID/exe) != $before ]] && break; sleep 0.02; done\n"
            "print -r -u $fd \"$REQ\"\n"
            "while read -r -u $fd line; do print -r -- \"$line\"; [[ $line == *'\"id\":1'* ]] && break; done\n");
        auto p = std::make_unique<QProcess>();
        QProcessEnvironment env = m_t->environment();
        env.insert(QStringLiteral("SOCK"), m_t->runtimeDir() + QStringLiteral("/client.sock"));
        env.insert(QStringLiteral("REQ"), compact(tokenRequest(m_resource)));
        p->setProcessEnvironment(env);
        p->start(helper(),
            { QStringLiteral("exec-when-told"), agent, QStringLiteral("5"), QStringLiteral("/usr/bin/sleep"),
                QStringLiteral("1"), QStringLiteral("--"), zsh, QStringLiteral("-f"), QStringLiteral("-c"), script });
        QByteArray all;
        const QJsonObject answer = answerOf(*p, &all);
        p->waitForFinished(10000);
        QVERIFY2(!answer.isEmpty(), QByteArray(all + p->readAllStandardError()).constData());
        QVERIFY2(!answer.contains(QStringLiteral("result")), all.constData());
        QCOMPARE(answer.value(QStringLiteral("error")).toObject().value(QStringLiteral("code")).toString(),
            QStringLiteral("caller_changed"));
        QVERIFY(answer.value(QStringLiteral("error"))
                    .toObject()
                    .value(QStringLiteral("message"))
                    .toString()
                    .contains(QStringLiteral("started the one that connected")));
    }

    void testR2_bindMountInOwnNamespaceIsNeverMatched()
    {
        if (QProcess::execute(QStringLiteral("unshare"), { QStringLiteral("-Urm"), QStringLiteral("/bin/true") }) != 0)
            QSKIP("unshare -Urm (an unprivileged user and mount namespace) is not possible here");
        const QString agent = agentCopy(QStringLiteral("r2-ns-agent"));
        const QString evil = agentCopy(QStringLiteral("r2-ns-evil")); // another file that acts alike
        grantAgent(*m_t, m_resource, agent);
        if (QTest::currentTestFailed())
            return;
        const QString cli = builtExecutable(QStringLiteral("tessera-cli"));
        const auto inNamespace = [&](const QString &tail) {
            return start(*m_t, QStringLiteral("unshare"),
                { QStringLiteral("-Urm"), QStringLiteral("/bin/sh"), QStringLiteral("-c"),
                    QStringLiteral("mount --bind '%1' '%2' && exec '%2' 300 '%3' %4").arg(evil, agent, cli, tail) });
        };
        // Tessera sees the agent's path, but not the agent: never silent.
        const CliResult silent
            = finish(*inNamespace(QStringLiteral("token --no-prompt --resource '%1'").arg(m_resource)));
        QVERIFY2(silent.exitCode == 3, silent.out.constData());
        QVERIFY(silent.out.isEmpty());
        QVERIFY2(silent.err.contains("mount namespace"), silent.err.constData());
        // Nor is its exec grant: the secret is not handed out without asking, and the prompt says
        // why (a third prompt of this agent in a minute: the prompt limit allows no fourth).
        auto execing = inNamespace(QStringLiteral("exec --secret r2secret -- /usr/bin/env"));
        QJsonObject asked;
        QDeadlineTimer deadline(15000);
        while (asked.isEmpty() && execing->state() != QProcess::NotRunning && !deadline.hasExpired())
            asked = waitForRequest(*m_t, QStringLiteral("exec"), 200);
        QVERIFY2(!asked.isEmpty(),
            execing->readAllStandardOutput().contains(kSecretValue) ? "the secret reached the bind-mounted impostor"
                                                                    : "no exec prompt");
        const QJsonObject who = asked.value(QStringLiteral("requester")).toObject();
        QCOMPARE(who.value(QStringLiteral("processChain"))
                     .toArray()
                     .at(1)
                     .toObject()
                     .value(QStringLiteral("exe"))
                     .toString(),
            agent);
        QVERIFY2(
            QJsonDocument(who.value(QStringLiteral("receiverWarnings")).toArray()).toJson().contains("mount namespace"),
            QJsonDocument(who).toJson().constData());
        QCOMPARE(m_t->cli({ QStringLiteral("deny"), asked.value(QStringLiteral("id")).toString() }).exitCode, 0);
        const CliResult exec = finish(*execing);
        QVERIFY(!exec.out.contains(kSecretValue));
        QCOMPARE(exec.exitCode, 3);
    }

    void testR2_shellsAndWrappersAreKnownByFileNotByName()
    {
        const QString cli = builtExecutable(QStringLiteral("tessera-cli"));
        const auto callerOf = [&](const QString &program, const QStringList &args) {
            const CliResult r = finish(
                *start(*m_t, program, args + QStringList { cli, QStringLiteral("--json"), QStringLiteral("whoami") }));
            return parse(r.out).toObject().value(QStringLiteral("callerExe")).toString();
        };
        // A copy of a program that is not a shell, named bash: attributed as itself, not skipped.
        QVERIFY(QDir(m_work.path()).mkpath(QStringLiteral("fake")));
        const QString fakeBash = m_work.filePath(QStringLiteral("fake/bash"));
        QVERIFY(QFile::copy(QStringLiteral("/usr/bin/timeout"), fakeBash));
        QVERIFY(QFile::setPermissions(fakeBash, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
        QCOMPARE(callerOf(fakeBash, { QStringLiteral("300") }), fakeBash);
        // The system's own wrappers are skipped like shells: the request is ours.
        const QString self = QCoreApplication::applicationFilePath();
        QCOMPARE(callerOf(QStringLiteral("/usr/bin/timeout"), { QStringLiteral("300") }), self);
        QCOMPARE(callerOf(QStringLiteral("/usr/bin/flock"), { m_work.filePath(QStringLiteral("lock")) }), self);
        QCOMPARE(callerOf(QStringLiteral("/bin/sh"),
                     { QStringLiteral("-c"), QStringLiteral("\"$@\""), QStringLiteral("sh") }),
            self);
    }

    void testR2_replacedExecutableIsAskedAgain()
    {
        const QString agent = agentCopy(QStringLiteral("r2-upgraded"));
        grantAgent(*m_t, m_resource, agent);
        if (QTest::currentTestFailed())
            return;
        // A package upgrade: a new file renamed over the old path (a new inode, the same path).
        const QString next = m_work.filePath(QStringLiteral("r2-upgraded.new"));
        QVERIFY(QFile::copy(QStringLiteral("/usr/bin/timeout"), next));
        QVERIFY(QFile::setPermissions(next, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
        QVERIFY(::rename(QFile::encodeName(next).constData(), QFile::encodeName(agent).constData()) == 0);
        const CliResult silent = finish(*asAgent(*m_t, agent,
            { QStringLiteral("token"), QStringLiteral("--no-prompt"), QStringLiteral("--resource"), m_resource }));
        QCOMPARE(silent.exitCode, 3);
        QVERIFY2(silent.err.contains("not the same file"), silent.err.constData());
        // Asked again, with the reason; approved, the new file is the one remembered.
        auto asking = asAgent(*m_t, agent, { QStringLiteral("token"), QStringLiteral("--resource"), m_resource });
        const QJsonObject request = waitForRequest(*m_t, QStringLiteral("token"));
        QVERIFY(!request.isEmpty());
        QVERIFY(QJsonDocument(
            request.value(QStringLiteral("requester")).toObject().value(QStringLiteral("receiverWarnings")).toArray())
                    .toJson()
                    .contains("not the same file"));
        QCOMPARE(m_t->cli({ QStringLiteral("approve"), request.value(QStringLiteral("id")).toString(),
                              QStringLiteral("--for"), QStringLiteral("1d") })
                     .exitCode,
            0);
        QCOMPARE(finish(*asking).exitCode, 0);
        QCOMPARE(finish(*asAgent(*m_t, agent,
                            { QStringLiteral("token"), QStringLiteral("--no-prompt"), QStringLiteral("--resource"),
                                m_resource }))
                     .exitCode,
            0);
    }
};

QTEST_GUILESS_MAIN(TestSecurityIdentity)
#include "tst_security_identity.moc"
