// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QAbstractListModel>
#include <QList>
#include <QtQml/qqmlregistration.h>

namespace Tessera::Consent {
struct ConsentRequest;
}

namespace Tessera::App {

/**
 * @brief The queue of pending consent requests, oldest first, newest last.
 *
 * Nothing is ever dropped here: a row leaves only when the broker resolved its request
 * (decision, timeout, freeze, cancellation). Merged duplicates stay one row with a count.
 */
class PendingRequestModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Owned by ConsentController")
    Q_PROPERTY(int count READ count NOTIFY countChanged)

public:
    enum Role
    {
        RequestIdRole = Qt::UserRole + 1, ///< the broker's id
        ClientNameRole, ///< SELF-ASSERTED by the client; displayName(): escaped, local names marked
        ResourceNameRole, ///< the resource as the person registered it
        PathRole, ///< "authorize", "token", "secret", "exec"
        MergedCountRole, ///< identical requests folded into this row
        ExpiresAtMsRole, ///< when it times out as denied (ms since the epoch)
    };
    Q_ENUM(Role)

    explicit PendingRequestModel(QObject *parent = nullptr);

    /**
     * @brief A client's name for the prompt (issue 9, R1): escaped with displaySafe() (no line
     * break, control or bidi character takes effect), and for a local client, whose name is the
     * file name of its executable, quoted and marked as chosen by the caller.
     */
    [[nodiscard]] static QString displayName(const QString &name, const QString &kind);

    void append(const Consent::ConsentRequest &request);
    /** @brief Whether a row was removed. */
    bool remove(const QString &id);
    void setMergedCount(const QString &id, int count);

    [[nodiscard]] int count() const { return int(m_rows.size()); }
    [[nodiscard]] int indexOf(const QString &id) const;
    [[nodiscard]] QString idAt(int row) const;

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role) const override;
    [[nodiscard]] QHash<int, QByteArray> roleNames() const override;

Q_SIGNALS:
    void countChanged();

private:
    struct Row
    {
        QString id;
        QString clientName;
        QString resourceName;
        QString path;
        int mergedCount = 1;
        qint64 expiresAtMs = 0;
    };
    QList<Row> m_rows;
};

} // namespace Tessera::App
