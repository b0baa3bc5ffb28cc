// SPDX-License-Identifier: GPL-3.0-or-later
#include "desktop/grantlistmodel.h"

#include "common/displaytext.h"
#include "common/logging.h"
#include "desktop/dashboardcontext.h"
#include "oauth/grantservice.h"

#include <QTimer>

#include <algorithm>

namespace Tessera::App {

namespace {
constexpr int kMaxRefreshRows = 200; // rows re-read per refresh when the view says nothing

QString stateName(Store::GrantQuery::State s)
{
    switch (s) {
    case Store::GrantQuery::State::Active:
        return QStringLiteral("active");
    case Store::GrantQuery::State::Expired:
        return QStringLiteral("expired");
    case Store::GrantQuery::State::Revoked:
        return QStringLiteral("revoked");
    case Store::GrantQuery::State::Any:
        break;
    }
    return QStringLiteral("any");
}

std::pair<qint64, QString> sortKey(const Store::Grant &g, Store::GrantQuery::Order order)
{
    return { order == Store::GrantQuery::Order::LastUsed ? g.lastUsedAt.value_or(-1) : g.createdAt, g.id };
}
} // namespace

GrantListModel::GrantListModel(QObject *parent) : QAbstractListModel(parent), m_timer(new QTimer(this))
{
    // Made by QML: componentComplete() reads the first page once the filters are set.
    attach(DashboardContext::instance());
}

GrantListModel::GrantListModel(DashboardContext *context, QObject *parent)
    : QAbstractListModel(parent), m_timer(new QTimer(this))
{
    attach(context);
    reload(); // made in C++: ready at once
}

GrantListModel::~GrantListModel() = default;

void GrantListModel::attach(DashboardContext *context)
{
    m_timer->setInterval(2000);
    connect(m_timer, &QTimer::timeout, this, &GrantListModel::refresh);
    m_context = context;
    if (!context)
        return;
    connect(context, &DashboardContext::grantsChanged, this, [this] {
        if (m_complete)
            refresh();
    });
    connect(context, &DashboardContext::servicesChanged, this, &GrantListModel::canRevokeChanged);
}

void GrantListModel::classBegin()
{
    m_complete = false;
}

void GrantListModel::componentComplete()
{
    m_complete = true;
    reload();
}

int GrantListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QVariant GrantListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = m_rows.at(index.row());
    const Store::Grant &g = row.grant;
    switch (role) {
    case Qt::DisplayRole:
        return QString(displaySafe(g.clientName) + QStringLiteral(" → ") + g.resourceName);
    case GrantIdRole:
        return g.id;
    case ClientIdRole:
        return g.clientId;
    case ClientNameRole:
        return displaySafe(g.clientName); // the agent's claim: a line break or bidi control stays visible (R1)
    case ResourceIdRole:
        return g.resourceId;
    case ResourceUriRole:
        return g.resourceUri;
    case ResourceNameRole:
        return g.resourceName;
    case ScopesRole:
        return g.scopes;
    case CreatedAtRole:
        return g.createdAt;
    case ExpiresAtRole:
        return g.expiresAt.value_or(0);
    case DurationRole:
        return g.duration;
    case LastUsedAtRole:
        return g.lastUsedAt.value_or(0);
    case UseCountRole:
        return g.useCount;
    case StateRole:
        return row.state;
    case RevokedAtRole:
        return g.revokedAt.value_or(0);
    case RevokedReasonRole:
        return g.revokedReason;
    default:
        return {};
    }
}

QHash<int, QByteArray> GrantListModel::roleNames() const
{
    return {
        { Qt::DisplayRole, "display" },
        { GrantIdRole, "grantId" },
        { ClientIdRole, "clientId" },
        { ClientNameRole, "clientName" },
        { ResourceIdRole, "resourceId" },
        { ResourceUriRole, "resourceUri" },
        { ResourceNameRole, "resourceName" },
        { ScopesRole, "scopes" },
        { CreatedAtRole, "createdAt" },
        { ExpiresAtRole, "expiresAt" },
        { DurationRole, "duration" },
        { LastUsedAtRole, "lastUsedAt" },
        { UseCountRole, "useCount" },
        { StateRole, "grantState" },
        { RevokedAtRole, "revokedAt" },
        { RevokedReasonRole, "revokedReason" },
    };
}

QVariantMap GrantListModel::get(int row) const
{
    QVariantMap out;
    if (row < 0 || row >= m_rows.size())
        return out;
    const QHash<int, QByteArray> names = roleNames();
    for (auto it = names.begin(); it != names.end(); ++it)
        out.insert(QString::fromLatin1(it.value()), data(index(row), it.key()));
    return out;
}

int GrantListModel::indexOf(const QString &grantId) const
{
    for (qsizetype i = 0; i < m_rows.size(); ++i) {
        if (m_rows.at(i).grant.id == grantId)
            return int(i);
    }
    return -1;
}

