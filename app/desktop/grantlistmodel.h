// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "store/grantstore.h"

#include <QAbstractListModel>
#include <QPointer>
#include <QQmlParserStatus>
#include <QtQml/qqmlregistration.h>

class QTimer;

namespace Tessera::App {

class DashboardContext;

/**
 * @brief Grants for the dashboard: filtered, sorted, paged lazily (fetchMore) by keyset.
 *
 * Every page is one index-backed GrantStore::list() call, so the first page and a filter
 * change cost the same with 100 grants or 100k. The state shown ("active", "expired",
 * "revoked") is judged when the row is read; the countdown to expiry is the view's job
 * (Dashboard.now), without re-querying.
 *
 * Freshness: changes made through the dashboard update their row at once; others (a grant
 * used by an agent, a revocation through tessera-cli) are picked up by refresh(), which
 * re-reads only the rows on screen (setVisibleRange) and looks for new grants above the first
 * row. It runs every refreshIntervalMs while autoRefresh is on (the page is visible).
 */
class GrantListModel : public QAbstractListModel, public QQmlParserStatus
{
    Q_OBJECT
    QML_ELEMENT
    Q_INTERFACES(QQmlParserStatus)
    /** "any", "active", "expired" or "revoked". */
    Q_PROPERTY(QString stateFilter READ stateFilter WRITE setStateFilter NOTIFY filterChanged)
    /** A client id, or empty for every agent. */
    Q_PROPERTY(QString clientFilter READ clientFilter WRITE setClientFilter NOTIFY filterChanged)
    /** A resource id, or 0 for every resource. */
    Q_PROPERTY(qint64 resourceFilter READ resourceFilter WRITE setResourceFilter NOTIFY filterChanged)
    /** "created" (newest first) or "lastUsed" (most recently used first). */
    Q_PROPERTY(QString sortOrder READ sortOrder WRITE setSortOrder NOTIFY filterChanged)
    Q_PROPERTY(qint64 totalCount READ totalCount NOTIFY totalCountChanged)
    Q_PROPERTY(int pageSize READ pageSize WRITE setPageSize NOTIFY pageSizeChanged)
    Q_PROPERTY(bool autoRefresh READ autoRefresh WRITE setAutoRefresh NOTIFY autoRefreshChanged)
    Q_PROPERTY(int refreshIntervalMs READ refreshIntervalMs WRITE setRefreshIntervalMs NOTIFY autoRefreshChanged)
    Q_PROPERTY(bool canRevoke READ canRevoke NOTIFY canRevokeChanged)
    Q_PROPERTY(QString revokeUnavailableReason READ revokeUnavailableReason NOTIFY canRevokeChanged)
    Q_PROPERTY(QString lastError READ lastError NOTIFY lastErrorChanged)

public:
    enum Role
    {
        GrantIdRole = Qt::UserRole + 1, ///< random grant id
        ClientIdRole,
        ClientNameRole, ///< self-asserted by the client; show as plain text
        ResourceIdRole,
        ResourceUriRole,
        ResourceNameRole,
        ScopesRole, ///< QStringList, canonical order
        CreatedAtRole, ///< Unix seconds
        ExpiresAtRole, ///< Unix seconds, 0 for "until revoked"
        DurationRole, ///< "once", "1h", "1d", "forever"
        LastUsedAtRole, ///< Unix seconds, 0 for never
        UseCountRole,
        StateRole, ///< "active", "expired" or "revoked" when the row was read
        RevokedAtRole, ///< Unix seconds, 0 unless revoked
        RevokedReasonRole,
    };
    Q_ENUM(Role)

    explicit GrantListModel(QObject *parent = nullptr);
    GrantListModel(DashboardContext *context, QObject *parent);
    ~GrantListModel() override;

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    [[nodiscard]] QHash<int, QByteArray> roleNames() const override;
    [[nodiscard]] bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;

    void classBegin() override;
    void componentComplete() override;

    [[nodiscard]] QString stateFilter() const;
    void setStateFilter(const QString &state);
    [[nodiscard]] QString clientFilter() const { return m_query.clientId; }
    void setClientFilter(const QString &clientId);
    [[nodiscard]] qint64 resourceFilter() const { return m_query.resourceId.value_or(0); }
    void setResourceFilter(qint64 resourceId);
    [[nodiscard]] QString sortOrder() const;
    void setSortOrder(const QString &order);
    [[nodiscard]] qint64 totalCount() const { return m_totalCount; }
    [[nodiscard]] int pageSize() const { return m_pageSize; }
    void setPageSize(int size);
    [[nodiscard]] bool autoRefresh() const { return m_autoRefresh; }
    void setAutoRefresh(bool on);
    [[nodiscard]] int refreshIntervalMs() const;
    void setRefreshIntervalMs(int ms);
    [[nodiscard]] bool canRevoke() const;
    [[nodiscard]] QString revokeUnavailableReason() const;
    [[nodiscard]] QString lastError() const { return m_lastError; }

    /** @brief The filters as a GrantQuery (paging fields unset). */
    [[nodiscard]] Store::GrantQuery query() const;

    /** @brief Drops every row and reads the first page again. */
    Q_INVOKABLE void reload();
    /** @brief Re-reads the rows on screen, adds new grants above the first row, recounts. */
    Q_INVOKABLE void refresh();
    /** @brief The rows the view shows (refresh() re-reads these). */
    Q_INVOKABLE void setVisibleRange(int first, int last);
    /** @brief Revokes one grant through the GrantService (audited); the row says "revoked" at once. */
    Q_INVOKABLE bool revoke(const QString &grantId);
    [[nodiscard]] Q_INVOKABLE int indexOf(const QString &grantId) const;
    /** @brief Every role of one row by name, for detail panes. */
    [[nodiscard]] Q_INVOKABLE QVariantMap get(int row) const;

Q_SIGNALS:
    void filterChanged();
    void totalCountChanged();
    void pageSizeChanged();
    void autoRefreshChanged();
    void canRevokeChanged();
    void lastErrorChanged();
    /** @brief A grant was revoked from this model; @p message says what that means. */
    void revoked(const QString &grantId, const QString &message);

private:
    struct Row
    {
        Store::Grant grant;
        QString state;
    };

    void attach(DashboardContext *context);
    void filtersChanged();
    [[nodiscard]] Row makeRow(Store::Grant grant) const;
    [[nodiscard]] static bool sameRow(const Row &a, const Row &b);
    /** @brief Re-reads @p row; removes it (returns false) when it is gone or out of the state filter. */
    [[nodiscard]] bool updateRow(int row);
    [[nodiscard]] bool inStateFilter(const Row &r) const;
    void recount();
    void setLastError(const QString &message);

    QPointer<DashboardContext> m_context;
    Store::GrantQuery m_query;
    QList<Row> m_rows;
    std::optional<Store::GrantCursor> m_next;
    qint64 m_totalCount = 0;
    int m_pageSize = 100;
    int m_visibleFirst = -1;
    int m_visibleLast = -1;
    bool m_complete = true;
    bool m_autoRefresh = false;
    QTimer *m_timer;
    QString m_lastError;
};

} // namespace Tessera::App
