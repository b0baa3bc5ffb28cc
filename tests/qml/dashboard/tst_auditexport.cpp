// SPDX-License-Identifier: GPL-3.0-or-later
// Export of the audit log (JSON Lines, CSV: quoting and formula injection), chain verification
// in the background (and a tampered chain caught), and the time formatting of the dashboard.
#include "desktop/auditexport.h"
#include "desktop/auditlistmodel.h"
#include "desktop/dashboardcontroller.h"
#include "modeltestenv.h"
#include "store/clientstore.h"

#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>

using namespace Tessera;
using App::DashboardController;
namespace Export = App::AuditExport;

class TestAuditExport : public QObject
{
    Q_OBJECT
private:
    std::unique_ptr<Test::ModelTestEnv> m_env;

    static QByteArray readAll(const QString &path)
    {
        QFile f(path);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }

private Q_SLOTS:
    void init()
    {
        m_env = std::make_unique<Test::ModelTestEnv>();
        QVERIFY(m_env->open());
    }
    void cleanup() { m_env.reset(); }

    void testCsvField_data()
    {
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("cell");
        // OWASP "CSV Injection": a leading = + - @ tab or CR makes a spreadsheet formula; such a
        // cell gets a leading apostrophe and is quoted.
        QTest::newRow("plain") << "grant.created"
                               << "grant.created";
        QTest::newRow("formula") << "=HYPERLINK(\"http://x\")"
                                 << "\"'=HYPERLINK(\"\"http://x\"\")\"";
        QTest::newRow("plus") << "+1"
                              << "\"'+1\"";
        QTest::newRow("minus") << "-2+3"
                               << "\"'-2+3\"";
        QTest::newRow("at") << "@SUM(A1)"
                            << "\"'@SUM(A1)\"";
        QTest::newRow("tab") << "\tx"
                             << "\"'\tx\"";
        // RFC 4180 §2: fields with commas, quotes or line breaks are quoted, quotes doubled.
        QTest::newRow("comma") << "a,b"
                               << "\"a,b\"";
        QTest::newRow("quote") << "say \"hi\""
                               << "\"say \"\"hi\"\"\"";
        QTest::newRow("newline") << "a\nb"
                                 << "\"a\nb\"";
        QTest::newRow("empty") << ""
                               << "";
    }
    void testCsvField()
    {
        QFETCH(QString, value);
        QFETCH(QString, cell);
        QCOMPARE(Export::csvField(value), cell);
    }

    void testExportJsonLinesOfTheCurrentFilter()
    {
        DashboardController dashboard(m_env->context.get());
        App::AuditListModel model(m_env->context.get(), nullptr);
        model.setKindFilter(QStringLiteral("grant.created"));
        const QString path = m_env->dir.path() + QStringLiteral("/export.jsonl");
        QSignalSpy finished(&dashboard, &DashboardController::exportFinished);
        dashboard.exportAudit(QUrl::fromLocalFile(path), QStringLiteral("jsonl"), &model);
        QVERIFY(dashboard.exporting());
        QVERIFY(dashboard.waitForIdle(10000));
        QCOMPARE(finished.count(), 1);
        QVERIFY2(finished.at(0).at(0).toBool(), qPrintable(finished.at(0).at(1).toString()));
        QVERIFY(!dashboard.exporting());
        const QByteArray text = readAll(path);
        const QList<QByteArray> lines = text.trimmed().split('\n');
        QCOMPARE(lines.size(), 8);
        qint64 previous = std::numeric_limits<qint64>::max();
        for (const QByteArray &line : lines) {
            QJsonParseError error;
            const QJsonObject o = QJsonDocument::fromJson(line, &error).object();
            QCOMPARE(error.error, QJsonParseError::NoError);
            QCOMPARE(o.value(QStringLiteral("kind")).toString(), QStringLiteral("grant.created"));
            QVERIFY(o.value(QStringLiteral("seq")).toInteger() < previous);
            previous = o.value(QStringLiteral("seq")).toInteger();
            QCOMPARE(o.value(QStringLiteral("hash")).toString().size(), 64);
            QVERIFY(o.value(QStringLiteral("details")).isObject());
            QVERIFY(o.value(QStringLiteral("time")).toString().endsWith(u'Z'));
        }
        QVERIFY(text.contains("\"clientName\":\"Claude Code\""));
        // The introspection secret of the calendar resource is nowhere in an export.
        QVERIFY(!text.contains("demo-introspection-secret"));
    }

    void testExportCsvIsQuotedAndFormulaSafe()
    {
        // An agent that names itself like a formula, and says so in the log.
        Store::Client c;
        c.clientId = QStringLiteral("dcr_formula");
        c.clientName = QStringLiteral("=cmd|' /C calc'!A0");
        c.redirectUris = { QStringLiteral("http://127.0.0.1/cb") };
        c.createdAt = m_env->clock.nowSecs();
        QVERIFY(Store::ClientStore(*m_env->db).insert(c).ok());
        QVERIFY(m_env->audit
                    ->append(
                        { QStringLiteral("client.registered"), QStringLiteral("client:dcr_formula"), c.clientId, {}, {},
                            QJsonObject { { QStringLiteral("client_name"), c.clientName },
                                { QStringLiteral("kind"), QStringLiteral("dcr") } } })
                    .ok());

        DashboardController dashboard(m_env->context.get());
        App::AuditListModel model(m_env->context.get(), nullptr);
        model.setKindFilter(QStringLiteral("client.registered"));
        const QString path = m_env->dir.path() + QStringLiteral("/export.csv");
        QSignalSpy finished(&dashboard, &DashboardController::exportFinished);
        dashboard.exportAudit(QUrl::fromLocalFile(path), QStringLiteral("csv"), &model);
        QVERIFY(dashboard.waitForIdle(10000));
        QVERIFY(finished.at(0).at(0).toBool());
        QVERIFY(finished.at(0).at(1).toString().contains(QStringLiteral("7")));
        const QByteArray csv = readAll(path);
        QVERIFY(csv.startsWith(Export::csvHeader()));
        QCOMPARE(csv.count("\r\n"), 8); // header + 7 registrations
        QVERIFY(csv.contains(",\"'=cmd|' /C calc'!A0\","));
        QVERIFY(!csv.contains(",=cmd"));
        QVERIFY(!csv.contains(",\"=cmd"));
    }

