// SPDX-License-Identifier: GPL-3.0-or-later
// ResourceListModel and ResourceEditor on a real SQLite file: field-by-field validation,
// add and edit (audited), the introspection secret shown once, removal that revokes first.
#include "crypto/hash.h"
#include "desktop/resourceeditor.h"
#include "desktop/resourcelistmodel.h"
#include "modeltestenv.h"
#include "store/grantstore.h"
#include "store/settingsstore.h"

#include <QAbstractItemModelTester>
#include <QJsonArray>
#include <QSignalSpy>

using namespace Tessera;
using App::ResourceEditor;
using App::ResourceListModel;

class TestResourceModels : public QObject
{
    Q_OBJECT
private:
    std::unique_ptr<Test::ModelTestEnv> m_env;

    static QVariantMap scope(const QString &name, const QString &risk = QStringLiteral("low"), bool isDefault = false)
    {
        return { { QStringLiteral("name"), name }, { QStringLiteral("description"), QStringLiteral("d") },
            { QStringLiteral("risk"), risk }, { QStringLiteral("isDefault"), isDefault } };
    }
    void fillValid(ResourceEditor &e)
    {
        e.setDisplayName(QStringLiteral("Mail"));
        e.setName(QStringLiteral("mail"));
        e.setUri(QStringLiteral("HTTP://127.0.0.1:9400/mcp"));
        e.setTokenLifetimeSecs(120);
        e.setScopes({ scope(QStringLiteral("mail:read")), scope(QStringLiteral("mail:send"), QStringLiteral("high")) });
    }
    int auditCount(const QString &kind)
    {
        Store::AuditFilter f;
        f.kind = kind;
        return int(m_env->audit->query(f)->events.size());
    }

private Q_SLOTS:
    void init()
    {
        m_env = std::make_unique<Test::ModelTestEnv>();
        QVERIFY(m_env->open());
    }
    void cleanup() { m_env.reset(); }

    void testListAndMetadata()
    {
        ResourceListModel model(m_env->context.get(), nullptr);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.reload();
        QCOMPARE(model.rowCount(), 4);
        const QModelIndex calendar = model.index(model.indexOf(m_env->demo.calendarResource));
        QCOMPARE(model.data(calendar, ResourceListModel::NameRole).toString(), QStringLiteral("calendar"));
        QCOMPARE(model.data(calendar, ResourceListModel::IntrospectionRole).toBool(), true);
        QCOMPARE(model.data(calendar, ResourceListModel::MetadataUrlRole).toString(),
            QStringLiteral("http://127.0.0.1:9300/.well-known/oauth-protected-resource/mcp"));
        const QJsonObject prm
            = QJsonDocument::fromJson(model.data(calendar, ResourceListModel::MetadataJsonRole).toString().toUtf8())
                  .object();
        QCOMPARE(prm.value(QStringLiteral("resource")).toString(), QStringLiteral("http://127.0.0.1:9300/mcp"));
        QCOMPARE(prm.value(QStringLiteral("authorization_servers")).toArray(), QJsonArray { m_env->ctx->issuer });
        QCOMPARE(prm.value(QStringLiteral("scopes_supported")).toArray().size(), 2);
        const QVariantList scopes = model.data(calendar, ResourceListModel::ScopesRole).toList();
        QCOMPARE(scopes.at(1).toMap().value(QStringLiteral("risk")).toString(), QStringLiteral("high"));
        QCOMPARE(scopes.at(0).toMap().value(QStringLiteral("isDefault")).toBool(), true);
        const QModelIndex files = model.index(model.indexOf(m_env->demo.filesResource));
        QCOMPARE(model.data(files, ResourceListModel::ActiveGrantsRole).toLongLong(), 2);
    }