GrantListModel::Row GrantListModel::makeRow(Store::Grant grant) const
{
    const qint64 now = m_context ? m_context->clock().nowSecs() : 0;
    Row row;
    row.state = grant.state == Store::GrantState::Revoked ? QStringLiteral("revoked")
        : grant.isExpired(now)                            ? QStringLiteral("expired")
                                                          : QStringLiteral("active");
    row.grant = std::move(grant);
    return row;
}

bool GrantListModel::inStateFilter(const Row &r) const
{
    switch (m_query.state) {
    case Store::GrantQuery::State::Any:
        return true;
    case Store::GrantQuery::State::Active:
        return r.state == QStringLiteral("active");
    case Store::GrantQuery::State::Expired:
        return r.state == QStringLiteral("expired");
    case Store::GrantQuery::State::Revoked:
        return r.state == QStringLiteral("revoked");
    }
    return true;
}

bool GrantListModel::sameRow(const Row &a, const Row &b)
{
    return a.state == b.state && a.grant == b.grant;
}

Store::GrantQuery GrantListModel::query() const
{
    Store::GrantQuery q = m_query;
    q.nowSecs = m_context ? m_context->clock().nowSecs() : 0;
    q.limit = m_pageSize;
    q.offset = 0;
    q.after.reset();
    return q;
}

void GrantListModel::reload()
{
    beginResetModel();
    m_rows.clear();
    m_next.reset();
    if (m_context && m_context->database()) {
        auto page = Store::GrantStore(*m_context->database()).list(query());
        if (page) {
            m_rows.reserve(page->grants.size());
            for (Store::Grant &g : page->grants)
                m_rows.append(makeRow(std::move(g)));
            m_next = page->next;
        } else {
            setLastError(page.error().message);
        }
    }
    endResetModel();
    recount();
}

bool GrantListModel::canFetchMore(const QModelIndex &parent) const
{
    return !parent.isValid() && m_next.has_value();
}

void GrantListModel::fetchMore(const QModelIndex &parent)
{
    if (parent.isValid() || !m_next || !m_context || !m_context->database())
        return;
    Store::GrantQuery q = query();
    q.after = m_next;
    auto page = Store::GrantStore(*m_context->database()).list(q);
    if (!page) {
        setLastError(page.error().message);
        m_next.reset();
        return;
    }
    m_next = page->next;
    if (page->grants.isEmpty())
        return;
    beginInsertRows({}, int(m_rows.size()), int(m_rows.size() + page->grants.size() - 1));
    for (Store::Grant &g : page->grants)
        m_rows.append(makeRow(std::move(g)));
    endInsertRows();
}

void GrantListModel::recount()
{
    if (!m_context || !m_context->database())
        return;
    auto n = Store::GrantStore(*m_context->database()).count(query());
    if (!n) {
        setLastError(n.error().message);
        return;
    }
    if (*n != m_totalCount) {
        m_totalCount = *n;
        Q_EMIT totalCountChanged();
    }
}

bool GrantListModel::updateRow(int row)
{
    auto found = Store::GrantStore(*m_context->database()).find(m_rows.at(row).grant.id);
    if (!found) {
        setLastError(found.error().message);
        return true;
    }
    if (!found->has_value()) {
        // Gone with its agent or resource: nothing left to show.
        beginRemoveRows({}, row, row);
        m_rows.removeAt(row);
        endRemoveRows();
        return false;
    }
    Row fresh = makeRow(std::move(**found));
    // Issue 10.6: a page shows what its filter says. A grant revoked or expired under "Active"
    // (or otherwise out of the chosen state) leaves the view, and the count follows.
    if (!inStateFilter(fresh)) {
        beginRemoveRows({}, row, row);
        m_rows.removeAt(row);
        endRemoveRows();
        return false;
    }
    if (!sameRow(fresh, m_rows.at(row))) {
        m_rows[row] = std::move(fresh);
        Q_EMIT dataChanged(index(row), index(row));
    }
    return true;
}

