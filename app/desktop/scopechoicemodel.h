// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QAbstractListModel>
#include <QMap>

#include <QList>
#include <QStringList>
#include <QtQml/qqmlregistration.h>
#include <optional>

namespace Tessera::Consent {
struct ScopeItem;
}

namespace Tessera::App {

/**
 * @brief The scopes of the request on screen, with the person's choice kept here, in C++.
 *
 * The approval reads the choice from this state, never from a trail of toggle signals a
 * synthetic toggle could skip (product.md threat model). Scopes already granted (step-up)
 * are listed too, unticked-able only by revoking in the dashboard: they are always kept.
 */
class ScopeChoiceModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Owned by ConsentController")
    Q_PROPERTY(int checkedNewCount READ checkedNewCount NOTIFY choiceChanged)
    Q_PROPERTY(int newCount READ newCount NOTIFY choiceChanged)
    Q_PROPERTY(int grantedCount READ grantedCount NOTIFY choiceChanged)

public:
    enum Role
    {
        NameRole = Qt::UserRole + 1, ///< scope name, as the resource defines it
        DescriptionRole, ///< the resource's description of the scope
        HighRiskRole, ///< the resource marked it high-risk
        AlreadyGrantedRole, ///< held before: shown apart, not a choice
        CheckedRole, ///< the person's choice (new scopes only)
        HeldUntilRole, ///< held scopes: when each ends, as text ("until 27 Nov 2026, 14:05", "until revoked"); R10
    };
    Q_ENUM(Role)

    explicit ScopeChoiceModel(QObject *parent = nullptr);

    /** @brief New request on screen: every scope starts ticked (partial consent narrows). */
    void reset(const QList<Consent::ScopeItem> &scopes, const QMap<QString, std::optional<qint64>> &heldUntil = {});

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role) const override;
    [[nodiscard]] QHash<int, QByteArray> roleNames() const override;

    /** @brief The person ticks or unticks a new scope; already granted ones do not change. */
    Q_INVOKABLE void setChecked(int row, bool checked);

    /** @brief What an approval grants: the ticked new scopes plus those already granted. */
    [[nodiscard]] QStringList approvedScopes() const;
    [[nodiscard]] int checkedNewCount() const;
    [[nodiscard]] int newCount() const;
    [[nodiscard]] int grantedCount() const;

Q_SIGNALS:
    void choiceChanged();

private:
    struct Row
    {
        QString name;
        QString description;
        bool highRisk = false;
        bool alreadyGranted = false;
        bool checked = true;
        QString heldUntil; ///< held scopes only; empty when not known
    };
    QList<Row> m_rows;
};

} // namespace Tessera::App
