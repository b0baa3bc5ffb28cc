// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "store/auditlog.h"

#include <QAbstractListModel>
#include <QHash>
#include <QPointer>
#include <QQmlParserStatus>
#include <QtQml/qqmlregistration.h>

class QTimer;

namespace Tessera::App {

class DashboardContext;

/**
 * @brief The audit log for the Activity page: newest first, filtered, paged lazily by seq.
 *
 * Each page is one AuditLog::query() (keyset on seq; the client, kind, resource and time
 * filters use their indexes, text search the FTS5 trigram index), so a page costs the same
 * with a thousand events or a million. Events never change, so refresh() only looks for new
 * ones above the first row.
 *
 * The filter choices (kinds, resources, agents that appear in the log) come from index
 * skip-scans: one index seek per distinct value, not a scan of the log.
 */
class AuditListModel : public QAbstractListModel, public QQmlParserStatus
{
    Q_OBJECT
    QML_ELEMENT
    Q_INTERFACES(QQmlParserStatus)
    Q_PROPERTY(QString clientFilter READ clientFilter WRITE setClientFilter NOTIFY filterChanged)
    Q_PROPERTY(QString resourceFilter READ resourceFilter WRITE setResourceFilter NOTIFY filterChanged)
    Q_PROPERTY(QString kindFilter READ kindFilter WRITE setKindFilter NOTIFY filterChanged)
    /** Substring of the event details (JSON), ASCII case-insensitive. */
    Q_PROPERTY(QString searchText READ searchText WRITE setSearchText NOTIFY filterChanged)
    /** Events at or after this time (Unix ms); 0: no lower bound. */
    Q_PROPERTY(qint64 fromMs READ fromMs WRITE setFromMs NOTIFY filterChanged)
    /** Events before this time (Unix ms); 0: no upper bound. */
    Q_PROPERTY(qint64 toMs READ toMs WRITE setToMs NOTIFY filterChanged)
    Q_PROPERTY(bool filtered READ filtered NOTIFY filterChanged)
    Q_PROPERTY(int pageSize READ pageSize WRITE setPageSize NOTIFY pageSizeChanged)
    Q_PROPERTY(bool autoRefresh READ autoRefresh WRITE setAutoRefresh NOTIFY autoRefreshChanged)
    Q_PROPERTY(int refreshIntervalMs READ refreshIntervalMs WRITE setRefreshIntervalMs NOTIFY autoRefreshChanged)
    /** Whether more (older) events match than are loaded. */
    Q_PROPERTY(bool hasMore READ hasMore NOTIFY countChanged)
    Q_PROPERTY(int count READ count NOTIFY countChanged)
    /** Distinct event kinds in the log, sorted. */
    Q_PROPERTY(QStringList kinds READ kinds NOTIFY facetsChanged)
    /** Distinct resource URIs in the log, sorted. */
    Q_PROPERTY(QStringList resources READ resources NOTIFY facetsChanged)
    /** Agents in the log: [{clientId, name}], by name. */
    Q_PROPERTY(QVariantList clients READ clients NOTIFY facetsChanged)
    Q_PROPERTY(QString lastError READ lastError NOTIFY lastErrorChanged)

public:
    enum Role
    {
        SeqRole = Qt::UserRole + 1, ///< position in the hash chain, from 1
        TimeMsRole, ///< Unix ms
        KindRole, ///< e.g. "grant.revoked"
        ActorRole, ///< "user", "operator", "system", "client:<id>"
        ClientIdRole,
        ClientNameRole, ///< the agent's current self-asserted name, empty if forgotten
        ResourceRole, ///< resource URI as recorded
        GrantIdRole,
        DetailsRole, ///< canonical JSON text as hashed
        SummaryRole, ///< one sentence for a person
        HashRole, ///< hex SHA-256 of this event in the chain
    };
    Q_ENUM(Role)

    explicit AuditListModel(QObject *parent = nullptr);
    AuditListModel(DashboardContext *context, QObject *parent);
    ~AuditListModel() override;

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    [[nodiscard]] QHash<int, QByteArray> roleNames() const override;
    [[nodiscard]] bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;

    void classBegin() override;
    void componentComplete() override;

    [[nodiscard]] QString clientFilter() const { return m_filter.clientId; }
    void setClientFilter(const QString &v);
    [[nodiscard]] QString resourceFilter() const { return m_filter.resource; }
    void setResourceFilter(const QString &v);
    [[nodiscard]] QString kindFilter() const { return m_filter.kind; }
    void setKindFilter(const QString &v);
    [[nodiscard]] QString searchText() const { return m_filter.text; }
    void setSearchText(const QString &v);
    [[nodiscard]] qint64 fromMs() const { return m_filter.fromMs.value_or(0); }
    void setFromMs(qint64 v);
    [[nodiscard]] qint64 toMs() const { return m_filter.toMs.value_or(0); }
    void setToMs(qint64 v);
    [[nodiscard]] bool filtered() const;
    [[nodiscard]] int pageSize() const { return m_pageSize; }
    void setPageSize(int size);
    [[nodiscard]] bool autoRefresh() const { return m_autoRefresh; }
    void setAutoRefresh(bool on);
    [[nodiscard]] int refreshIntervalMs() const;
    void setRefreshIntervalMs(int ms);
    [[nodiscard]] bool hasMore() const { return m_next.has_value(); }
    [[nodiscard]] int count() const { return int(m_rows.size()); }
    [[nodiscard]] QStringList kinds() const { return m_kinds; }
    [[nodiscard]] QStringList resources() const { return m_resources; }
    [[nodiscard]] QVariantList clients() const { return m_clients; }
    [[nodiscard]] QString lastError() const { return m_lastError; }

    /** @brief The current filters (no cursor, no limit): what an export writes. */
    [[nodiscard]] Store::AuditFilter filter() const;

    Q_INVOKABLE void reload();
    /** @brief Adds events newer than the first row. */
    Q_INVOKABLE void refresh();
    /** @brief Re-reads the filter choices (kinds, resources, agents). */
    Q_INVOKABLE void reloadFacets();
    Q_INVOKABLE void clearFilters();
    [[nodiscard]] Q_INVOKABLE QVariantMap get(int row) const;

    /** @brief One sentence for a person about @p event (shared with the export). */
    [[nodiscard]] static QString summarize(const Store::AuditEvent &event);

Q_SIGNALS:
    void filterChanged();
    void pageSizeChanged();
    void autoRefreshChanged();
    void countChanged();
    void facetsChanged();
    void lastErrorChanged();

private:
    struct Row
    {
        Store::AuditEvent event;
        QString summary;
    };
    void attach(DashboardContext *context);
    void filtersChanged();
    [[nodiscard]] Row makeRow(Store::AuditEvent event) const;
    void loadClientNames();
    void setLastError(const QString &message);

    QPointer<DashboardContext> m_context;
    Store::AuditFilter m_filter;
    QList<Row> m_rows;
    std::optional<qint64> m_next;
    int m_pageSize = 100;
    bool m_complete = true;
    bool m_autoRefresh = false;
    QTimer *m_timer;
    QStringList m_kinds;
    QStringList m_resources;
    QVariantList m_clients;
    QHash<QString, QString> m_clientNames;
    QString m_lastError;
};

} // namespace Tessera::App