    void testExportRefusesNonsense()
    {
        DashboardController dashboard(m_env->context.get());
        App::AuditListModel model(m_env->context.get(), nullptr);
        QSignalSpy finished(&dashboard, &DashboardController::exportFinished);
        dashboard.exportAudit(QUrl(QStringLiteral("https://example.com/x.csv")), QStringLiteral("csv"), &model);
        dashboard.exportAudit(
            QUrl::fromLocalFile(m_env->dir.path() + QStringLiteral("/x.xml")), QStringLiteral("xml"), &model);
        dashboard.exportAudit(
            QUrl::fromLocalFile(QStringLiteral("/nonexistent-dir/x.csv")), QStringLiteral("csv"), &model);
        QVERIFY(dashboard.waitForIdle(10000));
        QCOMPARE(finished.count(), 3);
        for (const auto &call : finished)
            QVERIFY(!call.at(0).toBool());
    }

    void testChainVerification()
    {
        DashboardController dashboard(m_env->context.get());
        QCOMPARE(dashboard.chainState(), QStringLiteral("unknown"));
        QSignalSpy chain(&dashboard, &DashboardController::chainChanged);
        dashboard.verifyChain();
        QCOMPARE(dashboard.chainState(), QStringLiteral("verifying"));
        QVERIFY(dashboard.waitForIdle(10000));
        QCOMPARE(dashboard.chainState(), QStringLiteral("ok"));
        QCOMPARE(dashboard.chainEvents(), m_env->audit->head()->seq);

        // Someone edits an event behind Tessera's back (the triggers are no security boundary).
        {
            QSqlDatabase raw = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("tamper"));
            raw.setDatabaseName(m_env->path);
            QVERIFY(raw.open());
            QSqlQuery q(raw);
            QVERIFY(q.exec(QStringLiteral("DROP TRIGGER audit_events_no_update")));
            QVERIFY(q.exec(QStringLiteral("UPDATE audit_events SET actor = 'system' WHERE seq = 7")));
            q.finish();
            raw.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("tamper"));
        dashboard.verifyChain();
        QVERIFY(dashboard.waitForIdle(10000));
        QCOMPARE(dashboard.chainState(), QStringLiteral("broken"));
        QVERIFY(dashboard.chainMessage().contains(QStringLiteral("7")));
        QVERIFY(chain.count() >= 4);
    }

    void testFormatting()
    {
        DashboardController dashboard(m_env->context.get());
        const qint64 now = m_env->clock.nowSecs();
        QCOMPARE(dashboard.now(), now);
        QCOMPARE(dashboard.formatCountdown(0), QStringLiteral("until revoked"));
        QCOMPARE(dashboard.formatCountdown(now - 1), QStringLiteral("expired"));
        QCOMPARE(dashboard.formatCountdown(now + 65), QStringLiteral("1:05"));
        QCOMPARE(dashboard.formatCountdown(now + 3599), QStringLiteral("59:59"));
        QCOMPARE(dashboard.formatCountdown(now + 3 * 3600 + 12 * 60), QStringLiteral("3 h 12 min"));
        QCOMPARE(dashboard.formatRelative(0), QStringLiteral("never"));
        QCOMPARE(dashboard.formatRelative(now - 10), QStringLiteral("just now"));
        QCOMPARE(dashboard.formatRelative(now - 5 * 60 - 20), QStringLiteral("5 min ago"));
        QCOMPARE(dashboard.formatRelative(now + 2 * 3600 + 100), QStringLiteral("in 2 h"));
        // Issue 10.6: an event a moment after this view's last tick happened "just now".
        QCOMPARE(dashboard.formatRelative(now + 2), QStringLiteral("in a moment"));
        QCOMPARE(dashboard.formatAgo(now + 2), QStringLiteral("just now"));
        QCOMPARE(dashboard.formatAgo(now - 5 * 60 - 20), QStringLiteral("5 min ago"));
        QCOMPARE(dashboard.formatAgo(0), QStringLiteral("never"));
        QCOMPARE(DashboardController::formatSeconds(45), QStringLiteral("45 s"));
        QCOMPARE(DashboardController::formatSeconds(300), QStringLiteral("5 min"));
        QCOMPARE(DashboardController::formatSeconds(86400), QStringLiteral("1 day"));
        QCOMPARE(dashboard.formatDateTime(0), QStringLiteral("—"));
        m_env->clock.advanceSecs(3);
        QTRY_COMPARE_WITH_TIMEOUT(dashboard.now(), now + 3, 2500);
    }
};

QTEST_MAIN(TestAuditExport)
#include "tst_auditexport.moc"
