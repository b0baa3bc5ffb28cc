// SPDX-License-Identifier: GPL-3.0-or-later
#include "desktop/auditlistmodel.h"

#include "common/displaytext.h"
#include "common/logging.h"
#include "desktop/dashboardcontext.h"
#include "store/clientstore.h"
#include "store/database.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTimer>

#include <algorithm>

namespace Tessera::App {

namespace {
constexpr int kMaxFacetValues = 500;

// Distinct values of an indexed column: one index seek per value (a skip-scan), so the
// filter menus cost the same with a thousand events or a million.
Result<QStringList> distinctValues(Store::Database &db, const QString &column)
{
    const QString sql
        = QStringLiteral("WITH RECURSIVE v(x, n) AS ("
                         "SELECT (SELECT %1 FROM audit_events WHERE %1 IS NOT NULL ORDER BY %1 LIMIT 1), 1 "
                         "UNION ALL "
                         "SELECT (SELECT %1 FROM audit_events WHERE %1 > v.x ORDER BY %1 LIMIT 1), n + 1 "
                         "FROM v WHERE v.x IS NOT NULL AND n < %2) "
                         "SELECT x FROM v WHERE x IS NOT NULL")
              .arg(column)
              .arg(kMaxFacetValues);
    auto q = db.prepare(sql);
    if (!q)
        return q.error();
    if (Status s = q->exec(); !s)
        return s.error();
    QStringList out;
    while (q->next())
        out.append(q->text(0));
    if (Status s = q->status(); !s)
        return s.error();
    return out;
}

QString scopesText(const QJsonObject &d)
{
    QStringList scopes;
    for (const QJsonValue &v : d.value(QStringLiteral("scopes")).toArray())
        scopes.append(v.toString());
    return scopes.join(QStringLiteral(", "));
}

QString durationText(const QString &d)
{
    if (d == QStringLiteral("once"))
        return AuditListModel::tr("once");
    if (d == QStringLiteral("1h"))
        return AuditListModel::tr("1 hour");
    if (d == QStringLiteral("1d"))
        return AuditListModel::tr("1 day");
    if (d == QStringLiteral("forever") || d == QStringLiteral("until_revoked"))
        return AuditListModel::tr("until revoked");
    return d;
}
} // namespace

AuditListModel::AuditListModel(QObject *parent) : AuditListModel(DashboardContext::instance(), parent) { }

AuditListModel::AuditListModel(DashboardContext *context, QObject *parent)
    : QAbstractListModel(parent), m_timer(new QTimer(this))
{
    m_timer->setInterval(2000);
    connect(m_timer, &QTimer::timeout, this, &AuditListModel::refresh);
    attach(context);
}

AuditListModel::~AuditListModel() = default;

void AuditListModel::attach(DashboardContext *context)
{
    m_context = context;
    if (!context)
        return;
    connect(context, &DashboardContext::auditChanged, this, [this] {
        if (m_complete)
            refresh();
    });
}

void AuditListModel::classBegin()
{
    m_complete = false;
}

void AuditListModel::componentComplete()
{
    m_complete = true;
    reloadFacets();
    reload();
}

int AuditListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QVariant AuditListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = m_rows.at(index.row());
    const Store::AuditEvent &e = row.event;
    switch (role) {
    case Qt::DisplayRole:
    case SummaryRole:
        return row.summary;
    case SeqRole:
        return e.seq;
    case TimeMsRole:
        return e.tsMs;
    case KindRole:
        return e.kind;
    case ActorRole:
        return e.actor;
    case ClientIdRole:
        return e.clientId;
    case ClientNameRole:
        return m_clientNames.value(e.clientId);
    case ResourceRole:
        return e.resource;
    case GrantIdRole:
        return e.grantId;
    case DetailsRole:
        return QString::fromUtf8(e.details);
    case HashRole:
        return QString::fromLatin1(e.hash.toHex());
    default:
        return {};
    }
}

QHash<int, QByteArray> AuditListModel::roleNames() const
{
    return {
        { Qt::DisplayRole, "display" },
        { SeqRole, "seq" },
        { TimeMsRole, "timeMs" },
        { KindRole, "kind" },
        { ActorRole, "actor" },
        { ClientIdRole, "clientId" },
        { ClientNameRole, "clientName" },
        { ResourceRole, "resource" },
        { GrantIdRole, "grantId" },
        { DetailsRole, "details" },
        { SummaryRole, "summary" },
        { HashRole, "hash" },
    };
}

