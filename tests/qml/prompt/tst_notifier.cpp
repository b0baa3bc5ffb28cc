// SPDX-License-Identifier: GPL-3.0-or-later
// Desktop notifications over a private D-Bus session bus, where this test plays
// org.freedesktop.Notifications on a second connection: what is sent, how often, what a
// click does, and that nothing in a notification can approve.
#include "desktop/consentcontroller.h"
#include "desktop/notifier.h"
#include "promptfixture.h"

#include <QDBusConnection>
#include <QDBusMessage>
#include <QSignalSpy>
#include <QTest>

using namespace Tessera;

/** The notification server side: records each Notify call. */
class FakeNotifications : public QObject
{
    Q_OBJECT
    Q_CLASSINFO("D-Bus Interface", "org.freedesktop.Notifications")
public:
    struct Call
    {
        uint replacesId;
        QString summary;
        QString body;
        QStringList actions;
        QVariantMap hints;
    };
    QList<Call> calls;
    uint nextId = 41;

public Q_SLOTS:
    uint Notify(const QString &, uint replacesId, const QString &, const QString &summary, const QString &body,
        const QStringList &actions, const QVariantMap &hints, int)
    {
        calls.append(Call { replacesId, summary, body, actions, hints });
        return replacesId ? replacesId : ++nextId;
    }
    QStringList GetCapabilities() { return { QStringLiteral("actions"), QStringLiteral("body") }; }
};

class TestNotifier : public QObject
{
    Q_OBJECT
private:
    QDBusConnection m_server = QDBusConnection(QString());
    FakeNotifications m_fake;
    Test::PromptFixture *m_fx = nullptr;

    void emitSignal(const QString &name, const QList<QVariant> &args)
    {
        QDBusMessage signal = QDBusMessage::createSignal(
            QStringLiteral("/org/freedesktop/Notifications"), QStringLiteral("org.freedesktop.Notifications"), name);
        signal.setArguments(args);
        QVERIFY(m_server.send(signal));
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (!QDBusConnection::sessionBus().isConnected())
            QSKIP("needs a D-Bus session bus (run through ctest: with-keyring.sh --no-keyring)");
        m_server = QDBusConnection::connectToBus(QDBusConnection::SessionBus, QStringLiteral("fake-notifications"));
        QVERIFY(m_server.isConnected());
        QVERIFY(m_server.registerObject(
            QStringLiteral("/org/freedesktop/Notifications"), &m_fake, QDBusConnection::ExportAllSlots));
        QVERIFY(m_server.registerService(QStringLiteral("org.freedesktop.Notifications")));
        m_fx = new Test::PromptFixture(this);
    }

    void init()
    {
        m_fake.calls.clear();
        m_fx->reset();
        m_fx->controller()->setWindowState(false, false);
    }

    void testNotificationSaysLittleAndCannotApprove()
    {
        App::Notifier notifier(QDBusConnection::sessionBus());
        notifier.notifyPending(2);
        QTRY_COMPARE_WITH_TIMEOUT(m_fake.calls.size(), 1, 5000);
        const FakeNotifications::Call &call = m_fake.calls.first();
        QCOMPARE(call.replacesId, 0u);
        QVERIFY(call.body.contains(QStringLiteral("2 requests")));
        // Actions come in key/label pairs; the keys open the prompt, none answers it.
        QCOMPARE(call.actions.size() % 2, 0);
        for (int i = 0; i < call.actions.size(); i += 2) {
            QVERIFY2(call.actions.at(i) == QStringLiteral("default") || call.actions.at(i) == QStringLiteral("open"),
                qPrintable(call.actions.at(i)));
            QVERIFY(!call.actions.at(i + 1).contains(QStringLiteral("pprove"), Qt::CaseInsensitive));
        }
        QCOMPARE(call.hints.value(QStringLiteral("desktop-entry")).toString(), QStringLiteral("org.tessera.Tessera"));
    }

