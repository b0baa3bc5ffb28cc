// SPDX-License-Identifier: GPL-3.0-or-later
#include "desktop/scopechoicemodel.h"

#include "consent/consentrequest.h"

#include <QDateTime>
#include <QLocale>

#include <algorithm>

namespace Tessera::App {

ScopeChoiceModel::ScopeChoiceModel(QObject *parent) : QAbstractListModel(parent) { }

void ScopeChoiceModel::reset(
    const QList<Consent::ScopeItem> &scopes, const QMap<QString, std::optional<qint64>> &heldUntil)
{
    beginResetModel();
    m_rows.clear();
    // New scopes first (they are the question), high-risk first among them; then what is held,
    // each with when it ends: a step-up keeps that end unless the person extends it (R10).
    for (const Consent::ScopeItem &s : scopes) {
        QString until;
        if (const auto end = heldUntil.constFind(s.name); s.alreadyGranted && end != heldUntil.constEnd()) {
            until = *end
                // Minutes, as the dashboard shows times (DashboardController::formatDateTime).
                ? tr("until %1")
                      .arg(QLocale().toString(
                          QDateTime::fromSecsSinceEpoch(**end).toLocalTime(), QStringLiteral("d MMM yyyy, HH:mm")))
                : tr("until revoked");
        }
        m_rows.append(Row { s.name, s.description, s.highRisk, s.alreadyGranted, true, until });
    }
    std::stable_sort(m_rows.begin(), m_rows.end(), [](const Row &a, const Row &b) {
        if (a.alreadyGranted != b.alreadyGranted)
            return !a.alreadyGranted;
        return a.highRisk && !b.highRisk;
    });
    endResetModel();
    Q_EMIT choiceChanged();
}

int ScopeChoiceModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QVariant ScopeChoiceModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &r = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case NameRole:
        return r.name;
    case DescriptionRole:
        return r.description;
    case HighRiskRole:
        return r.highRisk;
    case AlreadyGrantedRole:
        return r.alreadyGranted;
    case CheckedRole:
        return r.checked;
    case HeldUntilRole:
        return r.heldUntil;
    default:
        return {};
    }
}

QHash<int, QByteArray> ScopeChoiceModel::roleNames() const
{
    return {
        { NameRole, "name" },
        { DescriptionRole, "description" },
        { HighRiskRole, "highRisk" },
        { AlreadyGrantedRole, "alreadyGranted" },
        { HeldUntilRole, "heldUntil" },
        { CheckedRole, "checked" },
    };
}

void ScopeChoiceModel::setChecked(int row, bool checked)
{
    if (row < 0 || row >= m_rows.size())
        return;
    Row &r = m_rows[row];
    if (r.alreadyGranted || r.checked == checked)
        return;
    r.checked = checked;
    const QModelIndex i = index(row);
    Q_EMIT dataChanged(i, i, { CheckedRole });
    Q_EMIT choiceChanged();
}

QStringList ScopeChoiceModel::approvedScopes() const
{
    QStringList out;
    for (const Row &r : m_rows) {
        if (r.alreadyGranted || r.checked)
            out.append(r.name);
    }
    return out;
}

int ScopeChoiceModel::checkedNewCount() const
{
    return int(
        std::count_if(m_rows.begin(), m_rows.end(), [](const Row &r) { return !r.alreadyGranted && r.checked; }));
}

int ScopeChoiceModel::newCount() const
{
    return int(std::count_if(m_rows.begin(), m_rows.end(), [](const Row &r) { return !r.alreadyGranted; }));
}

int ScopeChoiceModel::grantedCount() const
{
    return int(m_rows.size()) - newCount();
}

} // namespace Tessera::App
