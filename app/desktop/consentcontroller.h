// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "consent/consentrequest.h"
#include "desktop/pendingrequestmodel.h" // complete types for the Q_PROPERTYs (Qt 6 moc)
#include "desktop/scopechoicemodel.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QVariantList>
#include <QtQml/qqmlregistration.h>

class QQmlEngine;
class QJSEngine;
class QTimer;

namespace Tessera {
class Clock;
}
namespace Tessera::Consent {
class ConsentBroker;
}
namespace Tessera::Store {
class Database;
}

namespace Tessera::App {

/**
 * @brief The consent prompt's view of Consent::ConsentBroker: the queue, the request on
 * screen, the person's choices, and the two answers.
 *
 *     broker --requestAdded--> queue (oldest first) --> current request --promptRequested--> window
 *     window --setWindowState(visible, active)--> arm: Approve works 1 s after the window is in front
 *     window --approve(duration) / deny()--> checks here, in C++ --> broker.decide()
 *     broker --requestResolved--> row leaves the queue; the next request becomes current (re-armed)
 *
 * The Approve delay is enforced here, not only in QML: approve() refuses when the window
 * has not been visible and active for armDelayMs since the request came on screen or the
 * window last regained focus, so a synthetic click, a shortcut or an accessibility action
 * cannot get around it (security-cases G1, G2). Every string that did not come from the
 * person is exposed escaped (displaySafe(); executable paths with displaySafePath(), so that
 * a look-alike slash shows as \u{2215}), and QML shows it only through PlainLabel: a line
 * break, control, bidi or separator character cannot forge a second line (issue 9, R1).
 * A local client's name is its executable's file name, marked as chosen by the caller.
 */
class ConsentController : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_SINGLETON
    // Qualified: qmllint matches property types by the name moc records.
    Q_PROPERTY(Tessera::App::PendingRequestModel *queue READ queue CONSTANT)
    Q_PROPERTY(Tessera::App::ScopeChoiceModel *scopes READ scopes CONSTANT)
    Q_PROPERTY(int count READ count NOTIFY queueChanged)
    Q_PROPERTY(int position READ position NOTIFY queueChanged)
    Q_PROPERTY(bool hasRequest READ hasRequest NOTIFY currentChanged)
    Q_PROPERTY(QString requestId READ requestId NOTIFY currentChanged)
    Q_PROPERTY(QString path READ path NOTIFY currentChanged)
    Q_PROPERTY(QString pathLabel READ pathLabel NOTIFY currentChanged)
    // Self-asserted by the client: shown as such.
    Q_PROPERTY(QString clientName READ clientName NOTIFY currentChanged)
    Q_PROPERTY(QString clientUri READ clientUri NOTIFY currentChanged)
    // Known to Tessera, or verified by it.
    Q_PROPERTY(QString clientId READ clientId NOTIFY currentChanged)
    Q_PROPERTY(QString clientKindLabel READ clientKindLabel NOTIFY currentChanged)
    Q_PROPERTY(QString verifiedDomain READ verifiedDomain NOTIFY currentChanged)
    Q_PROPERTY(QString redirectUri READ redirectUri NOTIFY currentChanged)
    Q_PROPERTY(QVariantList processChain READ processChain NOTIFY currentChanged)
    Q_PROPERTY(QString commandLine READ commandLine NOTIFY currentChanged)
    Q_PROPERTY(QStringList secrets READ secrets NOTIFY currentChanged)
    Q_PROPERTY(QStringList warnings READ warnings NOTIFY currentChanged)
    // What.
    Q_PROPERTY(QString resourceName READ resourceName NOTIFY currentChanged)
    Q_PROPERTY(QString resourceUri READ resourceUri NOTIFY currentChanged)
    Q_PROPERTY(int mergedCount READ mergedCount NOTIFY mergedCountChanged)
    /**
     * @brief Step-up (R10): the permissions already granted take the new duration too. Off for
     * every new request; the prompt shows each held permission's end beside this choice.
     */
    Q_PROPERTY(bool extendHeld READ extendHeld WRITE setExtendHeld NOTIFY extendHeldChanged)
    /** @brief R5: the process chain of each requester merged in after the first (lists of processChain maps). */
    Q_PROPERTY(QVariantList mergedChains READ mergedChains NOTIFY mergedCountChanged)
    // Answering.
    Q_PROPERTY(QVariantList durations READ durations CONSTANT)
    Q_PROPERTY(QString defaultDuration READ defaultDuration NOTIFY currentChanged)
    Q_PROPERTY(int secondsLeft READ secondsLeft NOTIFY secondsLeftChanged)
    Q_PROPERTY(bool armed READ armed NOTIFY armedChanged)
    /** R12: every requested permission has been on screen (the window reports it). */
    Q_PROPERTY(bool requestSeen READ requestSeen NOTIFY requestSeenChanged)
    Q_PROPERTY(bool canApprove READ canApprove NOTIFY canApproveChanged)
    Q_PROPERTY(bool windowActive READ windowActive NOTIFY windowStateChanged)
    Q_PROPERTY(QString lastError READ lastError NOTIFY lastErrorChanged)

public:
    static constexpr int DefaultArmDelayMs = 1000;

    /** @param broker may be null (no database): the queue then stays empty. */
    ConsentController(
        Consent::ConsentBroker *broker, Store::Database *db, const Clock &clock, QObject *parent = nullptr);
    ~ConsentController() override;