    void testValidationPerField_data()
    {
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("errorField");
        QTest::newRow("empty uri") << "uri"
                                   << ""
                                   << "uri";
        QTest::newRow("not http") << "uri"
                                  << "ftp://127.0.0.1/x"
                                  << "uri";
        QTest::newRow("fragment") << "uri"
                                  << "http://127.0.0.1:1/mcp#x"
                                  << "uri";
        QTest::newRow("uri taken") << "uri"
                                   << "http://127.0.0.1:8931/mcp"
                                   << "uri";
        QTest::newRow("empty name") << "name"
                                    << ""
                                    << "name";
        QTest::newRow("bad name") << "name"
                                  << "Mail Server!"
                                  << "name";
        QTest::newRow("name taken") << "name"
                                    << "files"
                                    << "name";
        QTest::newRow("lifetime 0") << "lifetime"
                                    << "0"
                                    << "lifetime";
        QTest::newRow("lifetime 2 h") << "lifetime"
                                      << "7200"
                                      << "lifetime";
        QTest::newRow("scope with space") << "scope"
                                          << "mail read"
                                          << "scopes";
        QTest::newRow("scope empty") << "scope"
                                     << ""
                                     << "scopes";
        QTest::newRow("scope twice") << "scope"
                                     << "mail:send"
                                     << "scopes";
    }
    void testValidationPerField()
    {
        QFETCH(QString, field);
        QFETCH(QString, value);
        QFETCH(QString, errorField);
        ResourceEditor editor(m_env->context.get(), nullptr);
        fillValid(editor);
        QVERIFY(editor.validate());
        QVERIFY(!editor.hasErrors());
        if (field == QStringLiteral("uri"))
            editor.setUri(value);
        else if (field == QStringLiteral("name"))
            editor.setName(value);
        else if (field == QStringLiteral("lifetime"))
            editor.setTokenLifetimeSecs(value.toInt());
        else
            editor.setScopes({ scope(value), scope(QStringLiteral("mail:send")) });
        QSignalSpy errors(&editor, &ResourceEditor::errorsChanged);
        QVERIFY(!editor.validate());
        QVERIFY(!errors.isEmpty());
        const QHash<QString, QString> shown { { QStringLiteral("uri"), editor.uriError() },
            { QStringLiteral("name"), editor.nameError() }, { QStringLiteral("lifetime"), editor.lifetimeError() },
            { QStringLiteral("scopes"), editor.scopesError() } };
        QVERIFY2(!shown.value(errorField).isEmpty(), qPrintable(errorField));
        // Only that field complains.
        int complaining = 0;
        for (const QString &e : { editor.uriError(), editor.nameError(), editor.lifetimeError(), editor.scopesError() })
            complaining += e.isEmpty() ? 0 : 1;
        QCOMPARE(complaining, 1);
        if (errorField == QStringLiteral("scopes")) // the row to mark: the second of a pair
            QCOMPARE(editor.scopeErrorIndex(), value == QStringLiteral("mail:send") ? 1 : 0);
        // Nothing was written.
        const int before = auditCount(QStringLiteral("resource.added"));
        QVERIFY(!editor.save());
        QCOMPARE(auditCount(QStringLiteral("resource.added")), before);
    }

