// SPDX-License-Identifier: GPL-3.0-or-later
// ConsentController on a real broker: the Approve delay is enforced in C++ whatever calls
// approve() (a direct call, a shortcut, an accessibility action), choices are read from
// state, and what the prompt says about the requester (security-cases G1, G2, G4).
#include "consent/consentbroker.h"
#include "desktop/consentcontroller.h"
#include "desktop/pendingrequestmodel.h"
#include "desktop/scopechoicemodel.h"
#include "promptfixture.h"
#include "store/clientstore.h"
#include "store/settingsstore.h"

#include <QAbstractItemModelTester>
#include <QAccessible>
#include <QAccessibleActionInterface>
#include <QElapsedTimer>
#include <QQmlApplicationEngine>
#include <QQuickItem>
#include <QQuickStyle>
#include <QQuickWindow>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>
#include <QtQml/qqmlextensionplugin.h>

Q_IMPORT_QML_PLUGIN(Tessera_AppPlugin)
Q_IMPORT_QML_PLUGIN(Tessera_UiPlugin)

using namespace Tessera;
using App::ConsentController;

class TestConsentController : public QObject
{
    Q_OBJECT
private:
    Test::PromptFixture *m_fx = nullptr;
    static constexpr int Delay = 300;

    ConsentController *c() const { return m_fx->controller(); }

private Q_SLOTS:
    void initTestCase()
    {
        QQuickStyle::setStyle(QStringLiteral("Fusion"));
        m_fx = new Test::PromptFixture(this);
        new QAbstractItemModelTester(c()->queue(), QAbstractItemModelTester::FailureReportingMode::QtTest, this);
        new QAbstractItemModelTester(c()->scopes(), QAbstractItemModelTester::FailureReportingMode::QtTest, this);
    }

    void init()
    {
        m_fx->reset();
        m_fx->setArmDelayMs(Delay);
        c()->setWindowState(false, false);
    }

    void testApproveRefusedBeforeTheDelay()
    {
        const QString id = m_fx->submit();
        QVERIFY(!id.isEmpty());
        QVERIFY(c()->hasRequest());
        // No window reported at all: refused.
        QVERIFY(!c()->approve(QStringLiteral("1h")));
        QVERIFY(!c()->lastError().isEmpty());
        // In front, but only just.
        QElapsedTimer since;
        since.start();
        c()->setWindowState(true, true);
        c()->markRequestSeen(); // R12: as the window reports when the list is on screen
        QVERIFY(!c()->armed());
        QVERIFY(!c()->approve(QStringLiteral("1h")));
        QTest::qWait(Delay / 2);
        QVERIFY(!c()->approve(QStringLiteral("1h")));
        QCOMPARE(m_fx->outcome(id), QString());
        QTRY_VERIFY_WITH_TIMEOUT(c()->armed(), 5000);
        QVERIFY(since.elapsed() >= Delay);
        QVERIFY(c()->canApprove());
        QVERIFY(c()->approve(QStringLiteral("1d")));
        QCOMPARE(m_fx->outcome(id), QStringLiteral("approved"));
        QCOMPARE(m_fx->decidedDuration(id), QStringLiteral("1d"));
        QVERIFY(!c()->hasRequest());
    }

    void testVisibleButInactiveNeverArms()
    {
        const QString id = m_fx->submit();
        c()->setWindowState(true, false);
        QTest::qWait(Delay * 2);
        QVERIFY(!c()->armed());
        QVERIFY(!c()->approve(QStringLiteral("1h")));
        c()->setWindowState(false, true); // active but hidden: not "in front" either
        QTest::qWait(Delay * 2);
        QVERIFY(!c()->approve(QStringLiteral("1h")));
        QCOMPARE(m_fx->outcome(id), QString());
    }

    void testFocusLossRearms()
    {
        const QString id = m_fx->submit();
        c()->setWindowState(true, true);
        c()->markRequestSeen(); // R12: as the window reports when the list is on screen
        QTRY_VERIFY_WITH_TIMEOUT(c()->armed(), 5000);
        c()->setWindowState(true, false);
        QVERIFY(!c()->armed());
        QVERIFY(!c()->approve(QStringLiteral("1h")));
        c()->setWindowState(true, true);
        c()->markRequestSeen(); // R12: as the window reports when the list is on screen
        QVERIFY(!c()->approve(QStringLiteral("1h")));
        QTest::qWait(Delay / 2);
        QVERIFY(!c()->approve(QStringLiteral("1h")));
        QTRY_VERIFY_WITH_TIMEOUT(c()->armed(), 5000);
        QVERIFY(c()->approve(QStringLiteral("1h")));
        QCOMPARE(m_fx->outcome(id), QStringLiteral("approved"));
    }