QVariantMap AuditListModel::get(int row) const
{
    QVariantMap out;
    if (row < 0 || row >= m_rows.size())
        return out;
    const QHash<int, QByteArray> names = roleNames();
    for (auto it = names.begin(); it != names.end(); ++it)
        out.insert(QString::fromLatin1(it.value()), data(index(row), it.key()));
    return out;
}

Store::AuditFilter AuditListModel::filter() const
{
    Store::AuditFilter f = m_filter;
    f.beforeSeq.reset();
    f.limit = m_pageSize;
    return f;
}

AuditListModel::Row AuditListModel::makeRow(Store::AuditEvent event) const
{
    Row row;
    row.summary = summarize(event);
    row.event = std::move(event);
    return row;
}

void AuditListModel::loadClientNames()
{
    if (!m_context || !m_context->database())
        return;
    auto all = Store::ClientStore(*m_context->database()).list();
    if (!all) {
        setLastError(all.error().message);
        return;
    }
    m_clientNames.clear();
    for (const Store::Client &c : *all)
        m_clientNames.insert(c.clientId, displaySafe(c.clientName)); // the agent's claim, escaped (R1)
}

void AuditListModel::reload()
{
    beginResetModel();
    m_rows.clear();
    m_next.reset();
    if (m_context && m_context->database() && m_context->auditLog()) {
        loadClientNames();
        auto page = m_context->auditLog()->query(filter());
        if (page) {
            m_rows.reserve(page->events.size());
            for (Store::AuditEvent &e : page->events)
                m_rows.append(makeRow(std::move(e)));
            m_next = page->nextBeforeSeq;
            setLastError({});
        } else {
            setLastError(page.error().message);
        }
    }
    endResetModel();
    Q_EMIT countChanged();
}

bool AuditListModel::canFetchMore(const QModelIndex &parent) const
{
    return !parent.isValid() && m_next.has_value();
}

void AuditListModel::fetchMore(const QModelIndex &parent)
{
    if (parent.isValid() || !m_next || !m_context || !m_context->auditLog())
        return;
    Store::AuditFilter f = filter();
    f.beforeSeq = m_next;
    auto page = m_context->auditLog()->query(f);
    if (!page) {
        setLastError(page.error().message);
        m_next.reset();
        Q_EMIT countChanged();
        return;
    }
    m_next = page->nextBeforeSeq;
    if (!page->events.isEmpty()) {
        beginInsertRows({}, int(m_rows.size()), int(m_rows.size() + page->events.size() - 1));
        for (Store::AuditEvent &e : page->events)
            m_rows.append(makeRow(std::move(e)));
        endInsertRows();
    }
    Q_EMIT countChanged();
}

void AuditListModel::refresh()
{
    if (!m_context || !m_context->auditLog())
        return;
    if (m_rows.isEmpty()) {
        auto page = m_context->auditLog()->query(filter());
        if (page && !page->events.isEmpty()) {
            reloadFacets();
            reload();
        }
        return;
    }
    // Events never change: only newer ones can appear, above the first row.
    const qint64 top = m_rows.constFirst().event.seq;
    auto head = m_context->auditLog()->head();
    if (!head) {
        setLastError(head.error().message);
        return;
    }
    if (head->seq <= top)
        return;
    auto page = m_context->auditLog()->query(filter());
    if (!page) {
        setLastError(page.error().message);
        return;
    }
    QList<Store::AuditEvent> fresh;
    for (Store::AuditEvent &e : page->events) {
        if (e.seq <= top)
            break;
        fresh.append(std::move(e));
    }
    if (fresh.size() == page->events.size() && page->nextBeforeSeq && *page->nextBeforeSeq > top + 1) {
        reloadFacets();
        reload(); // more new events than a page: start over at the top
        return;
    }
    if (fresh.isEmpty())
        return;
    reloadFacets();
    beginInsertRows({}, 0, int(fresh.size() - 1));
    for (qsizetype i = 0; i < fresh.size(); ++i)
        m_rows.insert(i, makeRow(std::move(fresh[i])));
    endInsertRows();
    Q_EMIT countChanged();
}

