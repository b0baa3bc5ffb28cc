// SPDX-License-Identifier: GPL-3.0-or-later
#include "desktop/consentcontroller.h"

#include "common/clock.h"
#include "common/displaytext.h"
#include "common/logging.h"
#include "consent/consentbroker.h"
#include "desktop/pendingrequestmodel.h"
#include "desktop/scopechoicemodel.h"
#include "store/clientstore.h"
#include "store/settingsstore.h"

#include <QJSEngine>
#include <QPointer>
#include <QTimer>
#include <QUrl>
#include <QVariantMap>

namespace Tessera::App {

namespace {

QPointer<ConsentController> s_instance;

const QString DefaultDurationKey = QStringLiteral("consent.defaultDuration");

// Characters that change how the rest of a line reads without being seen (security-cases G4).
bool isInvisibleOrBidi(char32_t c)
{
    return (c >= 0x200B && c <= 0x200F) || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) || c == 0x061C
        || c == 0xFEFF || c == 0x00AD || QChar::category(c) == QChar::Other_Control;
}

QStringList nameWarnings(const QString &name)
{
    QStringList out;
    bool hidden = false, latin = false, lookalike = false;
    for (const char32_t c : name.toUcs4()) {
        hidden = hidden || isInvisibleOrBidi(c);
        const QChar::Script script = QChar::script(c);
        latin = latin || script == QChar::Script_Latin;
        lookalike = lookalike || script == QChar::Script_Cyrillic || script == QChar::Script_Greek;
    }
    if (hidden)
        out.append(ConsentController::tr(
            "The name contains invisible or direction-changing characters, which can make it read as something else."));
    if (latin && lookalike)
        out.append(ConsentController::tr("The name mixes Latin letters with look-alike Cyrillic or Greek ones, a "
                                         "common way to imitate another name."));
    if (name.size() > 64)
        out.append(ConsentController::tr("The name is unusually long (%n characters).", nullptr, int(name.size())));
    return out;
}

} // namespace

ConsentController::ConsentController(
    Consent::ConsentBroker *broker, Store::Database *db, const Clock &clock, QObject *parent)
    : QObject(parent)
    , m_broker(broker)
    , m_db(db)
    , m_clock(clock)
    , m_queue(new PendingRequestModel(this))
    , m_scopes(new ScopeChoiceModel(this))
    , m_armTimer(new QTimer(this))
    , m_tickTimer(new QTimer(this))
{
    // Precise: a coarse timer may fire up to 5% early, and approve() checks the real elapsed time.
    m_armTimer->setSingleShot(true);
    m_armTimer->setTimerType(Qt::PreciseTimer);
    connect(m_armTimer, &QTimer::timeout, this, &ConsentController::onArmTimer);
    m_tickTimer->setInterval(500);
    connect(m_tickTimer, &QTimer::timeout, this, &ConsentController::tick);
    connect(m_scopes, &ScopeChoiceModel::choiceChanged, this, [this] {
        if (m_canApprove != canApprove()) {
            m_canApprove = canApprove();
            Q_EMIT canApproveChanged();
        }
    });
    m_defaultDuration = readDefaultDuration();
    if (!m_broker)
        return;
    connect(m_broker, &Consent::ConsentBroker::requestAdded, this, &ConsentController::onRequestAdded);
    connect(m_broker, &Consent::ConsentBroker::requestResolved, this, &ConsentController::onRequestResolved);
    for (const Consent::ConsentRequest &r : m_broker->pending())
        onRequestAdded(r.id);
}

ConsentController::~ConsentController() = default;

ConsentController *ConsentController::create(QQmlEngine *, QJSEngine *)
{
    Q_ASSERT(s_instance);
    QJSEngine::setObjectOwnership(s_instance.data(), QJSEngine::CppOwnership);
    return s_instance.data();
}

void ConsentController::setInstance(ConsentController *instance)
{
    s_instance = instance;
}

void ConsentController::setArmDelayMs(int ms)
{
    m_armDelayMs = qMax(0, ms);
    rearm();
}

void ConsentController::onRequestAdded(const QString &id)
{
    const std::optional<Consent::ConsentRequest> r = m_broker->find(id);
    if (!r || m_requests.contains(id))
        return;
    m_requests.insert(id, *r);
    m_queue->append(*r);
    Q_EMIT queueChanged();
    if (!hasRequest())
        makeCurrent(id);
    Q_EMIT requestArrived(id);
    Q_EMIT promptRequested();
}

