// SPDX-License-Identifier: GPL-3.0-or-later
// Who a client-socket request is attributed to (app/localaccess/caller.h), and how a command
// line is shown in the exec prompt.
#include "localaccess/caller.h"
#include "localaccess/localaccess.h"
#include "support/testsupport.h"
#include "vault/secretstore.h"

#include <QCoreApplication>
#include <QFile>
#include <QTest>

#include <sys/stat.h>
#include <unistd.h>

using namespace Tessera;
using namespace Tessera::App;

namespace {
/** A process running @p exe: the file's device and inode, as /proc would report them (0 if there is none). */
Ipc::ProcessInfo proc(qint64 pid, const QString &exe)
{
    Ipc::ProcessInfo p;
    p.pid = pid;
    p.exe = exe;
    struct stat st
    {
    };
    if (!exe.isEmpty() && ::stat(QFile::encodeName(exe).constData(), &st) == 0) {
        p.exeDevice = quint64(st.st_dev);
        p.exeInode = quint64(st.st_ino);
    }
    return p;
}

/** The system's shells and wrappers, and the tessera-cli of this build (the test is not next to it). */
KnownPrograms known()
{
    KnownPrograms k = KnownPrograms::system();
    k.add(KnownPrograms::Kind::TesseraCli, Tessera::Test::builtExecutable(QStringLiteral("tessera-cli")));
    return k;
}
} // namespace

class TestLocalAccessCaller : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void testCallerIndex_data()
    {
        QTest::addColumn<QStringList>("chain"); // nearest first
        QTest::addColumn<int>("expected");
        const QString cli = Tessera::Test::builtExecutable(QStringLiteral("tessera-cli"));
        QTest::newRow("agent started tessera-cli directly")
            << QStringList { cli, QStringLiteral("/usr/bin/node"), QStringLiteral("/usr/lib/systemd/systemd") } << 1;
        QTest::newRow("agent's shell tool: the shell is skipped")
            << QStringList { cli, QStringLiteral("/usr/bin/bash"), QStringLiteral("/usr/bin/node") } << 2;
        QTest::newRow("script from a terminal: the terminal") << QStringList { cli, QStringLiteral("/usr/bin/dash"),
            QStringLiteral("/usr/bin/bash"), QStringLiteral("/usr/libexec/gnome-terminal-server") }
                                                              << 3;
        QTest::newRow("tessera-cli started by tessera-cli (exec supervisor)")
            << QStringList { cli, cli, QStringLiteral("/usr/bin/python3.11") } << 2;
        QTest::newRow("only shells: the nearest shell")
            << QStringList { cli, QStringLiteral("/bin/sh"), QStringLiteral("/usr/bin/bash") } << 1;
        QTest::newRow("only tessera-cli") << QStringList { cli } << 0;
        QTest::newRow("unreadable executable skipped")
            << QStringList { cli, QString(), QStringLiteral("/usr/bin/node") } << 2;
        QTest::newRow("a program that is not tessera-cli speaks the protocol itself")
            << QStringList { QStringLiteral("/usr/bin/python3"), QStringLiteral("/usr/bin/node") } << 0;
    }
    void testCallerIndex()
    {
        QFETCH(QStringList, chain);
        QFETCH(int, expected);
        QList<Ipc::ProcessInfo> list;
        for (qsizetype i = 0; i < chain.size(); ++i)
            list.append(proc(100 + i, chain.at(i)));
        QCOMPARE(callerIndexOf(list, known()), qsizetype(expected));
    }

    void testClientIdIsStableAndAKeychainKeyPart()
    {
        const QString a = localClientIdFor(QStringLiteral("/usr/bin/node"));
        QCOMPARE(a, localClientIdFor(QStringLiteral("/usr/bin/node")));
        QVERIFY(a != localClientIdFor(QStringLiteral("/usr/local/bin/node")));
        QVERIFY(a.startsWith(QStringLiteral("local-")));
        QCOMPARE(a.size(), 6 + 22);
        // client-token/<client>/<resource>: <client> must contain no '/'.
        QVERIFY(!a.contains(u'/'));
        QVERIFY(Vault::SecretStore::validateKey(
            QStringLiteral("client-token/") + a + QStringLiteral("/http://127.0.0.1:8931/mcp")));
    }

    void testResolveOwnProcess()
    {
        const Ipc::PeerCredentials me { QCoreApplication::applicationPid(), qint64(::getuid()), qint64(::getgid()) };
        auto caller = resolveCaller(me);
        QVERIFY(caller);
        QCOMPARE(caller->pid, QCoreApplication::applicationPid());
        QCOMPARE(caller->chain.constFirst().exe, QCoreApplication::applicationFilePath());
        QCOMPARE(caller->callerExe, QCoreApplication::applicationFilePath());
        QCOMPARE(caller->clientId, localClientIdFor(caller->callerExe));
        // What goes into the audit log: pids and executables only.
        const QJsonObject first = caller->auditChain().at(0).toObject();
        QCOMPARE(first.keys(), (QStringList { QStringLiteral("exe"), QStringLiteral("pid") }));

        QCOMPARE(resolveCaller({ QCoreApplication::applicationPid(), qint64(::getuid()) + 1, 0 }).error().code,
            QStringLiteral("caller_unknown"));
        QCOMPARE(resolveCaller({ 0, qint64(::getuid()), 0 }).error().code, QStringLiteral("caller_unknown"));
    }

    void testShellQuote_data()
    {
        QTest::addColumn<QStringList>("argv");
        QTest::addColumn<QString>("shown");
        QTest::newRow("plain") << QStringList { QStringLiteral("/usr/bin/npx"), QStringLiteral("-y"),
            QStringLiteral("@modelcontextprotocol/server-github") }
                               << QStringLiteral("/usr/bin/npx -y @modelcontextprotocol/server-github");
        QTest::newRow("spaces and quotes")
            << QStringList { QStringLiteral("/bin/sh"), QStringLiteral("-c"), QStringLiteral("echo 'hi' $X") }
            << QStringLiteral("/bin/sh -c 'echo '\\''hi'\\'' $X'");
        QTest::newRow("empty argument") << QStringList { QStringLiteral("/bin/true"), QString() }
                                        << QStringLiteral("/bin/true ''");
        QTest::newRow("newline stays inside quotes") << QStringList { QStringLiteral("/bin/echo"),
            QStringLiteral("a\nb") } << QStringLiteral("/bin/echo 'a\nb'");
    }
    void testShellQuote()
    {
        QFETCH(QStringList, argv);
        QFETCH(QString, shown);
        QCOMPARE(LocalAccess::shellQuote(argv), shown);
    }
};

QTEST_GUILESS_MAIN(TestLocalAccessCaller)
#include "tst_localaccesscaller.moc"