void GrantListModel::refresh()
{
    if (!m_context || !m_context->database())
        return;
    // 1. The rows on screen: last used, use count, state.
    int first = m_visibleFirst;
    int last = m_visibleLast;
    if (first < 0 || last < first) {
        first = 0;
        last = std::min<int>(int(m_rows.size()), kMaxRefreshRows) - 1;
    }
    last = std::min<int>(last, int(m_rows.size()) - 1);
    for (int row = last; row >= std::max(0, first); --row)
        (void)updateRow(row);

    // 2. Grants newer than the first row (newest-first order only; "last used" reorders
    //    constantly and is re-read as the person scrolls or changes the filter).
    if (m_query.order == Store::GrantQuery::Order::Created) {
        auto page = Store::GrantStore(*m_context->database()).list(query());
        if (!page) {
            setLastError(page.error().message);
        } else if (m_rows.isEmpty()) {
            if (!page->grants.isEmpty()) {
                reload();
                return;
            }
        } else {
            const auto top = sortKey(m_rows.constFirst().grant, m_query.order);
            QList<Store::Grant> fresh;
            for (Store::Grant &g : page->grants) {
                if (sortKey(g, m_query.order) > top && indexOf(g.id) < 0)
                    fresh.append(std::move(g));
            }
            if (!fresh.isEmpty() && fresh.size() == page->grants.size() && page->next) {
                reload(); // more new grants than a page: start over at the top
                return;
            }
            if (!fresh.isEmpty()) {
                beginInsertRows({}, 0, int(fresh.size() - 1));
                for (qsizetype i = 0; i < fresh.size(); ++i)
                    m_rows.insert(i, makeRow(std::move(fresh[i])));
                endInsertRows();
            }
        }
    }
    recount();
}

void GrantListModel::setVisibleRange(int first, int last)
{
    m_visibleFirst = first;
    m_visibleLast = last;
}

bool GrantListModel::revoke(const QString &grantId)
{
    if (!m_context)
        return false;
    OAuth::GrantService *grants = m_context->grantService();
    if (!grants) {
        setLastError(m_context->revocationUnavailableReason());
        return false;
    }
    auto revoked
        = grants->revokeGrant(grantId, QStringLiteral("revoked by the person (dashboard)"), QStringLiteral("user"));
    if (!revoked) {
        setLastError(revoked.error().message);
        return false;
    }
    setLastError({});
    if (const int row = indexOf(grantId); row >= 0)
        (void)updateRow(row); // leaves a filtered view it no longer matches
    recount();
    Q_EMIT this->revoked(grantId,
        tr("Revoked. Its refresh tokens stopped working and introspection now answers inactive; agents must ask "
           "again."));
    m_context->notifyGrantsChanged();
    return true;
}

QString GrantListModel::stateFilter() const
{
    return stateName(m_query.state);
}

void GrantListModel::setStateFilter(const QString &state)
{
    Store::GrantQuery::State s = Store::GrantQuery::State::Any;
    if (state == QStringLiteral("active"))
        s = Store::GrantQuery::State::Active;
    else if (state == QStringLiteral("expired"))
        s = Store::GrantQuery::State::Expired;
    else if (state == QStringLiteral("revoked"))
        s = Store::GrantQuery::State::Revoked;
    if (s == m_query.state)
        return;
    m_query.state = s;
    filtersChanged();
}

void GrantListModel::setClientFilter(const QString &clientId)
{
    if (clientId == m_query.clientId)
        return;
    m_query.clientId = clientId;
    filtersChanged();
}

void GrantListModel::setResourceFilter(qint64 resourceId)
{
    const std::optional<qint64> wanted = resourceId > 0 ? std::optional<qint64>(resourceId) : std::nullopt;
    if (wanted == m_query.resourceId)
        return;
    m_query.resourceId = wanted;
    filtersChanged();
}

QString GrantListModel::sortOrder() const
{
    return m_query.order == Store::GrantQuery::Order::LastUsed ? QStringLiteral("lastUsed") : QStringLiteral("created");
}

void GrantListModel::setSortOrder(const QString &order)
{
    const auto o
        = order == QStringLiteral("lastUsed") ? Store::GrantQuery::Order::LastUsed : Store::GrantQuery::Order::Created;
    if (o == m_query.order)
        return;
    m_query.order = o;
    filtersChanged();
}

void GrantListModel::filtersChanged()
{
    Q_EMIT filterChanged();
    if (m_complete)
        reload();
}

void GrantListModel::setPageSize(int size)
{
    size = std::clamp(size, 1, 10000);
    if (size == m_pageSize)
        return;
    m_pageSize = size;
    Q_EMIT pageSizeChanged();
}

void GrantListModel::setAutoRefresh(bool on)
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

int GrantListModel::refreshIntervalMs() const
{
    return m_timer->interval();
}

void GrantListModel::setRefreshIntervalMs(int ms)
{
    ms = std::max(100, ms);
    if (ms == m_timer->interval())
        return;
    m_timer->setInterval(ms);
    Q_EMIT autoRefreshChanged();
}

bool GrantListModel::canRevoke() const
{
    return m_context && m_context->grantService();
}

QString GrantListModel::revokeUnavailableReason() const
{
    return m_context ? m_context->revocationUnavailableReason() : tr("Tessera is not ready.");
}

void GrantListModel::setLastError(const QString &message)
{
    if (!message.isEmpty())
        qCWarning(lcApp).noquote() << "grants:" << message;
    if (message == m_lastError)
        return;
    m_lastError = message;
    Q_EMIT lastErrorChanged();
}

} // namespace Tessera::App
