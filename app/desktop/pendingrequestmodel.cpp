// SPDX-License-Identifier: GPL-3.0-or-later
#include "desktop/pendingrequestmodel.h"

#include "common/displaytext.h"
#include "consent/consentrequest.h"

namespace Tessera::App {

PendingRequestModel::PendingRequestModel(QObject *parent) : QAbstractListModel(parent) { }

QString PendingRequestModel::displayName(const QString &name, const QString &kind)
{
    const QString safe = displaySafe(name);
    // app/localaccess names a local client after its executable's file name: whoever made the
    // file chose it ("claude", or "claude (verified)").
    if (kind == QStringLiteral("local") && !name.isEmpty())
        return tr("“%1” (file name chosen by the caller)").arg(safe);
    return safe;
}

void PendingRequestModel::append(const Consent::ConsentRequest &r)
{
    if (indexOf(r.id) >= 0)
        return;
    const int row = count();
    beginInsertRows({}, row, row);
    m_rows.append(Row { r.id, displayName(r.requester.clientName, r.requester.clientKind), displaySafe(r.resourceName),
        Consent::pathToString(r.path), r.mergedCount, r.expiresAtMs });
    endInsertRows();
    Q_EMIT countChanged();
}

bool PendingRequestModel::remove(const QString &id)
{
    const int row = indexOf(id);
    if (row < 0)
        return false;
    beginRemoveRows({}, row, row);
    m_rows.removeAt(row);
    endRemoveRows();
    Q_EMIT countChanged();
    return true;
}

void PendingRequestModel::setMergedCount(const QString &id, int count)
{
    const int row = indexOf(id);
    if (row < 0 || m_rows.at(row).mergedCount == count)
        return;
    m_rows[row].mergedCount = count;
    const QModelIndex i = index(row);
    Q_EMIT dataChanged(i, i, { MergedCountRole });
}

int PendingRequestModel::indexOf(const QString &id) const
{
    for (int i = 0; i < m_rows.size(); ++i) {
        if (m_rows.at(i).id == id)
            return i;
    }
    return -1;
}

QString PendingRequestModel::idAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows.at(row).id : QString();
}

int PendingRequestModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : count();
}

QVariant PendingRequestModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &r = m_rows.at(index.row());
    switch (role) {
    case RequestIdRole:
        return r.id;
    case Qt::DisplayRole:
    case ClientNameRole:
        return r.clientName;
    case ResourceNameRole:
        return r.resourceName;
    case PathRole:
        return r.path;
    case MergedCountRole:
        return r.mergedCount;
    case ExpiresAtMsRole:
        return r.expiresAtMs;
    default:
        return {};
    }
}

QHash<int, QByteArray> PendingRequestModel::roleNames() const
{
    return {
        { RequestIdRole, "requestId" },
        { ClientNameRole, "clientName" },
        { ResourceNameRole, "resourceName" },
        { PathRole, "path" },
        { MergedCountRole, "mergedCount" },
        { ExpiresAtMsRole, "expiresAtMs" },
    };
}

} // namespace Tessera::App