    void testNextRequestIsArmedAfresh()
    {
        const QString a = m_fx->submit({ { QStringLiteral("clientId"), QStringLiteral("agent-a") } });
        const QString b = m_fx->submit({ { QStringLiteral("clientId"), QStringLiteral("agent-b") } });
        c()->setWindowState(true, true);
        c()->markRequestSeen(); // R12: as the window reports when the list is on screen
        QTRY_VERIFY_WITH_TIMEOUT(c()->armed(), 5000);
        QVERIFY(c()->approve(QStringLiteral("1h")));
        QCOMPARE(c()->requestId(), b);
        // A double click where Approve was must not answer the next request (G1).
        QVERIFY(!c()->armed());
        QVERIFY(!c()->approve(QStringLiteral("1h")));
        QCOMPARE(m_fx->outcome(b), QString());
        QCOMPARE(m_fx->outcome(a), QStringLiteral("approved"));
    }

    void testR12_approveWaitsUntilEverythingAskedWasSeen()
    {
        const QString id = m_fx->submit();
        c()->setWindowState(true, true);
        QTest::qWait(Delay * 3); // long past the delay, but the list was never reported on screen
        QVERIFY(!c()->requestSeen());
        QVERIFY(!c()->armed());
        QVERIFY(!c()->approve(QStringLiteral("1h")));
        QVERIFY(c()->lastError().contains(QStringLiteral("every permission")));
        QCOMPARE(m_fx->outcome(id), QString());
        c()->markRequestSeen();
        QVERIFY(c()->armed()); // the delay had passed: arms at once
        QVERIFY(c()->approve(QStringLiteral("1h")));
        QCOMPARE(m_fx->outcome(id), QStringLiteral("approved"));
    }

    void testDenyNeedsNoDelay()
    {
        const QString id = m_fx->submit();
        QVERIFY(c()->deny());
        QCOMPARE(m_fx->outcome(id), QStringLiteral("denied"));
        QVERIFY(!c()->deny());
    }

    void testChoicesComeFromState()
    {
        const QString id = m_fx->submit({ { QStringLiteral("scopes"),
            QStringList {
                QStringLiteral("files:read"), QStringLiteral("files:write"), QStringLiteral("files:list") } } });
        App::ScopeChoiceModel *scopes = c()->scopes();
        QCOMPARE(scopes->rowCount(), 3);
        // High risk first.
        QCOMPARE(
            scopes->data(scopes->index(0), App::ScopeChoiceModel::NameRole).toString(), QStringLiteral("files:write"));
        QVERIFY(scopes->data(scopes->index(0), App::ScopeChoiceModel::HighRiskRole).toBool());
        scopes->setChecked(0, false);
        scopes->setChecked(2, false);
        scopes->setChecked(-1, false); // out of range: ignored
        scopes->setChecked(99, false);
        c()->setWindowState(true, true);
        c()->markRequestSeen(); // R12: as the window reports when the list is on screen
        QTRY_VERIFY_WITH_TIMEOUT(c()->armed(), 5000);
        QVERIFY(c()->approve(QStringLiteral("once")));
        QCOMPARE(m_fx->decidedScopes(id), QStringList { QStringLiteral("files:read") });
        QCOMPARE(m_fx->decidedDuration(id), QStringLiteral("once"));
    }

    void testApproveNeedsATickAndAKnownDuration()
    {
        const QString id = m_fx->submit({ { QStringLiteral("scopes"), QStringList { QStringLiteral("files:read") } } });
        c()->setWindowState(true, true);
        c()->markRequestSeen(); // R12: as the window reports when the list is on screen
        QTRY_VERIFY_WITH_TIMEOUT(c()->armed(), 5000);
        QVERIFY(!c()->approve(QStringLiteral("2w")));
        c()->scopes()->setChecked(0, false);
        QVERIFY(!c()->canApprove());
        QVERIFY(!c()->approve(QStringLiteral("1h")));
        QCOMPARE(m_fx->outcome(id), QString());
        c()->scopes()->setChecked(0, true);
        QVERIFY(c()->approve(QStringLiteral("forever")));
        QCOMPARE(m_fx->decidedDuration(id), QStringLiteral("forever"));
    }

