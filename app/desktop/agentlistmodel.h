// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "store/records.h"

#include <QAbstractListModel>
#include <QPointer>
#include <QQmlParserStatus>
#include <QtQml/qqmlregistration.h>

class QTimer;

namespace Tessera::App {

class DashboardContext;

/**
 * @brief Agents (OAuth clients) for the Agents page, most recently seen first.
 *
 * Keeps what a client claims apart from what Tessera verified: the name and URIs are
 * self-asserted (except for clients the person registered); a CIMD client's domain was
 * verified by fetching its metadata over https; executables were reported by the kernel
 * (owner of the redirect port or of the socket). Agents are few, so the model reads them all;
 * the grant counts are index lookups per agent.
 */
class AgentListModel : public QAbstractListModel, public QQmlParserStatus
{
    Q_OBJECT
    QML_ELEMENT
    Q_INTERFACES(QQmlParserStatus)
    Q_PROPERTY(bool autoRefresh READ autoRefresh WRITE setAutoRefresh NOTIFY autoRefreshChanged)
    Q_PROPERTY(int refreshIntervalMs READ refreshIntervalMs WRITE setRefreshIntervalMs NOTIFY autoRefreshChanged)
    Q_PROPERTY(bool canRevoke READ canRevoke NOTIFY canRevokeChanged)
    Q_PROPERTY(QString revokeUnavailableReason READ revokeUnavailableReason NOTIFY canRevokeChanged)
    Q_PROPERTY(int count READ count NOTIFY countChanged)
    Q_PROPERTY(QString lastError READ lastError NOTIFY lastErrorChanged)

public:
    enum Role
    {
        ClientIdRole = Qt::UserRole + 1,
        NameRole, ///< as registered, escaped (displaySafe()); a local client's marked "file name chosen by the caller"
        NameSelfAssertedRole, ///< false only for clients the person registered
        KindRole, ///< "dcr", "cimd", "preregistered", "local"
        KindLabelRole, ///< how it registered, for a person
        VerifiedDomainRole, ///< CIMD: the https host its metadata came from; else empty
        IdentityNoteRole, ///< what Tessera verified about this agent (and a look-alike slash warning)
        ExecutablesRole, ///< [{path, firstSeen, lastSeen, count}], most recent first (kernel-reported); path escaped
                         ///< with displaySafePath()
        RedirectUrisRole, ///< QStringList, self-asserted at registration, escaped
        ClientUriRole, ///< self-asserted homepage, escaped; never opened automatically
        CreatedAtRole, ///< Unix seconds: first seen (registered)
        LastSeenAtRole, ///< Unix seconds, 0 if never
        ExpiresAtRole, ///< unconsented registrations expire; 0 otherwise
        ConsentedRole,
        ActiveGrantsRole,
        TotalGrantsRole,
    };
    Q_ENUM(Role)

    explicit AgentListModel(QObject *parent = nullptr);
    AgentListModel(DashboardContext *context, QObject *parent);
    ~AgentListModel() override;

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    [[nodiscard]] QHash<int, QByteArray> roleNames() const override;

    void classBegin() override;
    void componentComplete() override;

    [[nodiscard]] bool autoRefresh() const { return m_autoRefresh; }
    void setAutoRefresh(bool on);
    [[nodiscard]] int refreshIntervalMs() const;
    void setRefreshIntervalMs(int ms);
    [[nodiscard]] bool canRevoke() const;
    [[nodiscard]] QString revokeUnavailableReason() const;
    [[nodiscard]] int count() const { return int(m_rows.size()); }
    [[nodiscard]] QString lastError() const { return m_lastError; }

    Q_INVOKABLE void reload();
    /** @brief Re-reads every agent; rows that did not change stay untouched. */
    Q_INVOKABLE void refresh();
    [[nodiscard]] Q_INVOKABLE int indexOf(const QString &clientId) const;
    [[nodiscard]] Q_INVOKABLE QVariantMap get(int row) const;
    /** @brief Revokes every grant of the agent (audited); returns how many, or -1 on failure. */
    Q_INVOKABLE int revokeAll(const QString &clientId);
    /**
     * @brief Revokes everything of the agent, cancels its waiting requests and deletes its
     * registration, executables and grants (audited as client.forgotten). If it comes back it
     * registers anew and asks again.
     */
    Q_INVOKABLE bool forget(const QString &clientId);

    /** @brief What Tessera verified about @p client, one sentence for a person. */
    [[nodiscard]] static QString identityNote(const Store::Client &client, const QString &verifiedDomain);
    /** @brief CIMD: the host of the https client_id URL; else empty. */
    [[nodiscard]] static QString verifiedDomainOf(const Store::Client &client);

Q_SIGNALS:
    void autoRefreshChanged();
    void canRevokeChanged();
    void countChanged();
    void lastErrorChanged();

private:
    struct Row
    {
        Store::Client client;
        QList<Store::ClientExecutable> executables;
        qint64 activeGrants = 0;
        qint64 totalGrants = 0;
        bool operator==(const Row &) const = default;
    };
    void attach(DashboardContext *context);
    [[nodiscard]] std::optional<QList<Row>> readAll();
    void setLastError(const QString &message);

    QPointer<DashboardContext> m_context;
    QList<Row> m_rows;
    bool m_complete = true;
    bool m_autoRefresh = false;
    QTimer *m_timer;
    QString m_lastError;
};

} // namespace Tessera::App
