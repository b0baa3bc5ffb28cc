// SPDX-License-Identifier: GPL-3.0-or-later
// Issue 10.4, "one rule for every audited change": every change the dashboard offers, made once
// through a real tessera-cli process and once through the dashboard's model or controller, each
// on its own real Application over an identically seeded SQLite file. The two audit trails must
// be the same: kinds, actor (the person: "operator" on the CLI, "user" in the dashboard), the
// clients, resources and grants named (seeded ids mapped to their roles), details keys and every
// non-text detail value.
#include "application.h"
#include "consent/consentbroker.h"
#include "dashboardfixture.h"
#include "desktop/agentlistmodel.h"
#include "desktop/dashboardcontext.h"
#include "desktop/grantlistmodel.h"
#include "desktop/resourceeditor.h"
#include "desktop/resourcelistmodel.h"
#include "desktop/settingscontroller.h"
#include "desktop/statuscontroller.h"
#include "oauth/settingsservice.h"
#include "store/auditlog.h"
#include "store/database.h"
#include "store/resourcestore.h"
#include "support/tesserainstance.h"
#include "support/testsupport.h"
#include "vault/memorysecretstore.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMetaMethod>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <functional>
#include <memory>

using namespace Tessera;

namespace {

/** One seeded Application, its sockets in a private directory, and the dashboard's context over it. */
struct Env
{
    QTemporaryDir dir;
    Locations locations;
    Test::DemoData demo;
    std::unique_ptr<Vault::MemorySecretStore> vault;
    std::unique_ptr<App::Application> app;
    std::unique_ptr<App::DashboardContext> context;
    qint64 baselineSeq = 0;

    bool open(qint64 nowMs)
    {
        locations.dataDir = dir.path() + QStringLiteral("/data");
        locations.configDir = dir.path() + QStringLiteral("/config");
        locations.runtimeDir = dir.path() + QStringLiteral("/run");
        locations.keychainService = QStringLiteral("org.tessera.ParityTest");
        locations.port = Test::TesseraInstance::freePort();
        if (!locations.ensureDirectories().ok())
            return false;
        auto seeded = Test::seedDemo(locations.databasePath(), nowMs);
        if (!seeded)
            return false;
        demo = *seeded;
        vault = std::make_unique<Vault::MemorySecretStore>();
        app = std::make_unique<App::Application>(locations, App::Application::Mode::Desktop);
        app->setSecretStoreForTesting(vault.get());
        app->start();
        if (!QTest::qWaitFor([this] { return app->state() == App::Application::State::Ready; }, 10000))
            return false;
        context = std::make_unique<App::DashboardContext>(app.get(), nullptr);
        return markBaseline();
    }

    /** Events from here on are the operation's. */
    bool markBaseline()
    {
        auto head = app->auditLog()->head();
        if (!head)
            return false;
        baselineSeq = head->seq;
        return true;
    }

    ~Env()
    {
        context.reset();
        app.reset();
    }

    /** A real tessera-cli against this Application; the event loop runs while it does. */
    Test::CliResult cli(const QStringList &args) const
    {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("TESSERA_DATA_DIR"), locations.dataDir);
        env.insert(QStringLiteral("TESSERA_CONFIG_DIR"), locations.configDir);
        env.insert(QStringLiteral("TESSERA_RUNTIME_DIR"), locations.runtimeDir);
        env.insert(QStringLiteral("TESSERA_PORT"), QString::number(locations.port));
        env.insert(QStringLiteral("TESSERA_KEYCHAIN_SERVICE"), locations.keychainService);
        p.setProcessEnvironment(env);
        p.start(Test::builtExecutable(QStringLiteral("tessera-cli")), args);
        Test::CliResult r;
        if (!p.waitForStarted(5000))
            return r;
        p.closeWriteChannel();
        if (!QTest::qWaitFor([&p] { return p.state() == QProcess::NotRunning; }, 30000)) {
            p.kill();
            p.waitForFinished(2000);
            return r;
        }
        r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
        r.out = p.readAllStandardOutput();
        r.err = p.readAllStandardError();
        return r;
    }

