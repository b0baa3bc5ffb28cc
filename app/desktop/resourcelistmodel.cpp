// SPDX-License-Identifier: GPL-3.0-or-later
#include "desktop/resourcelistmodel.h"

#include "common/logging.h"
#include "desktop/dashboardcontext.h"
#include "oauth/grantservice.h"
#include "oauth/metadata.h"
#include "oauth/resourceservice.h"
#include "store/database.h"
#include "store/grantstore.h"
#include "store/resourcestore.h"

#include <QJsonDocument>

namespace Tessera::App {

ResourceListModel::ResourceListModel(QObject *parent) : ResourceListModel(DashboardContext::instance(), parent) { }

ResourceListModel::ResourceListModel(DashboardContext *context, QObject *parent)
    : QAbstractListModel(parent), m_context(context)
{
    if (context) {
        connect(context, &DashboardContext::resourcesChanged, this, [this] {
            if (m_complete)
                reload();
        });
    }
}

ResourceListModel::~ResourceListModel() = default;

void ResourceListModel::classBegin()
{
    m_complete = false;
}

void ResourceListModel::componentComplete()
{
    m_complete = true;
    reload();
}

QString ResourceListModel::metadataJson(const Store::Resource &resource, const QString &issuer)
{
    return QString::fromUtf8(
        QJsonDocument(OAuth::protectedResourceMetadata(resource, issuer)).toJson(QJsonDocument::Indented))
        .trimmed();
}

void ResourceListModel::reload()
{
    QList<Row> rows;
    if (m_context && m_context->database()) {
        Store::Database &db = *m_context->database();
        auto all = Store::ResourceStore(db).list();
        if (all) {
            Store::GrantQuery q;
            q.state = Store::GrantQuery::State::Active;
            q.nowSecs = m_context->clock().nowSecs();
            for (Store::Resource &r : *all) {
                q.resourceId = r.id;
                auto active = Store::GrantStore(db).count(q);
                rows.append(Row { std::move(r), active.valueOr(0) });
            }
            setLastError({});
        } else {
            setLastError(all.error().message);
        }
    }
    beginResetModel();
    m_rows = std::move(rows);
    endResetModel();
    Q_EMIT countChanged();
}

int ResourceListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QVariant ResourceListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = m_rows.at(index.row());
    const Store::Resource &r = row.resource;
    switch (role) {
    case Qt::DisplayRole:
    case DisplayNameRole:
        return r.displayName;
    case ResourceIdRole:
        return r.id;
    case NameRole:
        return r.name;
    case UriRole:
        return r.uri;
    case TokenLifetimeRole:
        return r.tokenLifetimeSecs;
    case ScopesRole: {
        QVariantList list;
        for (const Store::ResourceScope &s : r.scopes) {
            list.append(
                QVariantMap { { QStringLiteral("name"), s.name }, { QStringLiteral("description"), s.description },
                    { QStringLiteral("risk"), Store::riskToString(s.risk) },
                    { QStringLiteral("isDefault"), r.defaultScopes.contains(s.name) } });
        }
        return list;
    }
    case DefaultScopesRole:
        return r.defaultScopes;
    case IntrospectionRole:
        return !r.introspectionSecretHash.isEmpty();
    case MetadataUrlRole:
        return OAuth::protectedResourceMetadataUrl(r.uri);
    case MetadataJsonRole:
        return metadataJson(r, m_context ? m_context->issuer() : QString());
    case ActiveGrantsRole:
        return row.activeGrants;
    case CreatedAtRole:
        return r.createdAt;
    case UpdatedAtRole:
        return r.updatedAt;
    default:
        return {};
    }
}

QHash<int, QByteArray> ResourceListModel::roleNames() const
{
    return {
        { Qt::DisplayRole, "display" },
        { ResourceIdRole, "resourceId" },
        { NameRole, "name" },
        { DisplayNameRole, "displayName" },
        { UriRole, "uri" },
        { TokenLifetimeRole, "tokenLifetimeSecs" },
        { ScopesRole, "scopes" },
        { DefaultScopesRole, "defaultScopes" },
        { IntrospectionRole, "introspection" },
        { MetadataUrlRole, "metadataUrl" },
        { MetadataJsonRole, "metadataJson" },
        { ActiveGrantsRole, "activeGrants" },
        { CreatedAtRole, "createdAt" },
        { UpdatedAtRole, "updatedAt" },
    };
}

int ResourceListModel::indexOf(qint64 resourceId) const
{
    for (qsizetype i = 0; i < m_rows.size(); ++i) {
        if (m_rows.at(i).resource.id == resourceId)
            return int(i);
    }
    return -1;
}

QVariantMap ResourceListModel::get(int row) const
{
    QVariantMap out;
    if (row < 0 || row >= m_rows.size())
        return out;
    const QHash<int, QByteArray> names = roleNames();
    for (auto it = names.begin(); it != names.end(); ++it)
        out.insert(QString::fromLatin1(it.value()), data(index(row), it.key()));
    return out;
}

bool ResourceListModel::remove(qint64 resourceId)
{
    if (!m_context || !m_context->resources())
        return false;
    // The service revokes each grant (audited) before the resource goes, as tessera-cli does.
    auto removed = m_context->resources()->remove(
        resourceId, QStringLiteral("resource removed (dashboard)"), QStringLiteral("user"), m_context->grantService());
    if (!removed) {
        setLastError(removed.error().code == OAuth::ResourceService::RevocationUnavailable
                ? tr("This resource still has active grants. %1").arg(m_context->revocationUnavailableReason())
                : removed.error().message);
        return false;
    }
    setLastError({});
    m_context->notifyResourcesChanged();
    return true;
}

void ResourceListModel::setLastError(const QString &message)
{
    if (!message.isEmpty())
        qCWarning(lcApp).noquote() << "resources:" << message;
    if (message == m_lastError)
        return;
    m_lastError = message;
    Q_EMIT lastErrorChanged();
}

} // namespace Tessera::App
