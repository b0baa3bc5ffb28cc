// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "store/records.h"

#include <QAbstractListModel>
#include <QPointer>
#include <QQmlParserStatus>
#include <QtQml/qqmlregistration.h>

namespace Tessera::App {

class DashboardContext;

/**
 * @brief Protected resources (MCP servers) for the Resources page, by name.
 *
 * Resources are few and change only through Tessera (dashboard or tessera-cli), so the
 * model reads them all and refreshes on resourcesChanged(). Adding and editing go through
 * ResourceEditor; removing is here.
 */
class ResourceListModel : public QAbstractListModel, public QQmlParserStatus
{
    Q_OBJECT
    QML_ELEMENT
    Q_INTERFACES(QQmlParserStatus)
    Q_PROPERTY(int count READ count NOTIFY countChanged)
    Q_PROPERTY(QString lastError READ lastError NOTIFY lastErrorChanged)

public:
    enum Role
    {
        ResourceIdRole = Qt::UserRole + 1,
        NameRole, ///< the CLI handle
        DisplayNameRole,
        UriRole, ///< canonical; the audience of its tokens
        TokenLifetimeRole, ///< access-token lifetime in seconds
        ScopesRole, ///< [{name, description, risk ("low"/"high"), isDefault}]
        DefaultScopesRole, ///< QStringList
        IntrospectionRole, ///< whether it may call /introspect
        MetadataUrlRole, ///< where the MCP server serves its RFC 9728 metadata
        MetadataJsonRole, ///< that metadata, indented
        ActiveGrantsRole,
        CreatedAtRole,
        UpdatedAtRole,
    };
    Q_ENUM(Role)

    explicit ResourceListModel(QObject *parent = nullptr);
    ResourceListModel(DashboardContext *context, QObject *parent);
    ~ResourceListModel() override;

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    [[nodiscard]] QHash<int, QByteArray> roleNames() const override;

    void classBegin() override;
    void componentComplete() override;

    [[nodiscard]] int count() const { return int(m_rows.size()); }
    [[nodiscard]] QString lastError() const { return m_lastError; }

    Q_INVOKABLE void reload();
    [[nodiscard]] Q_INVOKABLE int indexOf(qint64 resourceId) const;
    [[nodiscard]] Q_INVOKABLE QVariantMap get(int row) const;
    /**
     * @brief Revokes the resource's grants (audited), then removes it with its scopes and
     * grant history (audited as resource.removed).
     */
    Q_INVOKABLE bool remove(qint64 resourceId);

    /** @brief RFC 9728 metadata for @p resource, indented JSON. */
    [[nodiscard]] static QString metadataJson(const Store::Resource &resource, const QString &issuer);

Q_SIGNALS:
    void countChanged();
    void lastErrorChanged();

private:
    struct Row
    {
        Store::Resource resource;
        qint64 activeGrants = 0;
    };
    void setLastError(const QString &message);

    QPointer<DashboardContext> m_context;
    QList<Row> m_rows;
    bool m_complete = true;
    QString m_lastError;
};

} // namespace Tessera::App