    QString resourceName(qint64 id) const
    {
        auto r = Store::ResourceStore(*app->database()).find(id);
        return r && r->has_value() ? (*r)->name : QString();
    }

    /** Seeded ids by role, so that the two runs' random ids compare. */
    QHash<QString, QString> roles() const
    {
        const Test::DemoData &d = demo;
        return {
            { d.claudeCode, QStringLiteral("<claudeCode>") },
            { d.vscode, QStringLiteral("<vscode>") },
            { d.cursor, QStringLiteral("<cursor>") },
            { d.backupScript, QStringLiteral("<backupScript>") },
            { d.lookalike, QStringLiteral("<lookalike>") },
            { d.goose, QStringLiteral("<goose>") },
            { d.claudeFilesGrant, QStringLiteral("<claudeFilesGrant>") },
            { d.claudeGithubGrant, QStringLiteral("<claudeGithubGrant>") },
            { d.claudeNotesGrant, QStringLiteral("<claudeNotesGrant>") },
            { d.vscodeFilesGrant, QStringLiteral("<vscodeFilesGrant>") },
            { d.vscodeCalendarGrant, QStringLiteral("<vscodeCalendarGrant>") },
            { d.cursorGithubGrant, QStringLiteral("<cursorGithubGrant>") },
            { d.backupNotesGrant, QStringLiteral("<backupNotesGrant>") },
            { d.gooseCalendarGrant, QStringLiteral("<gooseCalendarGrant>") },
        };
    }

    /**
     * The operation's audit trail, oldest first, as comparable JSON. @p personActor is what the
     * front end must call the person; it becomes "<person>", and any other actor stays as it is.
     */
    QJsonArray trail(const QString &personActor) const
    {
        const QHash<QString, QString> role = roles();
        const auto mapped = [&role](const QString &id) { return role.value(id, id.isEmpty() ? QString() : id); };
        QList<Store::AuditEvent> events;
        Store::AuditFilter f;
        f.limit = 500;
        for (;;) {
            auto page = app->auditLog()->query(f);
            if (!page)
                return QJsonArray { QJsonValue(QStringLiteral("query failed: ") + page.error().message) };
            bool done = !page->nextBeforeSeq;
            for (const Store::AuditEvent &e : std::as_const(page->events)) {
                if (e.seq <= baselineSeq) {
                    done = true;
                    break;
                }
                events.prepend(e);
            }
            if (done)
                break;
            f.beforeSeq = page->nextBeforeSeq;
        }
        QJsonArray out;
        for (const Store::AuditEvent &e : std::as_const(events)) {
            const QJsonObject details = e.detailsObject();
            QJsonObject values; // keys, and every value that is not free text for a person
            for (auto it = details.begin(); it != details.end(); ++it) {
                const QJsonValue v = it.value();
                values.insert(it.key(), v.isString() ? QJsonValue(QStringLiteral("<text>")) : v);
            }
            out.append(QJsonObject {
                { QStringLiteral("kind"), e.kind },
                { QStringLiteral("actor"), e.actor == personActor ? QStringLiteral("<person>") : e.actor },
                { QStringLiteral("clientId"), mapped(e.clientId) },
                { QStringLiteral("resource"), e.resource },
                { QStringLiteral("grantId"), mapped(e.grantId) },
                { QStringLiteral("details"), values },
            });
        }
        return out;
    }
};

/** One change the dashboard offers, as the CLI makes it and as the dashboard makes it. */
struct Operation
{
    std::function<bool(Env &)> prepare; ///< before the baseline, on both sides (may be empty)
    std::function<QStringList(const Env &)> cliArgs;
    std::function<bool(Env &)> dashboard;
};

void fillParityResource(App::ResourceEditor &e)
{
    e.startNew();
    e.setName(QStringLiteral("parity"));
    e.setDisplayName(QStringLiteral("Parity MCP"));
    e.setUri(QStringLiteral("http://127.0.0.1:8999/mcp"));
    e.setTokenLifetimeSecs(600);
    e.setIntrospection(true);
    e.setScopes({
        QVariantMap { { QStringLiteral("name"), QStringLiteral("parity:read") },
            { QStringLiteral("description"), QStringLiteral("Read") },
            { QStringLiteral("risk"), QStringLiteral("low") }, { QStringLiteral("isDefault"), true } },
        QVariantMap { { QStringLiteral("name"), QStringLiteral("parity:write") },
            { QStringLiteral("description"), QStringLiteral("Write") },
            { QStringLiteral("risk"), QStringLiteral("high") }, { QStringLiteral("isDefault"), false } },
    });
}

