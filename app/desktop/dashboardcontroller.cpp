// SPDX-License-Identifier: GPL-3.0-or-later
#include "desktop/dashboardcontroller.h"

#include "common/logging.h"
#include "desktop/auditexport.h"
#include "desktop/auditlistmodel.h"
#include "desktop/dashboardcontext.h"
#include "store/auditlog.h"
#include "store/clientstore.h"
#include "store/database.h"

#include <QClipboard>
#include <QCoreApplication>
#include <QDateTime>
#include <QDeadlineTimer>
#include <QFileInfo>
#include <QGuiApplication>
#include <QJSEngine>
#include <QLocale>
#include <QSaveFile>
#include <QThread>
#include <QTimer>

#include <memory>

namespace Tessera::App {

namespace {
QPointer<DashboardController> s_instance;
QList<QPointer<QThread>> s_threads;

QVariantMap failure(const QString &message)
{
    return QVariantMap { { QStringLiteral("ok"), false }, { QStringLiteral("message"), message } };
}
} // namespace

DashboardController::DashboardController(DashboardContext *context, QObject *parent)
    : QObject(parent), m_context(context), m_clock(new QTimer(this))
{
    m_clock->setInterval(1000);
    connect(m_clock, &QTimer::timeout, this, &DashboardController::tick);
    m_clock->start();
    tick();
    if (context)
        connect(context, &DashboardContext::servicesChanged, this, &DashboardController::servicesChanged);
}

DashboardController::~DashboardController()
{
    // A worker still reading (a long verification) must not outlive what it reports to.
    for (const QPointer<QThread> &t : std::as_const(s_threads)) {
        if (t) {
            t->wait();
            delete t.data();
        }
    }
    s_threads.clear();
    if (s_instance == this)
        s_instance = nullptr;
}

DashboardController *DashboardController::create(QQmlEngine *, QJSEngine *)
{
    Q_ASSERT(s_instance);
    QJSEngine::setObjectOwnership(s_instance.data(), QJSEngine::CppOwnership);
    return s_instance.data();
}

void DashboardController::setInstance(DashboardController *instance)
{
    s_instance = instance;
}

void DashboardController::tick()
{
    const qint64 now = m_context ? m_context->clock().nowSecs() : QDateTime::currentSecsSinceEpoch();
    if (now == m_now)
        return;
    m_now = now;
    Q_EMIT nowChanged();
}

bool DashboardController::revocationAvailable() const
{
    return m_context && m_context->grantService();
}

QString DashboardController::revocationUnavailableReason() const
{
    return m_context ? m_context->revocationUnavailableReason() : tr("Tessera is not ready.");
}

QString DashboardController::issuer() const
{
    return m_context ? m_context->issuer() : QString();
}

void DashboardController::runRead(ReadJob job, std::function<void(const QVariantMap &)> done)
{
    if (!m_context || !m_context->database()) {
        done(failure(tr("Tessera is not ready.")));
        return;
    }
    ++m_running;
    const QString path = m_context->databaseFile();
    if (path.isEmpty()) {
        const QVariantMap result = job(*m_context->database());
        QTimer::singleShot(0, this, [this, result, done] {
            --m_running;
            done(result);
        });
        return;
    }
    auto result = std::make_shared<QVariantMap>();
    QThread *thread = QThread::create([path, job, result] {
        auto db = Store::Database::open(path);
        *result = db ? job(**db) : failure(db.error().message);
    });
    connect(thread, &QThread::finished, this, [this, result, done, thread] {
        --m_running;
        s_threads.removeAll(thread);
        thread->deleteLater();
        done(*result);
    });
    s_threads.append(thread);
    thread->start(QThread::LowPriority);
}

bool DashboardController::waitForIdle(int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (m_running > 0 && !deadline.hasExpired())
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
    return m_running == 0;
}

void DashboardController::setChain(const QString &state, const QString &message, qint64 events)
{
    m_chainState = state;
    m_chainMessage = message;
    m_chainEvents = events;
    if (state != QStringLiteral("verifying"))
        m_chainCheckedAt = m_context ? m_context->clock().nowSecs() : QDateTime::currentSecsSinceEpoch();
    Q_EMIT chainChanged();
}

void DashboardController::verifyChain()
{
    if (m_chainState == QStringLiteral("verifying"))
        return;
    setChain(QStringLiteral("verifying"), tr("Checking the audit chain…"), m_chainEvents);
    const Clock *clock = m_context ? &m_context->clock() : &SystemClock::instance();
    runRead(
        [clock](Store::Database &db) {
            Store::AuditLog log(db, *clock);
            auto report = log.verify();
            if (!report)
                return failure(report.error().message);
            return QVariantMap { { QStringLiteral("ok"), true }, { QStringLiteral("intact"), report->ok },
                { QStringLiteral("rows"), report->rowsChecked }, { QStringLiteral("firstBad"), report->firstBadSeq },
                { QStringLiteral("reason"), report->reason } };
        },
        [this](const QVariantMap &r) {
            if (!r.value(QStringLiteral("ok")).toBool()) {
                setChain(QStringLiteral("error"),
                    tr("The audit chain could not be checked: %1").arg(r.value(QStringLiteral("message")).toString()),
                    0);
                return;
            }
            const qint64 rows = r.value(QStringLiteral("rows")).toLongLong();
            if (r.value(QStringLiteral("intact")).toBool()) {
                setChain(QStringLiteral("ok"),
                    rows == 1 ? tr("Audit chain intact: 1 event verified.")
                              : tr("Audit chain intact: %1 events verified.").arg(formatCount(rows)),
                    rows);
            } else {
                qCWarning(lcApp).noquote()
                    << "audit chain verification failed at event" << r.value(QStringLiteral("firstBad")).toLongLong();
                setChain(QStringLiteral("broken"),
                    tr("Audit chain broken at event %1: %2")
                        .arg(r.value(QStringLiteral("firstBad")).toLongLong())
                        .arg(r.value(QStringLiteral("reason")).toString()),
                    rows);
            }
        });
}

void DashboardController::exportAudit(const QUrl &file, const QString &format, AuditListModel *model)
{
    const auto fmt = AuditExport::formatFromString(format);
    if (!fmt || !model || !file.isLocalFile()) {
        Q_EMIT exportFinished(false, tr("Choose a local file and a format (JSON Lines or CSV)."), file);
        return;
    }
    if (m_exporting) {
        Q_EMIT exportFinished(false, tr("An export is already running."), file);
        return;
    }
    m_exporting = true;
    Q_EMIT exportingChanged();
    const QString path = file.toLocalFile();
    const Store::AuditFilter filter = model->filter();
    const Clock *clock = m_context ? &m_context->clock() : &SystemClock::instance();
    runRead(
        [path, filter, fmt, clock](Store::Database &db) {
            QHash<QString, QString> names;
            if (auto clients = Store::ClientStore(db).list()) {
                for (const Store::Client &c : *clients)
                    names.insert(c.clientId, c.clientName);
            }
            QSaveFile out(path);
            if (!out.open(QIODevice::WriteOnly))
                return failure(tr("Could not write %1: %2").arg(path, out.errorString()));
            Store::AuditLog log(db, *clock);
            auto written = AuditExport::write(log, filter, *fmt, out, names);
            if (!written) {
                out.cancelWriting();
                return failure(written.error().message);
            }
            if (!out.commit())
                return failure(tr("Could not write %1: %2").arg(path, out.errorString()));
            return QVariantMap { { QStringLiteral("ok"), true }, { QStringLiteral("count"), *written } };
        },
        [this, file, path](const QVariantMap &r) {
            m_exporting = false;
            Q_EMIT exportingChanged();
            if (!r.value(QStringLiteral("ok")).toBool()) {
                Q_EMIT exportFinished(false, r.value(QStringLiteral("message")).toString(), file);
                return;
            }
            const qint64 n = r.value(QStringLiteral("count")).toLongLong();
            Q_EMIT exportFinished(true,
                (n == 1 ? tr("Exported 1 event to %1.").arg(QFileInfo(path).fileName())
                        : tr("Exported %1 events to %2.").arg(formatCount(n), QFileInfo(path).fileName())),
                file);
        });
}

void DashboardController::copyText(const QString &text) const
{
    if (QClipboard *clipboard = QGuiApplication::clipboard())
        clipboard->setText(text);
}

QString DashboardController::formatDateTime(qint64 secs) const
{
    if (secs <= 0)
        return QStringLiteral("—");
    const QDateTime t = QDateTime::fromSecsSinceEpoch(secs).toLocalTime();
    const QDateTime now = QDateTime::fromSecsSinceEpoch(m_now).toLocalTime();
    // Compact enough for a table column: minutes, not seconds; the year only when it differs.
    const QLocale locale;
    const QString time = locale.toString(t.time(), QStringLiteral("HH:mm"));
    if (t.date() == now.date())
        return tr("Today %1").arg(time);
    if (t.date() == now.date().addDays(-1))
        return tr("Yesterday %1").arg(time);
    if (t.date().year() == now.date().year())
        return locale.toString(t, QStringLiteral("d MMM HH:mm"));
    return locale.toString(t.date(), QStringLiteral("d MMM yyyy"));
}

QString DashboardController::formatTimestampMs(qint64 ms) const
{
    const QDateTime t = QDateTime::fromMSecsSinceEpoch(ms).toLocalTime();
    return QLocale().toString(t.date(), QLocale::ShortFormat) + u' ' + t.time().toString(QStringLiteral("HH:mm:ss"));
}

QString DashboardController::formatSeconds(qint64 secs)
{
    if (secs < 60)
        return tr("%1 s").arg(secs);
    if (secs < 3600)
        return secs % 60 == 0 || secs >= 600 ? tr("%1 min").arg(secs / 60)
                                             : tr("%1 min %2 s").arg(secs / 60).arg(secs % 60);
    if (secs < 86400) {
        const qint64 h = secs / 3600, m = (secs % 3600) / 60;
        return m == 0 ? tr("%1 h").arg(h) : tr("%1 h %2 min").arg(h).arg(m);
    }
    const qint64 d = secs / 86400, h = (secs % 86400) / 3600;
    const QString days = d == 1 ? tr("1 day") : tr("%1 days").arg(d);
    if (d >= 7 || h == 0)
        return days;
    return days + u' ' + tr("%1 h").arg(h);
}

QString DashboardController::formatRelative(qint64 secs) const
{
    if (secs <= 0)
        return tr("never");
    const qint64 delta = m_now - secs;
    if (delta >= 0 && delta < 45)
        return tr("just now");
    if (delta < 0 && -delta < 45)
        return tr("in a moment");
    const QString span
        = formatSeconds(std::abs(delta) < 3600 ? (std::abs(delta) / 60) * 60 : std::abs(delta) / 3600 * 3600);
    return delta > 0 ? tr("%1 ago").arg(span) : tr("in %1").arg(span);
}

QString DashboardController::formatAgo(qint64 secs) const
{
    return secs <= 0 ? formatRelative(secs) : formatRelative(std::min(secs, m_now));
}

QString DashboardController::formatCountdown(qint64 expiresAt) const
{
    if (expiresAt <= 0)
        return tr("until revoked");
    const qint64 left = expiresAt - m_now;
    if (left <= 0)
        return tr("expired");
    if (left < 3600)
        return QStringLiteral("%1:%2").arg(left / 60).arg(left % 60, 2, 10, QLatin1Char('0'));
    return formatSeconds(left);
}

QString DashboardController::formatCount(qint64 n)
{
    return QLocale().toString(n);
}

} // namespace Tessera::App