void AuditListModel::reloadFacets()
{
    if (!m_context || !m_context->database())
        return;
    Store::Database &db = *m_context->database();
    auto kinds = distinctValues(db, QStringLiteral("kind"));
    auto resources = distinctValues(db, QStringLiteral("resource"));
    auto clientIds = distinctValues(db, QStringLiteral("client_id"));
    if (!kinds || !resources || !clientIds) {
        setLastError(tr("The filter choices could not be read."));
        return;
    }
    loadClientNames();
    QVariantList clients;
    for (const QString &id : std::as_const(*clientIds)) {
        const QString name = m_clientNames.value(id);
        clients.append(QVariantMap { { QStringLiteral("clientId"), id }, { QStringLiteral("name"), name } });
    }
    std::sort(clients.begin(), clients.end(), [](const QVariant &a, const QVariant &b) {
        const QVariantMap x = a.toMap(), y = b.toMap();
        const QString nx = x.value(QStringLiteral("name")).toString(), ny = y.value(QStringLiteral("name")).toString();
        if (nx.isEmpty() != ny.isEmpty())
            return ny.isEmpty();
        const int c = nx.localeAwareCompare(ny);
        return c != 0 ? c < 0
                      : x.value(QStringLiteral("clientId")).toString() < y.value(QStringLiteral("clientId")).toString();
    });
    if (*kinds == m_kinds && *resources == m_resources && clients == m_clients)
        return;
    m_kinds = *kinds;
    m_resources = *resources;
    m_clients = clients;
    Q_EMIT facetsChanged();
}

void AuditListModel::clearFilters()
{
    if (!filtered())
        return;
    m_filter.clientId.clear();
    m_filter.resource.clear();
    m_filter.kind.clear();
    m_filter.text.clear();
    m_filter.fromMs.reset();
    m_filter.toMs.reset();
    filtersChanged();
}

bool AuditListModel::filtered() const
{
    return !m_filter.clientId.isEmpty() || !m_filter.resource.isEmpty() || !m_filter.kind.isEmpty()
        || !m_filter.text.isEmpty() || m_filter.fromMs || m_filter.toMs;
}

void AuditListModel::filtersChanged()
{
    Q_EMIT filterChanged();
    if (m_complete)
        reload();
}

void AuditListModel::setClientFilter(const QString &v)
{
    if (v == m_filter.clientId)
        return;
    m_filter.clientId = v;
    filtersChanged();
}

void AuditListModel::setResourceFilter(const QString &v)
{
    if (v == m_filter.resource)
        return;
    m_filter.resource = v;
    filtersChanged();
}

void AuditListModel::setKindFilter(const QString &v)
{
    if (v == m_filter.kind)
        return;
    m_filter.kind = v;
    filtersChanged();
}

void AuditListModel::setSearchText(const QString &v)
{
    if (v == m_filter.text)
        return;
    m_filter.text = v;
    filtersChanged();
}

void AuditListModel::setFromMs(qint64 v)
{
    const std::optional<qint64> wanted = v > 0 ? std::optional<qint64>(v) : std::nullopt;
    if (wanted == m_filter.fromMs)
        return;
    m_filter.fromMs = wanted;
    filtersChanged();
}

void AuditListModel::setToMs(qint64 v)
{
    const std::optional<qint64> wanted = v > 0 ? std::optional<qint64>(v) : std::nullopt;
    if (wanted == m_filter.toMs)
        return;
    m_filter.toMs = wanted;
    filtersChanged();
}

void AuditListModel::setPageSize(int size)
{
    size = std::clamp(size, 1, 10000);
    if (size == m_pageSize)
        return;
    m_pageSize = size;
    Q_EMIT pageSizeChanged();
}

void AuditListModel::setAutoRefresh(bool on)
{
    if (on == m_autoRefresh)
        return;
    m_autoRefresh = on;
    if (on) {
        m_timer->start();
        if (m_complete)
            refresh();
    } else {
        m_timer->stop();
    }
    Q_EMIT autoRefreshChanged();
}

int AuditListModel::refreshIntervalMs() const
{
    return m_timer->interval();
}

void AuditListModel::setRefreshIntervalMs(int ms)
{
    ms = std::max(100, ms);
    if (ms == m_timer->interval())
        return;
    m_timer->setInterval(ms);
    Q_EMIT autoRefreshChanged();
}

void AuditListModel::setLastError(const QString &message)
{
    if (!message.isEmpty())
        qCWarning(lcApp).noquote() << "activity:" << message;
    if (message == m_lastError)
        return;
    m_lastError = message;
    Q_EMIT lastErrorChanged();
}