QHash<QString, Operation> operations()
{
    QHash<QString, Operation> ops;
    ops.insert(QStringLiteral("agent forget"),
        { {},
            [](const Env &e) {
                return QStringList { QStringLiteral("client"), QStringLiteral("forget"), e.demo.claudeCode };
            },
            [](Env &e) { return App::AgentListModel(e.context.get(), nullptr).forget(e.demo.claudeCode); } });
    ops.insert(QStringLiteral("agent revoke all"),
        { {},
            [](const Env &e) {
                return QStringList { QStringLiteral("revoke"), QStringLiteral("--client"), e.demo.claudeCode };
            },
            [](Env &e) { return App::AgentListModel(e.context.get(), nullptr).revokeAll(e.demo.claudeCode) > 0; } });
    ops.insert(QStringLiteral("grant revoke"),
        { {},
            [](const Env &e) {
                return QStringList { QStringLiteral("revoke"), e.demo.claudeFilesGrant };
            },
            [](Env &e) {
                App::GrantListModel grants(e.context.get(), nullptr);
                grants.reload();
                return grants.revoke(e.demo.claudeFilesGrant);
            } });
    ops.insert(QStringLiteral("resource add"),
        { {},
            [](const Env &) {
                return QStringList { QStringLiteral("resource"), QStringLiteral("add"), QStringLiteral("parity"),
                    QStringLiteral("--uri"), QStringLiteral("http://127.0.0.1:8999/mcp"), QStringLiteral("--scope"),
                    QStringLiteral("parity:read=Read"), QStringLiteral("--scope"),
                    QStringLiteral("parity:write:high=Write"), QStringLiteral("--display-name"),
                    QStringLiteral("Parity MCP"), QStringLiteral("--token-lifetime"), QStringLiteral("600"),
                    QStringLiteral("--introspection") };
            },
            [](Env &e) {
                App::ResourceEditor editor(e.context.get(), nullptr);
                fillParityResource(editor);
                return editor.save();
            } });
    // The resource with active grants (claudeGithubGrant): each is revoked, audited, first.
    ops.insert(QStringLiteral("resource remove"),
        { {},
            [](const Env &e) {
                return QStringList { QStringLiteral("resource"), QStringLiteral("remove"),
                    e.resourceName(e.demo.githubResource) };
            },
            [](Env &e) {
                App::ResourceListModel resources(e.context.get(), nullptr);
                resources.reload();
                return resources.remove(e.demo.githubResource);
            } });
    // The edit form on an existing resource (ResourceEditor::save with an id) and resource update.
    ops.insert(QStringLiteral("resource edit"),
        { {},
            [](const Env &e) {
                return QStringList { QStringLiteral("resource"), QStringLiteral("update"),
                    e.resourceName(e.demo.githubResource), QStringLiteral("--display-name"),
                    QStringLiteral("GitHub (work)"), QStringLiteral("--token-lifetime"), QStringLiteral("900") };
            },
            [](Env &e) {
                App::ResourceEditor editor(e.context.get(), nullptr);
                if (!editor.load(e.demo.githubResource))
                    return false;
                editor.setDisplayName(QStringLiteral("GitHub (work)"));
                editor.setTokenLifetimeSecs(900);
                return editor.save();
            } });
    ops.insert(QStringLiteral("freeze on"),
        { {}, [](const Env &) { return QStringList { QStringLiteral("freeze") }; },
            [](Env &e) { return App::StatusController(e.app.get(), nullptr).setFrozen(true); } });
    ops.insert(QStringLiteral("freeze off"),
        { [](Env &e) { return e.app->consentBroker()->setFrozen(true, QStringLiteral("test")).ok(); },
            [](const Env &) { return QStringList { QStringLiteral("unfreeze") }; },
            [](Env &e) { return App::StatusController(e.app.get(), nullptr).setFrozen(false); } });
    // Settings (issue 10.4): the page's setters and `tessera-cli settings set`, one service.
    const auto setting = [&ops](const QString &name, const char *key, const QString &value,
                             std::function<bool(App::SettingsController &)> viaPage) {
        ops.insert(name,
            { {},
                [key, value](const Env &) {
                    return QStringList { QStringLiteral("settings"), QStringLiteral("set"), QString::fromLatin1(key),
                        value };
                },
                [viaPage](Env &e) {
                    App::SettingsController page(e.context.get(), nullptr);
                    return viaPage(page);
                } });
    };
    setting(QStringLiteral("setting port"), OAuth::SettingsService::PortKey, QStringLiteral("7444"),
        [](App::SettingsController &c) { return c.setPort(7444); });
    setting(QStringLiteral("setting default duration"), OAuth::SettingsService::DefaultDurationKey,
        QStringLiteral("1d"), [](App::SettingsController &c) { return c.setDefaultDuration(QStringLiteral("1d")); });
    setting(QStringLiteral("setting prompt timeout"), OAuth::SettingsService::PromptTimeoutKey, QStringLiteral("300"),
        [](App::SettingsController &c) { return c.setPromptTimeoutSecs(300); });
    setting(QStringLiteral("setting token lifetime"), OAuth::SettingsService::DefaultTokenLifetimeKey,
        QStringLiteral("900"), [](App::SettingsController &c) { return c.setDefaultTokenLifetimeSecs(900); });
    return ops;
}