    void testStepUpKeepsGrantedScopes()
    {
        const QString id
            = m_fx->submit({ { QStringLiteral("granted"), QStringList { QStringLiteral("files:read") } } });
        QCOMPARE(c()->scopes()->newCount(), 1);
        QCOMPARE(c()->scopes()->grantedCount(), 1);
        // An already granted scope is not a choice here.
        const int grantedRow = 1;
        QVERIFY(
            c()->scopes()->data(c()->scopes()->index(grantedRow), App::ScopeChoiceModel::AlreadyGrantedRole).toBool());
        c()->scopes()->setChecked(grantedRow, false);
        QVERIFY(c()->scopes()->data(c()->scopes()->index(grantedRow), App::ScopeChoiceModel::CheckedRole).toBool());
        c()->setWindowState(true, true);
        c()->markRequestSeen(); // R12: as the window reports when the list is on screen
        QTRY_VERIFY_WITH_TIMEOUT(c()->armed(), 5000);
        QVERIFY(c()->approve(QStringLiteral("1h")));
        QCOMPARE(
            m_fx->decidedScopes(id), (QStringList { QStringLiteral("files:read"), QStringLiteral("files:write") }));
    }

    void testDefaultDuration_data()
    {
        QTest::addColumn<QString>("stored");
        QTest::addColumn<QString>("shown");
        QTest::newRow("unset") << QString() << QStringLiteral("1h");
        QTest::newRow("once") << QStringLiteral("once") << QStringLiteral("once");
        QTest::newRow("1d") << QStringLiteral("1d") << QStringLiteral("1d");
        QTest::newRow("until_revoked alias") << QStringLiteral("until_revoked") << QStringLiteral("forever");
        QTest::newRow("nonsense") << QStringLiteral("2w") << QStringLiteral("1h");
    }

    void testDefaultDuration()
    {
        QFETCH(QString, stored);
        QFETCH(QString, shown);
        if (stored.isEmpty())
            QVERIFY(Store::SettingsStore(m_fx->database()).remove(QStringLiteral("consent.defaultDuration")).ok());
        else
            m_fx->setDefaultDuration(stored);
        m_fx->submit();
        QCOMPARE(c()->defaultDuration(), shown);
    }

    void testMergedCountIsHonest()
    {
        const QString id = m_fx->submit();
        QCOMPARE(c()->mergedCount(), 1);
        QCOMPARE(m_fx->submit(), id);
        QCOMPARE(m_fx->submit(), id);
        QTRY_COMPARE_WITH_TIMEOUT(c()->mergedCount(), 3, 3000);
        QCOMPARE(c()->queue()->data(c()->queue()->index(0), App::PendingRequestModel::MergedCountRole).toInt(), 3);
        QCOMPARE(c()->count(), 1);
        QVERIFY(c()->deny());
        QCOMPARE(m_fx->callbackCount(id), 3);
    }

    void testQueueNeverDropsAndKeepsOrder()
    {
        QStringList ids;
        for (const char *client : { "agent-a", "agent-b", "agent-c", "agent-d", "agent-e" })
            ids.append(m_fx->submit({ { QStringLiteral("clientId"), QString::fromLatin1(client) } }));
        QCOMPARE(c()->count(), 5);
        for (int i = 0; i < ids.size(); ++i)
            QCOMPARE(c()->queue()->idAt(i), ids.at(i));
        QCOMPARE(c()->requestId(), ids.first());
        // One resolved from elsewhere (tessera-cli) in the middle: the rest keep their order.
        QVERIFY(m_fx->broker()->decide(ids.at(2), Consent::Decision::deny(QStringLiteral("cli"))).ok());
        QCOMPARE(c()->count(), 4);
        QCOMPARE(c()->queue()->idAt(2), ids.at(3));
        QCOMPARE(c()->requestId(), ids.first());
        QCOMPARE(c()->position(), 1);
    }