void ConsentController::onRequestResolved(const QString &id, const QString &outcome)
{
    const auto it = m_requests.constFind(id);
    if (it == m_requests.constEnd())
        return;
    // "The executable differs from last time" needs a last time: what acted for an approved client.
    if (outcome == Consent::outcomeToString(Consent::Decision::Outcome::Approved) && m_db
        && !it->requester.processChain.isEmpty() && !it->requester.processChain.first().exe.isEmpty()) {
        if (Status s = Store::ClientStore(*m_db).recordExecutable(
                it->requester.clientId, it->requester.processChain.first().exe, m_clock.nowSecs());
            !s)
            qCWarning(lcApp).noquote() << "could not record the client's executable:" << s.error().code;
    }
    m_requests.erase(it);
    m_queue->remove(id);
    Q_EMIT queueChanged();
    if (id == m_currentId)
        makeCurrent(m_queue->idAt(0)); // the next in arrival order (the queue is oldest first)
}

void ConsentController::makeCurrent(const QString &id)
{
    m_currentId = m_requests.contains(id) ? id : QString();
    m_current = m_requests.value(m_currentId);
    m_warnings = hasRequest() ? warningsFor(m_current) : QStringList();
    m_scopes->reset(m_current.scopes, m_current.heldUntil);
    if (m_extendHeld) {
        m_extendHeld = false; // a new request: held scopes keep their ends unless chosen again
        Q_EMIT extendHeldChanged();
    }
    m_defaultDuration = readDefaultDuration();
    if (m_requestSeen) { // R12: a new request must be seen whole again
        m_requestSeen = false;
        Q_EMIT requestSeenChanged();
    }
    setLastError({});
    if (hasRequest())
        m_tickTimer->start();
    else
        m_tickTimer->stop();
    tick();
    Q_EMIT currentChanged();
    Q_EMIT mergedCountChanged();
    // Another request in the same place: the person must see it for the full delay (G1).
    rearm();
}

void ConsentController::rearm()
{
    setArmed(false);
    m_armTimer->stop();
    if (m_windowVisible && m_windowActive && hasRequest()) {
        m_inFrontFor.start();
        m_armTimer->start(m_armDelayMs);
    } else {
        m_inFrontFor.invalidate();
    }
}

void ConsentController::onArmTimer()
{
    if (armedNow()) {
        setArmed(true);
        return;
    }
    if (!m_requestSeen)
        return; // markRequestSeen() arms once the delay has passed and everything was on screen
    if (m_inFrontFor.isValid()) // woke a little early: wait for the rest
        m_armTimer->start(int(qMax<qint64>(1, m_armDelayMs - m_inFrontFor.elapsed())));
}

bool ConsentController::armedNow() const
{
    return hasRequest() && m_requestSeen && m_windowVisible && m_windowActive && m_inFrontFor.isValid()
        && m_inFrontFor.elapsed() >= m_armDelayMs;
}

void ConsentController::markRequestSeen()
{
    if (!hasRequest() || m_requestSeen)
        return;
    m_requestSeen = true;
    Q_EMIT requestSeenChanged();
    if (armedNow())
        setArmed(true); // else the arm timer arms it once the delay has passed
}

void ConsentController::setArmed(bool armed)
{
    if (m_armed != armed) {
        m_armed = armed;
        Q_EMIT armedChanged();
    }
    if (m_canApprove != canApprove()) {
        m_canApprove = canApprove();
        Q_EMIT canApproveChanged();
    }
}

bool ConsentController::canApprove() const
{
    return m_armed && hasRequest() && (m_scopes->newCount() == 0 || m_scopes->checkedNewCount() > 0);
}

void ConsentController::setWindowState(bool visible, bool active)
{
    if (m_windowVisible == visible && m_windowActive == active)
        return;
    const bool wasInFront = windowActive();
    m_windowVisible = visible;
    m_windowActive = active;
    Q_EMIT windowStateChanged();
    if (wasInFront != windowActive())
        rearm();
}