/**
 * The dashboard's changes: every invokable of these classes that is not a read. A new one fails
 * testI10_everyDashboardChangeHasAParityCase until it has a row in operations().
 */
const QHash<QString, QString> &dashboardChanges()
{
    static const QHash<QString, QString> changes {
        { QStringLiteral("AgentListModel::forget"), QStringLiteral("agent forget") },
        { QStringLiteral("AgentListModel::revokeAll"), QStringLiteral("agent revoke all") },
        { QStringLiteral("GrantListModel::revoke"), QStringLiteral("grant revoke") },
        { QStringLiteral("ResourceEditor::save"), QStringLiteral("resource add") },
        { QStringLiteral("ResourceListModel::remove"), QStringLiteral("resource remove") },
        { QStringLiteral("StatusController::setFrozen"), QStringLiteral("freeze on") },
        { QStringLiteral("SettingsController::setPort"), QStringLiteral("setting port") },
        { QStringLiteral("SettingsController::setDefaultDuration"), QStringLiteral("setting default duration") },
        { QStringLiteral("SettingsController::setPromptTimeoutSecs"), QStringLiteral("setting prompt timeout") },
        { QStringLiteral("SettingsController::setDefaultTokenLifetimeSecs"), QStringLiteral("setting token lifetime") },
    };
    return changes;
}

} // namespace