    /** @brief QML singleton factory: the instance setupPrompt() made (C++ ownership). */
    static ConsentController *create(QQmlEngine *, QJSEngine *);
    static void setInstance(ConsentController *instance);

    /** @brief Tests and screenshots: a shorter (or longer) Approve delay. Never from QML. */
    void setArmDelayMs(int ms);
    [[nodiscard]] int armDelayMs() const { return m_armDelayMs; }

    [[nodiscard]] PendingRequestModel *queue() const { return m_queue; }
    [[nodiscard]] ScopeChoiceModel *scopes() const { return m_scopes; }
    [[nodiscard]] int count() const;
    [[nodiscard]] int position() const;
    [[nodiscard]] bool hasRequest() const { return !m_currentId.isEmpty(); }
    [[nodiscard]] QString requestId() const { return m_currentId; }
    [[nodiscard]] QString path() const;
    [[nodiscard]] QString pathLabel() const;
    [[nodiscard]] QString clientName() const;
    [[nodiscard]] QString clientUri() const;
    [[nodiscard]] QString clientId() const;
    [[nodiscard]] QString clientKindLabel() const;
    [[nodiscard]] QString verifiedDomain() const;
    [[nodiscard]] QString redirectUri() const;
    /** @brief [{pid, exe, comm}], nearest first; exe escaped with displaySafePath(), comm with displaySafe(). */
    [[nodiscard]] QVariantList processChain() const;
    [[nodiscard]] QString commandLine() const;
    [[nodiscard]] QStringList secrets() const;
    [[nodiscard]] QStringList warnings() const { return m_warnings; }
    [[nodiscard]] QString resourceName() const;
    [[nodiscard]] QString resourceUri() const;
    [[nodiscard]] int mergedCount() const { return m_current.mergedCount; }
    [[nodiscard]] QVariantList mergedChains() const;
    [[nodiscard]] bool extendHeld() const { return m_extendHeld; }
    void setExtendHeld(bool extend);
    [[nodiscard]] QVariantList durations() const;
    [[nodiscard]] QString defaultDuration() const { return m_defaultDuration; }
    [[nodiscard]] int secondsLeft() const { return m_secondsLeft; }
    [[nodiscard]] bool armed() const { return m_armed; }
    [[nodiscard]] bool requestSeen() const { return m_requestSeen; }
    /**
     * @brief Issue 9 R12: the window says that what is asked (the resource and every requested
     * scope) has been inside the visible area. Approve stays disarmed until then, whatever the
     * delay; the next request starts unseen again.
     */
    Q_INVOKABLE void markRequestSeen();
    [[nodiscard]] bool canApprove() const;
    [[nodiscard]] bool windowActive() const { return m_windowVisible && m_windowActive; }
    [[nodiscard]] QString lastError() const { return m_lastError; }

    /**
     * @brief The window reports whether it is shown and has focus. Losing either disarms
     * Approve; getting both back re-arms it after armDelayMs.
     */
    Q_INVOKABLE void setWindowState(bool visible, bool active);

    /**
     * @brief Approves the request on screen with the ticked scopes for @p durationKey
     * ("once", "1h", "1d", "forever"). Refused (false, lastError says why) before the
     * Approve delay has passed, with no new scope ticked, or with an unknown duration.
     */
    Q_INVOKABLE bool approve(const QString &durationKey);
    /** @brief Denies the request on screen. Never delayed: saying no is always safe. */
    Q_INVOKABLE bool deny();
    /** @brief Someone (tray, notification) wants the prompt in front. */
    Q_INVOKABLE void requestPrompt();

Q_SIGNALS:
    void queueChanged();
    void currentChanged();
    void mergedCountChanged();
    void extendHeldChanged();
    void secondsLeftChanged();
    void armedChanged();
    void requestSeenChanged();
    void canApproveChanged();
    void windowStateChanged();
    void lastErrorChanged();
    /** @brief A request arrived or someone asked for the prompt: show, raise and activate it. */
    void promptRequested();
    /** @brief A new request joined the queue (the notifier listens). */
    void requestArrived(const QString &id);

private:
    void onRequestAdded(const QString &id);
    void onRequestResolved(const QString &id, const QString &outcome);
    void makeCurrent(const QString &id);
    void rearm();
    void onArmTimer();
    void tick();
    void setLastError(const QString &message);
    void setArmed(bool armed);
    [[nodiscard]] bool armedNow() const;
    [[nodiscard]] QStringList warningsFor(const Consent::ConsentRequest &r) const;
    [[nodiscard]] QString readDefaultDuration() const;

    Consent::ConsentBroker *m_broker;
    Store::Database *m_db;
    const Clock &m_clock;
    PendingRequestModel *m_queue;
    ScopeChoiceModel *m_scopes;
    QHash<QString, Consent::ConsentRequest> m_requests; ///< everything in the queue, as it arrived
    QString m_currentId;
    Consent::ConsentRequest m_current;
    QStringList m_warnings;
    QString m_defaultDuration;
    QString m_lastError;
    int m_secondsLeft = 0;
    bool m_windowVisible = false;
    bool m_windowActive = false;
    bool m_armed = false;
    bool m_requestSeen = false;
    bool m_extendHeld = false;
    bool m_canApprove = false;
    int m_armDelayMs = DefaultArmDelayMs;
    QElapsedTimer m_inFrontFor; ///< since the current request has been on screen in an active window
    QTimer *m_armTimer;
    QTimer *m_tickTimer;
};

} // namespace Tessera::App