    void testAddWithSecretShownOnce()
    {
        ResourceListModel model(m_env->context.get(), nullptr);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.reload();
        QVERIFY(Store::SettingsStore(*m_env->db)
                    .set(QStringLiteral("resource.defaultTokenLifetimeSecs"), QStringLiteral("900"))
                    .ok());
        ResourceEditor editor(m_env->context.get(), nullptr);
        editor.startNew();
        QCOMPARE(editor.tokenLifetimeSecs(), 900);
        QVERIFY(editor.isNew());
        fillValid(editor);
        editor.setIntrospection(true);
        QSignalSpy saved(&editor, &ResourceEditor::saved);
        QVERIFY2(editor.save(), qPrintable(editor.formError()));
        QCOMPARE(saved.count(), 1);
        QVERIFY(!editor.isNew());
        QCOMPARE(editor.uri(), QStringLiteral("http://127.0.0.1:9400/mcp")); // canonical
        const QString secret = editor.issuedSecret();
        QVERIFY(secret.size() >= 40);
        QCOMPARE(model.rowCount(), 5); // the list followed by itself
        auto stored = Store::ResourceStore(*m_env->db).findByName(QStringLiteral("mail"));
        QVERIFY(stored->has_value());
        QCOMPARE((*stored)->introspectionSecretHash, Crypto::sha256(secret.toLatin1()));
        QCOMPARE((*stored)->tokenLifetimeSecs, 120);
        // Nothing chosen as default: the low-risk scopes are (least privilege).
        QCOMPARE((*stored)->defaultScopes, QStringList { QStringLiteral("mail:read") });
        QCOMPARE(auditCount(QStringLiteral("resource.added")), 5);
        editor.clearIssuedSecret();
        QVERIFY(editor.issuedSecret().isEmpty());

        // Editing keeps the secret unless asked to renew it.
        QVERIFY(editor.load((*stored)->id));
        QVERIFY(editor.hadIntrospection());
        editor.setDisplayName(QStringLiteral("Mail (work)"));
        QVERIFY(editor.save());
        QVERIFY(editor.issuedSecret().isEmpty());
        auto edited = Store::ResourceStore(*m_env->db).findByName(QStringLiteral("mail"));
        QCOMPARE((*edited)->displayName, QStringLiteral("Mail (work)"));
        QCOMPARE((*edited)->introspectionSecretHash, Crypto::sha256(secret.toLatin1()));
        QCOMPARE(auditCount(QStringLiteral("resource.updated")), 1);
        editor.setRenewSecret(true);
        QVERIFY(editor.save());
        QVERIFY(!editor.issuedSecret().isEmpty());
        QVERIFY(editor.issuedSecret() != secret);
        // A secret value never reaches the audit log.
        Store::AuditFilter f;
        f.text = editor.issuedSecret().left(12);
        QCOMPARE(m_env->audit->query(f)->events.size(), 0);
    }

    void testRemoveRevokesFirst()
    {
        ResourceListModel model(m_env->context.get(), nullptr);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.reload();
        QVERIFY(model.remove(m_env->demo.githubResource));
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.indexOf(m_env->demo.githubResource), -1);
        QVERIFY(!Store::GrantStore(*m_env->db).find(m_env->demo.claudeGithubGrant)->has_value());
        Store::AuditFilter f;
        f.kind = QStringLiteral("grant.revoked");
        f.grantId = m_env->demo.claudeGithubGrant;
        QCOMPARE(m_env->audit->query(f)->events.size(), 1);
        QCOMPARE(auditCount(QStringLiteral("resource.removed")), 1);
        QVERIFY(m_env->audit->verify()->ok);
    }

    void testRemoveNeedsRevocationWhenGrantsAreActive()
    {
        m_env->revocationReady = false;
        ResourceListModel model(m_env->context.get(), nullptr);
        model.reload();
        QVERIFY(!model.remove(m_env->demo.githubResource));
        QVERIFY(!model.lastError().isEmpty());
        QCOMPARE(model.rowCount(), 4);
        QVERIFY(Store::ResourceStore(*m_env->db).find(m_env->demo.githubResource)->has_value());
    }

    void testSuggestName_data()
    {
        QTest::addColumn<QString>("display");
        QTest::addColumn<QString>("name");
        QTest::newRow("words") << "GitHub MCP"
                               << "github-mcp";
        QTest::newRow("punctuation") << "  Files (home)! "
                                     << "files-home";
        QTest::newRow("dots kept") << "notes.v2"
                                   << "notes.v2";
        QTest::newRow("leading junk") << "--x"
                                      << "x";
    }
    void testSuggestName()
    {
        QFETCH(QString, display);
        QFETCH(QString, name);
        QCOMPARE(ResourceEditor::suggestName(display), name);
        QVERIFY(Store::ResourceStore::isValidName(name));
    }
};

QTEST_MAIN(TestResourceModels)
#include "tst_resourcemodels.moc"