class tst_AuditParity : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { m_nowMs = QDateTime::currentMSecsSinceEpoch(); }

    void testI10_auditParity_data()
    {
        QTest::addColumn<QString>("operation");
        QStringList names = operations().keys();
        names.sort();
        for (const QString &n : std::as_const(names))
            QTest::newRow(qPrintable(n)) << n;
    }

    void testI10_auditParity()
    {
        QFETCH(QString, operation);
        const Operation op = operations().value(operation);

        Env viaCli;
        QVERIFY(viaCli.open(m_nowMs));
        if (op.prepare) {
            QVERIFY(op.prepare(viaCli));
            QVERIFY(viaCli.markBaseline());
        }
        const Test::CliResult r = viaCli.cli(op.cliArgs(viaCli));
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonArray cliTrail = viaCli.trail(QStringLiteral("operator"));

        Env viaDashboard;
        QVERIFY(viaDashboard.open(m_nowMs));
        if (op.prepare) {
            QVERIFY(op.prepare(viaDashboard));
            QVERIFY(viaDashboard.markBaseline());
        }
        QVERIFY(op.dashboard(viaDashboard));
        const QJsonArray dashboardTrail = viaDashboard.trail(QStringLiteral("user"));

        QVERIFY2(!cliTrail.isEmpty(), "the CLI's change wrote no audit event");
        const QByteArray a = QJsonDocument(cliTrail).toJson(QJsonDocument::Indented);
        const QByteArray b = QJsonDocument(dashboardTrail).toJson(QJsonDocument::Indented);
        QVERIFY2(a == b, QByteArray("\ntessera-cli:\n" + a + "\ndashboard:\n" + b).constData());
        // The person is named as the product names them on each side, nowhere "system".
        for (const QJsonValue &e : cliTrail) {
            const QString kind = e[QStringLiteral("kind")].toString();
            if (kind != QStringLiteral("consent.cancelled"))
                QCOMPARE(e[QStringLiteral("actor")].toString(), QStringLiteral("<person>"));
        }
    }

    void testI10_everyDashboardChangeHasAParityCase()
    {
        // Reads, refreshes and UI helpers: everything else an invokable does is a change.
        static const QSet<QString> reads { QStringLiteral("reload"), QStringLiteral("refresh"),
            QStringLiteral("indexOf"), QStringLiteral("get"), QStringLiteral("setVisibleRange"),
            QStringLiteral("startNew"), QStringLiteral("load"), QStringLiteral("validate"),
            QStringLiteral("clearIssuedSecret"), QStringLiteral("suggestName"),
            // Start at login writes a file in this desktop session's autostart folder: there is
            // no stored setting behind it, and nothing for a terminal to change.
            QStringLiteral("setStartAtLogin") };
        const QList<const QMetaObject *> classes { &App::AgentListModel::staticMetaObject,
            &App::GrantListModel::staticMetaObject, &App::ResourceListModel::staticMetaObject,
            &App::ResourceEditor::staticMetaObject, &App::StatusController::staticMetaObject,
            &App::SettingsController::staticMetaObject };
        const QHash<QString, Operation> ops = operations();
        for (const QMetaObject *m : classes) {
            for (int i = m->methodOffset(); i < m->methodCount(); ++i) {
                const QMetaMethod method = m->method(i);
                if (method.methodType() != QMetaMethod::Method || method.access() != QMetaMethod::Public)
                    continue;
                const QString name = QString::fromLatin1(method.name());
                if (reads.contains(name))
                    continue;
                const QString qualified = QString::fromLatin1(m->className()).section(QStringLiteral("::"), -1)
                    + QStringLiteral("::") + name;
                QVERIFY2(dashboardChanges().contains(qualified),
                    qPrintable(qualified + QStringLiteral(" changes something and has no audit-parity case")));
                QVERIFY(ops.contains(dashboardChanges().value(qualified)));
            }
        }
    }

    // The terminal's settings command says what is wrong and changes nothing.
    void testI10_settingsRefuseBadInputAndListAll()
    {
        Env e;
        QVERIFY(e.open(m_nowMs));
        QVERIFY(e.markBaseline());
        const Test::CliResult low = e.cli({ QStringLiteral("settings"), QStringLiteral("set"),
            QString::fromLatin1(OAuth::SettingsService::PortKey), QStringLiteral("80") });
        QVERIFY(low.exitCode != 0);
        QVERIFY2(low.err.contains("between 1024 and 65535"), low.err.constData());
        const Test::CliResult unknown = e.cli(
            { QStringLiteral("settings"), QStringLiteral("set"), QStringLiteral("no.such"), QStringLiteral("1") });
        QVERIFY(unknown.exitCode != 0);
        QVERIFY2(unknown.err.contains("There is no setting \"no.such\""), unknown.err.constData());
        QVERIFY(e.trail(QStringLiteral("operator")).isEmpty());
        const Test::CliResult listed = e.cli({ QStringLiteral("--json"), QStringLiteral("settings") });
        QCOMPARE(listed.exitCode, 0);
        QCOMPARE(QJsonDocument::fromJson(listed.out).array().size(), OAuth::SettingsService::definitions().size());
    }

private:
    qint64 m_nowMs = 0;
};

QTEST_MAIN(tst_AuditParity)
#include "tst_auditparity.moc"