bool ConsentController::approve(const QString &durationKey)
{
    if (!hasRequest())
        return false;
    if (!m_requestSeen) {
        qCInfo(lcApp).noquote() << "approval refused: not every requested permission was on screen";
        setLastError(tr("Scroll down first: Approve works once every permission asked for has been on screen."));
        return false;
    }
    if (!armedNow()) {
        qCInfo(lcApp).noquote() << "approval refused: the prompt was not in front long enough";
        setLastError(tr("Approve works once this window has been in front for a moment."));
        return false;
    }
    const std::optional<Consent::Duration> duration = Consent::durationFromString(durationKey);
    if (!duration) {
        setLastError(tr("Choose how long the access lasts."));
        return false;
    }
    if (m_scopes->newCount() > 0 && m_scopes->checkedNewCount() == 0) {
        setLastError(tr("Tick at least one permission, or deny the request."));
        return false;
    }
    Consent::Decision decision
        = Consent::Decision::approve(m_scopes->approvedScopes(), *duration, QStringLiteral("desktop"));
    // R10: held scopes take this duration only when the person ticked it, with their ends on screen.
    decision.extendHeld = m_extendHeld && m_scopes->grantedCount() > 0;
    const Status decided = m_broker->decide(m_currentId, decision);
    if (!decided) {
        setLastError(decided.error().message);
        return false;
    }
    return true;
}

bool ConsentController::deny()
{
    if (!hasRequest())
        return false;
    const Status decided = m_broker->decide(m_currentId, Consent::Decision::deny(QStringLiteral("desktop")));
    if (!decided) {
        setLastError(decided.error().message);
        return false;
    }
    return true;
}

void ConsentController::requestPrompt()
{
    if (hasRequest())
        Q_EMIT promptRequested();
}

void ConsentController::tick()
{
    const int left = hasRequest() ? int(qMax<qint64>(0, (m_current.expiresAtMs - m_clock.nowMs() + 999) / 1000)) : 0;
    if (left != m_secondsLeft) {
        m_secondsLeft = left;
        Q_EMIT secondsLeftChanged();
    }
    // The broker folds identical requests into a pending one without a signal: keep the counts honest.
    if (!m_broker)
        return;
    for (auto it = m_requests.begin(); it != m_requests.end(); ++it) {
        const std::optional<Consent::ConsentRequest> live = m_broker->find(it.key());
        if (!live || (live->mergedCount == it->mergedCount && live->mergedChains.size() == it->mergedChains.size()))
            continue;
        it->mergedCount = live->mergedCount;
        it->mergedChains = live->mergedChains;
        m_queue->setMergedCount(it.key(), live->mergedCount);
        if (it.key() == m_currentId) {
            m_current.mergedCount = live->mergedCount;
            m_current.mergedChains = live->mergedChains;
            Q_EMIT mergedCountChanged();
        }
    }
}

void ConsentController::setExtendHeld(bool extend)
{
    if (extend == m_extendHeld)
        return;
    m_extendHeld = extend;
    Q_EMIT extendHeldChanged();
}

void ConsentController::setLastError(const QString &message)
{
    if (m_lastError != message) {
        m_lastError = message;
        Q_EMIT lastErrorChanged();
    }
}

int ConsentController::count() const
{
    return m_queue->count();
}

int ConsentController::position() const
{
    return m_queue->indexOf(m_currentId) + 1;
}

QString ConsentController::path() const
{
    return hasRequest() ? Consent::pathToString(m_current.path) : QString();
}

QString ConsentController::pathLabel() const
{
    if (!hasRequest())
        return {};
    switch (m_current.path) {
    case Consent::Path::Authorize:
        return tr("Sign-in through the browser");
    case Consent::Path::Token:
        return tr("Token for a program (tessera-cli token)");
    case Consent::Path::Secret:
        return tr("A secret for a program");
    case Consent::Path::Exec:
        return tr("Start a program with a secret (tessera-cli exec)");
    }
    return {};
}

QString ConsentController::clientName() const
{
    return PendingRequestModel::displayName(m_current.requester.clientName, m_current.requester.clientKind);
}

QString ConsentController::clientUri() const
{
    return displaySafe(m_current.requester.clientUri);
}

QString ConsentController::clientId() const
{
    return displaySafe(m_current.requester.clientId);
}

QString ConsentController::verifiedDomain() const
{
    return displaySafe(m_current.requester.verifiedDomain);
}

QString ConsentController::redirectUri() const
{
    return displaySafe(m_current.requester.redirectUri);
}

QString ConsentController::commandLine() const
{
    return displaySafe(m_current.requester.commandLine);
}

QStringList ConsentController::secrets() const
{
    QStringList out;
    for (const QString &s : m_current.secrets)
        out.append(displaySafe(s));
    return out;
}

QString ConsentController::resourceName() const
{
    return displaySafe(m_current.resourceName);
}

