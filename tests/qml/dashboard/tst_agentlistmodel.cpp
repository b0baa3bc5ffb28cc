// SPDX-License-Identifier: GPL-3.0-or-later
// AgentListModel on a real SQLite file: verified vs self-asserted identity, executables,
// grant counts, revoke-all and forget (both audited, both real).
#include "desktop/agentlistmodel.h"
#include "modeltestenv.h"
#include "store/clientstore.h"
#include "store/grantstore.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>

using namespace Tessera;
using App::AgentListModel;

class TestAgentListModel : public QObject
{
    Q_OBJECT
private:
    std::unique_ptr<Test::ModelTestEnv> m_env;

    static QVariant value(const AgentListModel &m, const QString &clientId, AgentListModel::Role role)
    {
        return m.data(m.index(m.indexOf(clientId)), role);
    }
    int auditCount(const QString &kind, const QString &clientId)
    {
        Store::AuditFilter f;
        f.kind = kind;
        f.clientId = clientId;
        return int(m_env->audit->query(f)->events.size());
    }

private Q_SLOTS:
    void init()
    {
        m_env = std::make_unique<Test::ModelTestEnv>();
        QVERIFY(m_env->open());
    }
    void cleanup() { m_env.reset(); }

    void testR1_localNameAndPathsShownEscapedAndMarked()
    {
        // A local client: its name is the file name the caller gave its executable.
        const QString exe = QStringLiteral("/tmp/x/usr\u2215bin\u2215claude\n  process    /usr/bin/claude\x1b[2J");
        const QString name = QStringLiteral("usr\u2215bin\u2215claude\n  process    /usr/bin/claude\x1b[2J");
        Store::Client c;
        c.clientId = QStringLiteral("local-R1hostileR1hostileR1ho");
        c.kind = Store::ClientKind::Local;
        c.clientName = name;
        c.createdAt = m_env->clock.nowSecs();
        c.lastSeenAt = m_env->clock.nowSecs();
        Store::ClientStore clients(*m_env->db);
        QVERIFY(clients.insert(c));
        QVERIFY(clients.recordExecutable(c.clientId, exe, m_env->clock.nowSecs()));

        AgentListModel model(m_env->context.get(), nullptr);
        model.reload();
        const QString shown = value(model, c.clientId, AgentListModel::NameRole).toString();
        QCOMPARE(shown,
            QStringLiteral(
                "“usr\u2215bin\u2215claude\\n  process    /usr/bin/claude\\x1b[2J” (file name chosen by the caller)"));
        QCOMPARE(model.data(model.index(model.indexOf(c.clientId)), Qt::DisplayRole).toString(), shown);
        QVERIFY(value(model, c.clientId, AgentListModel::NameSelfAssertedRole).toBool());
        const QVariantList exes = value(model, c.clientId, AgentListModel::ExecutablesRole).toList();
        QCOMPARE(exes.size(), 1);
        const QString path = exes.first().toMap().value(QStringLiteral("path")).toString();
        QCOMPARE(path, QStringLiteral("/tmp/x/usr\\u{2215}bin\\u{2215}claude\\n  process    /usr/bin/claude\\x1b[2J"));
        QVERIFY(!path.contains(u'\n') && !path.contains(QChar(0x2215)) && !path.contains(QChar(0x1b)));
        const QString note = value(model, c.clientId, AgentListModel::IdentityNoteRole).toString();
        QVERIFY2(note.contains(QStringLiteral("looks like “/”")), qPrintable(note));
        QVERIFY2(note.contains(QStringLiteral("file name")), qPrintable(note));
        // The raw name stays in the database: escaping is for the screen only.
        QCOMPARE(clients.find(c.clientId)->value().clientName, name);
    }

    void testIdentityIsShownApartFromClaims()
    {
        AgentListModel model(m_env->context.get(), nullptr);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.reload();
        QCOMPARE(model.rowCount(), 6);
        const auto &d = m_env->demo;
        // Most recently seen first.
        QCOMPARE(model.data(model.index(0), AgentListModel::ClientIdRole).toString(), d.claudeCode);

        QCOMPARE(value(model, d.vscode, AgentListModel::KindRole).toString(), QStringLiteral("cimd"));
        QCOMPARE(value(model, d.vscode, AgentListModel::VerifiedDomainRole).toString(), QStringLiteral("vscode.dev"));
        QVERIFY(
            value(model, d.vscode, AgentListModel::IdentityNoteRole).toString().contains(QStringLiteral("vscode.dev")));
        QCOMPARE(value(model, d.vscode, AgentListModel::NameSelfAssertedRole).toBool(), true);

        QCOMPARE(value(model, d.goose, AgentListModel::NameSelfAssertedRole).toBool(), false);
        QCOMPARE(value(model, d.goose, AgentListModel::KindLabelRole).toString(), QStringLiteral("Registered by you"));

        // A look-alike: self-asserted, nothing verified, nothing observed, never approved.
        QCOMPARE(value(model, d.lookalike, AgentListModel::NameRole).toString(), QStringLiteral("Claude Desktop"));
        QCOMPARE(value(model, d.lookalike, AgentListModel::NameSelfAssertedRole).toBool(), true);
        QVERIFY(value(model, d.lookalike, AgentListModel::VerifiedDomainRole).toString().isEmpty());
        QVERIFY(value(model, d.lookalike, AgentListModel::ExecutablesRole).toList().isEmpty());
        QVERIFY(value(model, d.lookalike, AgentListModel::IdentityNoteRole)
                    .toString()
                    .contains(QStringLiteral("not verified")));
        QVERIFY(value(model, d.lookalike, AgentListModel::ExpiresAtRole).toLongLong() > m_env->clock.nowSecs());
        QCOMPARE(value(model, d.lookalike, AgentListModel::ConsentedRole).toBool(), false);

        // What the kernel reported acting for Claude Code, most recent first.
        const QVariantList exes = value(model, d.claudeCode, AgentListModel::ExecutablesRole).toList();
        QCOMPARE(exes.size(), 2);
        QCOMPARE(exes.first().toMap().value(QStringLiteral("path")).toString(),
            QStringLiteral("/home/alex/.local/share/claude/versions/2.0.31/claude"));
        QCOMPARE(value(model, d.claudeCode, AgentListModel::ActiveGrantsRole).toLongLong(), 3);
        QCOMPARE(value(model, d.cursor, AgentListModel::ActiveGrantsRole).toLongLong(), 0);
        QCOMPARE(value(model, d.cursor, AgentListModel::TotalGrantsRole).toLongLong(), 1);
        QCOMPARE(value(model, d.claudeCode, AgentListModel::ClientUriRole).toString(),
            QStringLiteral("https://claude.com/claude-code"));
    }