    void testWarnings()
    {
        m_fx->submit({ { QStringLiteral("newClient"), true },
            { QStringLiteral("previousExecutable"), QStringLiteral("/usr/bin/old-agent") },
            { QStringLiteral("processChain"),
                QVariantList { QVariantMap { { QStringLiteral("pid"), 4242 },
                    { QStringLiteral("exe"), QStringLiteral("/usr/bin/new-agent") },
                    { QStringLiteral("comm"), QStringLiteral("new-agent") } } } },
            { QStringLiteral("localhostName"), true },
            { QStringLiteral("redirectUri"), QStringLiteral("http://localhost:5123/cb") } });
        const QString all = c()->warnings().join(u'\n');
        QVERIFY2(all.contains(QStringLiteral("never approved")), qPrintable(all));
        QVERIFY(all.contains(QStringLiteral("/usr/bin/old-agent")));
        QVERIFY(all.contains(QStringLiteral("/usr/bin/new-agent")));
        QVERIFY(all.contains(QStringLiteral("port 5123")));
        QVERIFY(all.contains(QStringLiteral("localhost")));
        QVERIFY(!all.contains(QStringLiteral("could not see")));
        QCOMPARE(c()->processChain().size(), 1);
        QCOMPARE(c()->processChain().first().toMap().value(QStringLiteral("pid")).toLongLong(), 4242);

        m_fx->reset();
        m_fx->submit({ { QStringLiteral("clientName"), QStringLiteral("Cl\u0430ude \u202Etxt.exe") } });
        const QString hostile = c()->warnings().join(u'\n');
        QVERIFY(hostile.contains(QStringLiteral("direction-changing")));
        QVERIFY(hostile.contains(QStringLiteral("Cyrillic")));
        QVERIFY(hostile.contains(QStringLiteral("could not see which program")));
        // Escaped (R1): the override is shown, not obeyed; the look-alike letter stays (and is flagged).
        QCOMPARE(c()->clientName(), QStringLiteral("Cl\u0430ude \\u{202E}txt.exe"));

        m_fx->reset();
        m_fx->submit({ { QStringLiteral("clientName"), QStringLiteral("Claude Code") } });
        QVERIFY(!c()->warnings().join(u'\n').contains(QStringLiteral("Cyrillic")));
        QVERIFY(!c()->warnings().join(u'\n').contains(QStringLiteral("direction")));
    }

    void testR1_chainLinesCannotBeForged()
    {
        // The executable's file name is the caller's choice: a newline forges a second chain
        // line, a division slash a directory, an escape sequence anything.
        const QString exe
            = QStringLiteral("/tmp/x/usr\u2215bin\u2215claude\n\u21B3 /usr/bin/claude \u00B7 pid 1\u2028\x1b[2J");
        const QString name
            = QStringLiteral("usr\u2215bin\u2215claude\n\u21B3 /usr/bin/claude \u00B7 pid 1\u2028\x1b[2J");
        m_fx->submit(
            { { QStringLiteral("path"), QStringLiteral("token") }, { QStringLiteral("kind"), QStringLiteral("local") },
                { QStringLiteral("clientId"), QStringLiteral("local-r1") }, { QStringLiteral("clientName"), name },
                { QStringLiteral("commandLine"), QStringLiteral("/bin/echo 'a\nb'") },
                { QStringLiteral("previousExecutable"), QStringLiteral("/usr/bin\u2044claude") },
                { QStringLiteral("processChain"),
                    QVariantList { QVariantMap { { QStringLiteral("pid"), 4343 }, { QStringLiteral("exe"), exe },
                                       { QStringLiteral("comm"), QStringLiteral("cl\x1b[2Jaude") } },
                        QVariantMap { { QStringLiteral("pid"), 1 },
                            { QStringLiteral("exe"), QStringLiteral("/usr/bin/bash") } } } } });
        const QVariantList chain = c()->processChain();
        QCOMPARE(chain.size(), 2);
        const QString shownExe = chain.first().toMap().value(QStringLiteral("exe")).toString();
        QCOMPARE(shownExe,
            QStringLiteral(
                "/tmp/x/usr\\u{2215}bin\\u{2215}claude\\n\u21B3 /usr/bin/claude \u00B7 pid 1\\u{2028}\\x1b[2J"));
        QCOMPARE(chain.first().toMap().value(QStringLiteral("comm")).toString(), QStringLiteral("cl\\x1b[2Jaude"));
        QCOMPARE(chain.at(1).toMap().value(QStringLiteral("exe")).toString(), QStringLiteral("/usr/bin/bash"));
        // What PromptRequester.chainText() makes of it: one line per process, whatever the names.
        QStringList lines;
        for (const QVariant &p : chain)
            lines.append(p.toMap().value(QStringLiteral("exe")).toString());
        QCOMPARE(lines.join(u'\n')
                     .split(QRegularExpression(QStringLiteral("[\\n\\r\\x{2028}\\x{2029}\\x{85}\\x{0B}\\x{0C}]")))
                     .size(),
            2);

        const QString all = c()->warnings().join(u'\n');
        QVERIFY2(all.contains(QStringLiteral("looks like “/”")), qPrintable(all));
        QVERIFY2(all.contains(QStringLiteral("line break")), qPrintable(all));
        QVERIFY2(
            all.contains(QStringLiteral("/usr/bin\\u{2044}claude")), qPrintable(all)); // "changed" warning, escaped

        // The name: escaped, and marked as the caller's choice, in the card and in the queue.
        const QString shownName = QStringLiteral("“usr\u2215bin\u2215claude\\n\u21B3 /usr/bin/claude \u00B7 pid "
                                                 "1\\u{2028}\\x1b[2J” (file name chosen by the caller)");
        QCOMPARE(c()->clientName(), shownName);
        QCOMPARE(
            c()->queue()->data(c()->queue()->index(0), App::PendingRequestModel::ClientNameRole).toString(), shownName);
        QCOMPARE(c()->commandLine(), QStringLiteral("/bin/echo 'a\\nb'"));

        // A plain path and a plain name pass unchanged and warn of nothing.
        m_fx->reset();
        m_fx->submit({ { QStringLiteral("kind"), QStringLiteral("dcr") },
            { QStringLiteral("clientName"), QStringLiteral("Claude Code") },
            { QStringLiteral("processChain"),
                QVariantList { QVariantMap {
                    { QStringLiteral("pid"), 7 }, { QStringLiteral("exe"), QStringLiteral("/usr/bin/claude") } } } } });
        QCOMPARE(c()->processChain().first().toMap().value(QStringLiteral("exe")).toString(),
            QStringLiteral("/usr/bin/claude"));
        QCOMPARE(c()->clientName(), QStringLiteral("Claude Code"));
        QVERIFY(!c()->warnings().join(u'\n').contains(QStringLiteral("looks like")));
        QVERIFY(!c()->warnings().join(u'\n').contains(QStringLiteral("line break")));
    }