QString ConsentController::resourceUri() const
{
    return displaySafe(m_current.resourceUri);
}

QString ConsentController::clientKindLabel() const
{
    const QString &kind = m_current.requester.clientKind;
    if (kind == QStringLiteral("dcr"))
        return tr("Registered itself with Tessera");
    if (kind == QStringLiteral("cimd"))
        return tr("Identified by a metadata document on its web site");
    if (kind == QStringLiteral("preregistered"))
        return tr("Added by you");
    if (kind == QStringLiteral("local"))
        return tr("A program on this computer");
    return kind;
}

namespace {
QVariantList chainForQml(const QList<Consent::ProcessFact> &chain)
{
    QVariantList out;
    for (const Consent::ProcessFact &p : chain) {
        // The prompt joins these into lines: a "\n" or a fake "/" in a path must stay visible as such.
        out.append(QVariantMap { { QStringLiteral("pid"), p.pid }, { QStringLiteral("exe"), displaySafePath(p.exe) },
            { QStringLiteral("comm"), displaySafe(p.comm) } });
    }
    return out;
}
} // namespace

QVariantList ConsentController::processChain() const
{
    return chainForQml(m_current.requester.processChain);
}

QVariantList ConsentController::mergedChains() const
{
    QVariantList out;
    for (const QList<Consent::ProcessFact> &chain : m_current.mergedChains)
        out.append(QVariant(chainForQml(chain)));
    return out;
}

QVariantList ConsentController::durations() const
{
    const auto entry = [](Consent::Duration d, const QString &label) {
        return QVariantMap { { QStringLiteral("key"), Consent::durationToString(d) },
            { QStringLiteral("label"), label } };
    };
    return {
        entry(Consent::Duration::Once, tr("Only this once")),
        entry(Consent::Duration::OneHour, tr("For 1 hour")),
        entry(Consent::Duration::OneDay, tr("For 1 day")),
        entry(Consent::Duration::UntilRevoked, tr("Until I revoke it")),
    };
}

QString ConsentController::readDefaultDuration() const
{
    const QString fallback = Consent::durationToString(Consent::Duration::OneHour);
    if (!m_db)
        return fallback;
    const QString stored = Store::SettingsStore(*m_db).value(DefaultDurationKey, fallback).valueOr(fallback);
    // Normalise ("until_revoked" is accepted too) and ignore what is not a duration.
    const std::optional<Consent::Duration> d = Consent::durationFromString(stored);
    return d ? Consent::durationToString(*d) : fallback;
}

QStringList ConsentController::warningsFor(const Consent::ConsentRequest &r) const
{
    QStringList out;
    const Consent::Requester &who = r.requester;
    if (who.newClient)
        out.append(tr("First request from this agent: you have never approved anything for it."));
    if (!who.previousExecutable.isEmpty() && !who.processChain.isEmpty()) {
        out.append(tr("The program acting for this agent changed. Last time: %1. Now: %2.")
                       .arg(displaySafePath(who.previousExecutable), displaySafePath(who.processChain.first().exe)));
    }
    bool lookalike = false, escapedPath = false;
    for (const Consent::ProcessFact &p : who.processChain) {
        lookalike = lookalike || hasLookalikeSlash(p.exe);
        escapedPath = escapedPath || needsEscaping(p.exe);
    }
    if (lookalike)
        out.append(tr("A program path contains a character that looks like “/” but is not one (shown as \\u{…}): "
                      "its folder is not what it seems."));
    if (escapedPath)
        out.append(tr("A program path contains a line break, a control character or a backslash, shown escaped "
                      "(\\n, \\x…, \\u{…}, \\\\): read it with care."));
    out += nameWarnings(who.clientName);
    if (who.loopbackRedirect) {
        const int port = QUrl(who.redirectUri).port(80);
        out.append(tr("The answer goes to port %1 on this computer; only the program listening there identifies "
                      "this agent.")
                       .arg(port));
        out += who.receiverWarnings; // already says why nothing is known, when it is not
        if (who.processChain.isEmpty() && who.receiverWarnings.isEmpty())
            out.append(tr("Tessera could not see which program of yours listens on port %1.").arg(port));
    }
    if (who.localhostName)
        out.append(tr("The redirect uses the name “localhost” rather than 127.0.0.1, which can resolve elsewhere."));
    if (!who.loopbackRedirect)
        out += who.receiverWarnings; // local callers: what Tessera found about the caller's file (R2)
    return out;
}

} // namespace Tessera::App