    void testRevokeAll()
    {
        AgentListModel model(m_env->context.get(), nullptr);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.reload();
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QCOMPARE(model.revokeAll(m_env->demo.claudeCode), 3);
        QCOMPARE(value(model, m_env->demo.claudeCode, AgentListModel::ActiveGrantsRole).toLongLong(), 0);
        QVERIFY(!changed.isEmpty());
        for (const QString &id :
            { m_env->demo.claudeFilesGrant, m_env->demo.claudeGithubGrant, m_env->demo.claudeNotesGrant })
            QCOMPARE((*Store::GrantStore(*m_env->db).find(id))->state, Store::GrantState::Revoked);
        QCOMPARE((*Store::GrantStore(*m_env->db).find(m_env->demo.vscodeFilesGrant))->state, Store::GrantState::Active);
        QCOMPARE(auditCount(QStringLiteral("client.revoked"), m_env->demo.claudeCode), 1);
    }

    void testForget()
    {
        AgentListModel model(m_env->context.get(), nullptr);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.reload();
        // A request of the agent is waiting: forgetting it answers that request too.
        Consent::ConsentRequest r;
        r.path = Consent::Path::Authorize;
        r.requester.clientId = m_env->demo.vscode;
        r.requester.clientName = QStringLiteral("Visual Studio Code");
        r.resourceId = m_env->demo.filesResource;
        r.resourceUri = QStringLiteral("http://127.0.0.1:8931/mcp");
        r.scopes = { Consent::ScopeItem { QStringLiteral("files:write"), QString(), true, false } };
        std::optional<Consent::Decision> answered;
        QVERIFY(m_env->broker->submit(r, [&](const Consent::Decision &d) { answered = d; }).ok());

        QVERIFY(model.forget(m_env->demo.vscode));
        QVERIFY(model.lastError().isEmpty());
        QVERIFY(answered);
        QVERIFY(!answered->approved());
        QCOMPARE(model.rowCount(), 5);
        QCOMPARE(model.indexOf(m_env->demo.vscode), -1);
        QVERIFY(!Store::ClientStore(*m_env->db).find(m_env->demo.vscode)->has_value());
        QVERIFY(!Store::GrantStore(*m_env->db).find(m_env->demo.vscodeFilesGrant)->has_value());
        QCOMPARE(auditCount(QStringLiteral("client.forgotten"), m_env->demo.vscode), 1);
        QCOMPARE(auditCount(QStringLiteral("client.revoked"), m_env->demo.vscode), 1);
        QVERIFY(m_env->audit->verify()->ok);
        QVERIFY(!model.forget(m_env->demo.vscode));
    }

    void testNothingWithoutRevocation()
    {
        m_env->revocationReady = false;
        AgentListModel model(m_env->context.get(), nullptr);
        model.reload();
        QVERIFY(!model.canRevoke());
        QCOMPARE(model.revokeAll(m_env->demo.claudeCode), -1);
        QVERIFY(!model.forget(m_env->demo.claudeCode));
        QCOMPARE(model.lastError(), model.revokeUnavailableReason());
        QVERIFY(Store::ClientStore(*m_env->db).find(m_env->demo.claudeCode)->has_value());
    }

    void testRefreshSeesNewAgents()
    {
        AgentListModel model(m_env->context.get(), nullptr);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.reload();
        QVERIFY(Store::ClientStore(*m_env->db).updateLastSeen(m_env->demo.goose, m_env->clock.nowSecs() + 10).ok());
        model.refresh();
        QCOMPARE(model.data(model.index(0), AgentListModel::ClientIdRole).toString(), m_env->demo.goose);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QVERIFY(Store::ClientStore(*m_env->db)
                    .recordExecutable(m_env->demo.goose, QStringLiteral("/usr/bin/goose"), m_env->clock.nowSecs())
                    .ok());
        model.refresh();
        QCOMPARE(changed.count(), 1);
        QCOMPARE(value(model, m_env->demo.goose, AgentListModel::ExecutablesRole).toList().size(), 1);
    }
};

QTEST_MAIN(TestAgentListModel)
#include "tst_agentlistmodel.moc"