    void testApprovalRecordsTheExecutable()
    {
        const QString exe = QStringLiteral("/opt/agents/agent-x");
        m_fx->submit({ { QStringLiteral("clientId"), QStringLiteral("agent-x") },
            { QStringLiteral("processChain"),
                QVariantList { QVariantMap { { QStringLiteral("pid"), 77 }, { QStringLiteral("exe"), exe } } } } });
        c()->setWindowState(true, true);
        c()->markRequestSeen(); // R12: as the window reports when the list is on screen
        QTRY_VERIFY_WITH_TIMEOUT(c()->armed(), 5000);
        QVERIFY(c()->approve(QStringLiteral("1h")));
        auto seen = Store::ClientStore(m_fx->database()).executables(QStringLiteral("agent-x"));
        QVERIFY(seen.ok());
        QCOMPARE(seen->size(), 1);
        QCOMPARE(seen->first().exePath, exe);

        // A denial records nothing.
        m_fx->submit({ { QStringLiteral("clientId"), QStringLiteral("agent-y") },
            { QStringLiteral("processChain"),
                QVariantList { QVariantMap { { QStringLiteral("pid"), 78 }, { QStringLiteral("exe"), exe } } } } });
        QVERIFY(c()->deny());
        QVERIFY(Store::ClientStore(m_fx->database()).executables(QStringLiteral("agent-y"))->isEmpty());
    }

    void testAccessibilityPressCannotBypassTheDelay()
    {
        QQmlApplicationEngine engine;
        engine.addImportPath(QStringLiteral("qrc:/qt/qml"));
        engine.load(QUrl(QStringLiteral("qrc:/qt/qml/Tessera/Ui/prompt/PromptWindow.qml")));
        QCOMPARE(engine.rootObjects().size(), 1);
        auto *window = qobject_cast<QQuickWindow *>(engine.rootObjects().first());
        QVERIFY(window);
        m_fx->setArmDelayMs(600);

        const QString id = m_fx->submit();
        QTRY_VERIFY_WITH_TIMEOUT(window->isVisible() && window->isActive(), 5000);
        auto *button = window->findChild<QQuickItem *>(QStringLiteral("approveButton"));
        QVERIFY(button);
        QAccessibleInterface *iface = QAccessible::queryAccessibleInterface(button);
        QVERIFY(iface);
        QAccessibleActionInterface *actions = iface->actionInterface();
        QVERIFY(actions);
        QVERIFY(actions->actionNames().contains(QAccessibleActionInterface::pressAction()));
        actions->doAction(QAccessibleActionInterface::pressAction());
        // Forcing the button on (what a script or a styled-away binding could do) changes nothing either.
        button->setProperty("enabled", true);
        actions->doAction(QAccessibleActionInterface::pressAction());
        QMetaObject::invokeMethod(button, "clicked");
        QCOMPARE(m_fx->outcome(id), QString());
        QVERIFY(!c()->lastError().isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(c()->armed(), 5000);
        actions->doAction(QAccessibleActionInterface::pressAction());
        QCOMPARE(m_fx->outcome(id), QStringLiteral("approved"));
    }
};

QTEST_MAIN(TestConsentController)
#include "tst_consentcontroller.moc"