    void testRateLimitedAndUpdatedInPlace()
    {
        App::Notifier notifier(QDBusConnection::sessionBus());
        notifier.setMinIntervalMs(400);
        notifier.notifyPending(1);
        QTRY_COMPARE_WITH_TIMEOUT(m_fake.calls.size(), 1, 5000);
        notifier.notifyPending(2);
        notifier.notifyPending(3);
        notifier.notifyPending(4);
        QTest::qWait(150);
        QCOMPARE(m_fake.calls.size(), 1); // held back
        QTRY_COMPARE_WITH_TIMEOUT(m_fake.calls.size(), 2, 5000);
        QTest::qWait(600);
        QCOMPARE(m_fake.calls.size(), 2); // one trailing update, with the latest count
        QVERIFY(m_fake.calls.at(1).body.contains(QStringLiteral("4 requests")));
        QCOMPARE(m_fake.calls.at(1).replacesId, m_fake.nextId); // the same bubble, updated
    }

    void testClickOpensThePromptOnly()
    {
        App::Notifier notifier(QDBusConnection::sessionBus());
        QSignalSpy open(&notifier, &App::Notifier::openRequested);
        notifier.notifyPending(1);
        QTRY_COMPARE_WITH_TIMEOUT(m_fake.calls.size(), 1, 5000);
        QTest::qWait(100); // the reply (our id) arrives
        const uint id = m_fake.nextId;
        emitSignal(QStringLiteral("ActionInvoked"), { id + 100, QStringLiteral("default") }); // someone else's
        emitSignal(QStringLiteral("ActionInvoked"), { id, QStringLiteral("approve") }); // not an action we offer
        QTest::qWait(200);
        QCOMPARE(open.size(), 0);
        emitSignal(QStringLiteral("ActionInvoked"), { id, QStringLiteral("default") });
        QTRY_COMPARE_WITH_TIMEOUT(open.size(), 1, 5000);

        // Dismissed: the next one is a new bubble, not an update of the closed one.
        emitSignal(QStringLiteral("NotificationClosed"), { id, 2u });
        QTest::qWait(200);
        notifier.setMinIntervalMs(0);
        notifier.notifyPending(1);
        QTRY_COMPARE_WITH_TIMEOUT(m_fake.calls.size(), 2, 5000);
        QCOMPARE(m_fake.calls.at(1).replacesId, 0u);
    }

    void testOnlyWhenThePromptIsNotInFront()
    {
        App::Notifier notifier(QDBusConnection::sessionBus());
        notifier.setGraceMs(50);
        notifier.setMinIntervalMs(0);
        notifier.watch(m_fx->controller());
        m_fx->controller()->setWindowState(true, true);
        m_fx->submit({ { QStringLiteral("clientId"), QStringLiteral("agent-a") } });
        QTest::qWait(400);
        QCOMPARE(m_fake.calls.size(), 0);

        m_fx->controller()->setWindowState(true, false); // e.g. focus-stealing prevention kept it behind
        m_fx->submit({ { QStringLiteral("clientId"), QStringLiteral("agent-b") },
            { QStringLiteral("clientName"), QStringLiteral("<b>Evil</b>") } });
        QTRY_COMPARE_WITH_TIMEOUT(m_fake.calls.size(), 1, 5000);
        QVERIFY(m_fake.calls.first().body.contains(QStringLiteral("2 requests")));
        QVERIFY(!m_fake.calls.first().body.contains(QStringLiteral("Evil")));
        QVERIFY(!m_fake.calls.first().summary.contains(QStringLiteral("Evil")));
    }

    void testNoServiceIsQuiet()
    {
        QVERIFY(m_server.unregisterService(QStringLiteral("org.freedesktop.Notifications")));
        App::Notifier notifier(QDBusConnection::sessionBus());
        notifier.setMinIntervalMs(0);
        notifier.notifyPending(1);
        notifier.notifyPending(2);
        QTest::qWait(300);
        QCOMPARE(m_fake.calls.size(), 0);
        QVERIFY(m_server.registerService(QStringLiteral("org.freedesktop.Notifications")));
    }
};

QTEST_MAIN(TestNotifier)
#include "tst_notifier.moc"