QString AuditListModel::summarize(const Store::AuditEvent &event)
{
    const QJsonObject d = event.detailsObject();
    const QString k = event.kind;
    const auto str = [&d](const char *key) { return d.value(QLatin1String(key)).toString(); };
    if (k == QStringLiteral("grant.created")) {
        const QString scopes = scopesText(d);
        const QString duration = str("duration");
        // "until revoked" reads badly after "for".
        const bool forever = duration == QStringLiteral("forever") || duration == QStringLiteral("until_revoked");
        if (scopes.isEmpty())
            return forever ? tr("Access granted until revoked")
                           : tr("Access granted for %1").arg(durationText(duration));
        return forever ? tr("Granted %1 until revoked").arg(scopes)
                       : tr("Granted %1 for %2").arg(scopes, durationText(duration));
    }
    if (k == QStringLiteral("grant.revoked"))
        return tr("Grant revoked: %1").arg(str("reason"));
    if (k == QStringLiteral("client.revoked")) {
        const int n = d.value(QStringLiteral("grants")).toInt();
        return n == 1 ? tr("Every grant of this agent revoked (1 grant)")
                      : tr("Every grant of this agent revoked (%1 grants)").arg(n);
    }
    if (k == QStringLiteral("grant.revoked_all"))
        return tr("Every grant revoked (%1)").arg(d.value(QStringLiteral("grants")).toInt());
    if (k == QStringLiteral("client.registered"))
        return tr("Agent registered (%1)").arg(str("kind"));
    if (k == QStringLiteral("client.forgotten"))
        return tr("Agent forgotten with its grants");
    if (k == QStringLiteral("client.expired"))
        return tr("Unused registrations expired (%1)").arg(d.value(QStringLiteral("count")).toInt());
    if (k == QStringLiteral("consent.requested"))
        return tr("Asked for %1").arg(scopesText(d).isEmpty() ? str("path") : scopesText(d));
    if (k.startsWith(QStringLiteral("consent."))) {
        const QJsonObject decision = d.value(QStringLiteral("decision")).toObject();
        const QString outcome = k.mid(8);
        if (outcome == QStringLiteral("approved")) {
            const QString scopes = scopesText(decision);
            return tr("Request approved: %1 for %2")
                .arg(scopes.isEmpty() ? tr("no scopes") : scopes,
                    durationText(decision.value(QStringLiteral("duration")).toString()));
        }
        if (outcome == QStringLiteral("denied"))
            return tr("Request denied");
        if (outcome == QStringLiteral("timed_out"))
            return tr("Request timed out and was denied");
        if (outcome == QStringLiteral("cancelled"))
            return tr("Request withdrawn by the agent");
        if (outcome == QStringLiteral("frozen"))
            return tr("Request denied: Tessera was frozen");
        if (outcome == QStringLiteral("refused"))
            return tr("Request refused: %1").arg(str("reason"));
        if (outcome == QStringLiteral("throttled"))
            return tr("Request refused: %1").arg(str("reason"));
    }
    if (k == QStringLiteral("code.issued"))
        return tr("Authorization code issued for %1").arg(scopesText(d));
    if (k == QStringLiteral("code.replayed"))
        return tr("A used authorization code was presented again; what it issued was revoked");
    if (k == QStringLiteral("token.issued"))
        return tr("Access token issued");
    if (k == QStringLiteral("token.refreshed"))
        return tr("Access token refreshed");
    if (k == QStringLiteral("refresh.reuse_detected"))
        return tr("An old refresh token was reused; the grant's tokens were revoked");
    if (k == QStringLiteral("access_token.revoked"))
        return tr("Access token revoked by the agent");
    if (k == QStringLiteral("authorization.covered"))
        return tr("Authorized by an existing grant (no prompt)");
    if (k == QStringLiteral("freeze.on"))
        return tr("Frozen: every token stopped, requests refused");
    if (k == QStringLiteral("freeze.off"))
        return tr("Unfrozen");
    if (k == QStringLiteral("resource.added"))
        return tr("Resource added: %1").arg(str("name"));
    if (k == QStringLiteral("resource.updated"))
        return tr("Resource changed: %1").arg(str("name"));
    if (k == QStringLiteral("resource.removed"))
        return tr("Resource removed: %1").arg(str("name"));
    if (k == QStringLiteral("settings.changed"))
        return tr("Setting changed: %1 = %2").arg(str("key"), str("value"));
    if (k == QStringLiteral("signing_key.created"))
        return tr("New token-signing key");
    // Kinds added later: the kind itself, readable.
    QString generic = k;
    generic.replace(u'.', QStringLiteral(": ")).replace(u'_', u' ');
    if (!generic.isEmpty())
        generic[0] = generic.at(0).toUpper();
    return generic;
}

} // namespace Tessera::App
