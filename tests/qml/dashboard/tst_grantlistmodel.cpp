// SPDX-License-Identifier: GPL-3.0-or-later
// GrantListModel on a real SQLite file: paging under QAbstractItemModelTester, filters,
// sort orders, freshness, and revocation that really revokes (refresh fails, introspection
// answers inactive) through the GrantService.
#include "desktop/grantlistmodel.h"
#include "modeltestenv.h"
#include "store/clientstore.h"
#include "store/grantstore.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>

using namespace Tessera;
using App::GrantListModel;

class TestGrantListModel : public QObject
{
    Q_OBJECT
private:
    std::unique_ptr<Test::ModelTestEnv> m_env;

    static QString value(const GrantListModel &m, int row, GrantListModel::Role role)
    {
        return m.data(m.index(row), role).toString();
    }

private Q_SLOTS:
    void init()
    {
        m_env = std::make_unique<Test::ModelTestEnv>();
        QVERIFY(m_env->open());
    }
    void cleanup() { m_env.reset(); }

    void testPagingUnderTester()
    {
        GrantListModel model(m_env->context.get(), nullptr);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        // The tester calls fetchMore() from its modelReset slot before it marks the reset done, so
        // any paged model trips its own "insert during reset" check; the test pages explicitly.
        tester.setUseFetchMore(false);
        model.setPageSize(3);
        model.setStateFilter(QStringLiteral("any"));
        model.reload();
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.totalCount(), 8);
        QVERIFY(model.canFetchMore({}));
        while (model.canFetchMore({}))
            model.fetchMore({});
        QCOMPARE(model.rowCount(), 8);
        // Newest first, every grant exactly once.
        QSet<QString> ids;
        for (int row = 0; row < model.rowCount(); ++row) {
            ids.insert(value(model, row, GrantListModel::GrantIdRole));
            if (row > 0)
                QVERIFY(model.data(model.index(row - 1), GrantListModel::CreatedAtRole).toLongLong()
                    >= model.data(model.index(row), GrantListModel::CreatedAtRole).toLongLong());
        }
        QCOMPARE(ids.size(), 8);
        QCOMPARE(value(model, 0, GrantListModel::GrantIdRole), m_env->demo.claudeFilesGrant);
        QCOMPARE(value(model, 0, GrantListModel::ClientNameRole), QStringLiteral("Claude Code"));
        QCOMPARE(value(model, 0, GrantListModel::ResourceUriRole), QStringLiteral("http://127.0.0.1:8931/mcp"));
        QCOMPARE(model.data(model.index(0), GrantListModel::ScopesRole).toStringList(),
            QStringList({ QStringLiteral("files:read"), QStringLiteral("files:write") }));
        QCOMPARE(model.data(model.index(0), GrantListModel::UseCountRole).toLongLong(), 142);
    }

    void testFilters_data()
    {
        QTest::addColumn<QString>("state");
        QTest::addColumn<QString>("client");
        QTest::addColumn<QString>("resource");
        QTest::addColumn<int>("expected");
        QTest::newRow("active") << "active"
                                << ""
                                << "" << 5;
        QTest::newRow("expired") << "expired"
                                 << ""
                                 << "" << 2;
        QTest::newRow("revoked") << "revoked"
                                 << ""
                                 << "" << 1;
        QTest::newRow("any") << "any"
                             << ""
                             << "" << 8;
        QTest::newRow("claude, any state") << "any"
                                           << "claudeCode"
                                           << "" << 3;
        QTest::newRow("vscode, active") << "active"
                                        << "vscode"
                                        << "" << 1;
        QTest::newRow("github, any state") << "any"
                                           << ""
                                           << "github" << 2;
        QTest::newRow("github, active") << "active"
                                        << ""
                                        << "github" << 1;
        QTest::newRow("cursor on files") << "any"
                                         << "cursor"
                                         << "files" << 0;
    }
    void testFilters()
    {
        QFETCH(QString, state);
        QFETCH(QString, client);
        QFETCH(QString, resource);
        QFETCH(int, expected);
        GrantListModel model(m_env->context.get(), nullptr);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        // The tester calls fetchMore() from its modelReset slot before it marks the reset done, so
        // any paged model trips its own "insert during reset" check; the test pages explicitly.
        tester.setUseFetchMore(false);
        const QHash<QString, QString> clients { { QStringLiteral("claudeCode"), m_env->demo.claudeCode },
            { QStringLiteral("vscode"), m_env->demo.vscode }, { QStringLiteral("cursor"), m_env->demo.cursor } };
        const QHash<QString, qint64> resources { { QStringLiteral("github"), m_env->demo.githubResource },
            { QStringLiteral("files"), m_env->demo.filesResource } };
        QSignalSpy filterSpy(&model, &GrantListModel::filterChanged);
        model.setStateFilter(state);
        model.setClientFilter(clients.value(client));
        model.setResourceFilter(resources.value(resource));
        QCOMPARE(model.rowCount(), expected);
        QCOMPARE(model.totalCount(), expected);
        for (int row = 0; row < model.rowCount(); ++row) {
            if (state != QStringLiteral("any"))
                QCOMPARE(value(model, row, GrantListModel::StateRole), state);
            if (!client.isEmpty())
                QCOMPARE(value(model, row, GrantListModel::ClientIdRole), clients.value(client));
            if (!resource.isEmpty())
                QCOMPARE(model.data(model.index(row), GrantListModel::ResourceIdRole).toLongLong(),
                    resources.value(resource));
        }
        // "any" with no agent or resource is where the model starts: nothing changed, no signal.
        if (state == QStringLiteral("any") && client.isEmpty() && resource.isEmpty())
            QCOMPARE(filterSpy.count(), 0);
        else
            QVERIFY(filterSpy.count() >= 1);
    }

    void testSortByLastUse()
    {
        GrantListModel model(m_env->context.get(), nullptr);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setStateFilter(QStringLiteral("any"));
        model.setSortOrder(QStringLiteral("lastUsed"));
        QCOMPARE(model.sortOrder(), QStringLiteral("lastUsed"));
        QCOMPARE(model.rowCount(), 8);
        QCOMPARE(value(model, 0, GrantListModel::GrantIdRole), m_env->demo.claudeFilesGrant); // 1 min ago
        QCOMPARE(value(model, 1, GrantListModel::GrantIdRole), m_env->demo.claudeGithubGrant); // 5 min ago
        for (int row = 1; row < model.rowCount(); ++row) {
            QVERIFY(model.data(model.index(row - 1), GrantListModel::LastUsedAtRole).toLongLong()
                >= model.data(model.index(row), GrantListModel::LastUsedAtRole).toLongLong());
        }
    }

    void testRevokeTakesEffectAtOnce()
    {
        const auto tokens = m_env->authorize();
        QVERIFY(!tokens.refreshToken.isEmpty());
        QVERIFY(!tokens.accessToken.isEmpty());
        QCOMPARE(m_env->introspect(tokens.accessToken).value(QStringLiteral("active")).toBool(), true);

        GrantListModel model(m_env->context.get(), nullptr);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setStateFilter(QStringLiteral("active"));
        QVERIFY(model.canRevoke());
        const int row = model.indexOf(tokens.grantId);
        QCOMPARE(row, 0);
        QCOMPARE(value(model, row, GrantListModel::StateRole), QStringLiteral("active"));

        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QSignalSpy revoked(&model, &GrantListModel::revoked);
        QVERIFY(model.revoke(tokens.grantId));
        QVERIFY(model.lastError().isEmpty());
        QCOMPARE(revoked.count(), 1);
        QVERIFY(revoked.at(0).at(1).toString().contains(QStringLiteral("introspection")));
        // Issue 10.6: the filter is "active", so the revoked grant leaves the view at once and the
        // count matches the rows (it used to stay, badged "Revoked", while the count said 0).
        QCOMPARE(model.indexOf(tokens.grantId), -1);
        QCOMPARE(model.totalCount(), qint64(model.rowCount()));
        // Under "any" it is there, and says so.
        model.setStateFilter(QStringLiteral("any"));
        const int shown = model.indexOf(tokens.grantId);
        QVERIFY(shown >= 0);
        QCOMPARE(value(model, shown, GrantListModel::StateRole), QStringLiteral("revoked"));
        QVERIFY(model.data(model.index(shown), GrantListModel::RevokedAtRole).toLongLong() > 0);
        QCOMPARE(model.totalCount(), qint64(model.rowCount()));
        Q_UNUSED(changed);

        // And it is real: the store, the token endpoint and introspection agree.
        auto stored = Store::GrantStore(*m_env->db).find(tokens.grantId);
        QCOMPARE((*stored)->state, Store::GrantState::Revoked);
        const QJsonObject refreshed = m_env->refresh(tokens.refreshToken);
        QCOMPARE(refreshed.value(QStringLiteral("error")).toString(), QStringLiteral("invalid_grant"));
        QVERIFY(!refreshed.contains(QStringLiteral("access_token")));
        QCOMPARE(m_env->introspect(tokens.accessToken).value(QStringLiteral("active")).toBool(), false);
        Store::AuditFilter f;
        f.kind = QStringLiteral("grant.revoked");
        f.grantId = tokens.grantId;
        auto events = m_env->audit->query(f);
        QCOMPARE(events->events.size(), 1);
        QCOMPARE(events->events.first().actor, QStringLiteral("user"));
    }

    // Issue 9 R1 (leftover): the Grants page showed an agent's self-asserted name raw; a line
    // break or a bidi override in it took effect in the table.
    void testR1_clientNameShownEscaped()
    {
        Store::Client c;
        c.clientId = QStringLiteral("dcr-R1-grants-hostile");
        c.clientName = QStringLiteral("Claude\n  Approved: all\u202Eexe.txt\x1b[2J");
        c.redirectUris = { QStringLiteral("http://127.0.0.1/cb") };
        c.createdAt = m_env->clock.nowSecs();
        c.consented = true;
        QVERIFY(Store::ClientStore(*m_env->db).insert(c));
        Store::Grant g;
        g.id = QStringLiteral("grant-R1-hostile");
        g.clientId = c.clientId;
        g.resourceId = m_env->demo.calendarResource;
        g.scopes = { QStringLiteral("calendar:read") };
        g.createdAt = m_env->clock.nowSecs();
        g.duration = QStringLiteral("until_revoked");
        QVERIFY(Store::GrantStore(*m_env->db).create(g));

        GrantListModel model(m_env->context.get(), nullptr);
        model.setStateFilter(QStringLiteral("any"));
        model.reload();
        const int row = model.indexOf(g.id);
        QVERIFY(row >= 0);
        const QString shown = value(model, row, GrantListModel::ClientNameRole);
        QCOMPARE(shown, QStringLiteral("Claude\\n  Approved: all\\u{202E}exe.txt\\x1b[2J"));
        const QString display = model.data(model.index(row), Qt::DisplayRole).toString();
        QVERIFY(!display.contains(u'\n') && !display.contains(QChar(0x202E)) && !display.contains(QChar(0x1b)));
    }

    void testRevokeUnavailableWithoutKeychain()
    {
        m_env->revocationReady = false;
        GrantListModel model(m_env->context.get(), nullptr);
        model.reload();
        QVERIFY(!model.canRevoke());
        QVERIFY(!model.revokeUnavailableReason().isEmpty());
        QVERIFY(!model.revoke(m_env->demo.claudeFilesGrant));
        QCOMPARE(model.lastError(), model.revokeUnavailableReason());
        QCOMPARE((*Store::GrantStore(*m_env->db).find(m_env->demo.claudeFilesGrant))->state, Store::GrantState::Active);
    }

    void testRefreshPicksUpOutsideChanges()
    {
        GrantListModel model(m_env->context.get(), nullptr);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setStateFilter(QStringLiteral("any"));
        model.setVisibleRange(0, 7);
        QCOMPARE(model.rowCount(), 8);
        const int row = model.indexOf(m_env->demo.vscodeFilesGrant);
        const qint64 uses = model.data(model.index(row), GrantListModel::UseCountRole).toLongLong();

        // An agent uses its grant (token endpoint), tessera-cli revokes another: no signal.
        QVERIFY(Store::GrantStore(*m_env->db).recordUse(m_env->demo.vscodeFilesGrant, m_env->clock.nowSecs()).ok());
        QVERIFY(Store::GrantStore(*m_env->db)
                    .revoke(m_env->demo.backupNotesGrant, QStringLiteral("revoked by the person (tessera-cli)"),
                        m_env->clock.nowSecs())
                    .ok());
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        model.refresh();
        QCOMPARE(model.data(model.index(row), GrantListModel::UseCountRole).toLongLong(), uses + 1);
        QCOMPARE(model.data(model.index(row), GrantListModel::LastUsedAtRole).toLongLong(), m_env->clock.nowSecs());
        QCOMPARE(value(model, model.indexOf(m_env->demo.backupNotesGrant), GrantListModel::StateRole),
            QStringLiteral("revoked"));
        QCOMPARE(changed.count(), 2);
        QCOMPARE(inserted.count(), 0);

        // A new grant arrives above the first row, without a reset.
        m_env->clock.advanceSecs(5);
        const auto tokens = m_env->authorize();
        QVERIFY(!tokens.grantId.isEmpty());
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        model.refresh();
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(reset.count(), 0);
        QCOMPARE(value(model, 0, GrantListModel::GrantIdRole), tokens.grantId);
        QCOMPARE(model.rowCount(), 9);
        QCOMPARE(model.totalCount(), 9);
    }

    void testExpiryIsJudgedWhenRead()
    {
        GrantListModel model(m_env->context.get(), nullptr);
        model.setStateFilter(QStringLiteral("active"));
        const int row = model.indexOf(m_env->demo.claudeNotesGrant);
        QVERIFY(row >= 0);
        QCOMPARE(value(model, row, GrantListModel::StateRole), QStringLiteral("active"));
        const qint64 expires = model.data(model.index(row), GrantListModel::ExpiresAtRole).toLongLong();
        // Seeded about three minutes from expiry.
        QVERIFY(expires > m_env->clock.nowSecs() && expires - m_env->clock.nowSecs() <= 240);
        m_env->clock.advanceSecs(expires - m_env->clock.nowSecs());
        model.refresh();
        // Issue 10.6: expired is no longer "active": the grant leaves this view, the count follows,
        // and the "expired" view has it.
        QCOMPARE(model.indexOf(m_env->demo.claudeNotesGrant), -1);
        QCOMPARE(model.totalCount(), 4);
        QCOMPARE(model.totalCount(), qint64(model.rowCount()));
        model.reload();
        QCOMPARE(model.indexOf(m_env->demo.claudeNotesGrant), -1);
        model.setStateFilter(QStringLiteral("expired"));
        const int expiredRow = model.indexOf(m_env->demo.claudeNotesGrant);
        QVERIFY(expiredRow >= 0);
        QCOMPARE(value(model, expiredRow, GrantListModel::StateRole), QStringLiteral("expired"));
    }

    void testAutoRefreshRunsOnlyWhenAsked()
    {
        GrantListModel model(m_env->context.get(), nullptr);
        model.setStateFilter(QStringLiteral("any"));
        model.setRefreshIntervalMs(100);
        QVERIFY(Store::GrantStore(*m_env->db).recordUse(m_env->demo.vscodeFilesGrant, m_env->clock.nowSecs()).ok());
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QTest::qWait(350);
        QCOMPARE(changed.count(), 0);
        model.setAutoRefresh(true);
        QTRY_VERIFY_WITH_TIMEOUT(changed.count() >= 1, 2000);
    }
};

QTEST_MAIN(TestGrantListModel)
#include "tst_grantlistmodel.moc"
