// SPDX-License-Identifier: GPL-3.0-or-later
#include "desktop/agentlistmodel.h"

#include "common/displaytext.h"
#include "common/logging.h"
#include "consent/consentbroker.h"
#include "desktop/dashboardcontext.h"
#include "oauth/execgrantservice.h"
#include "oauth/grantservice.h"
#include "store/auditlog.h"
#include "store/clientstore.h"
#include "store/database.h"
#include "store/grantstore.h"
#include "store/storeerror.h"

#include <QTimer>
#include <QUrl>

#include <algorithm>

namespace Tessera::App {

namespace {
QString kindLabel(Store::ClientKind kind)
{
    switch (kind) {
    case Store::ClientKind::Dcr:
        return AgentListModel::tr("Registered itself (dynamic registration)");
    case Store::ClientKind::Cimd:
        return AgentListModel::tr("Client ID metadata document");
    case Store::ClientKind::Preregistered:
        return AgentListModel::tr("Registered by you");
    case Store::ClientKind::Local:
        return AgentListModel::tr("Local program (socket)");
    }
    return {};
}
} // namespace

AgentListModel::AgentListModel(QObject *parent) : AgentListModel(DashboardContext::instance(), parent) { }

AgentListModel::AgentListModel(DashboardContext *context, QObject *parent)
    : QAbstractListModel(parent), m_timer(new QTimer(this))
{
    m_timer->setInterval(5000);
    connect(m_timer, &QTimer::timeout, this, &AgentListModel::refresh);
    attach(context);
}

AgentListModel::~AgentListModel() = default;

void AgentListModel::attach(DashboardContext *context)
{
    m_context = context;
    if (!context)
        return;
    const auto changed = [this] {
        if (m_complete)
            refresh();
    };
    connect(context, &DashboardContext::clientsChanged, this, changed);
    connect(context, &DashboardContext::servicesChanged, this, &AgentListModel::canRevokeChanged);
}

void AgentListModel::classBegin()
{
    m_complete = false;
}

void AgentListModel::componentComplete()
{
    m_complete = true;
    reload();
}

QString AgentListModel::verifiedDomainOf(const Store::Client &client)
{
    if (client.kind != Store::ClientKind::Cimd)
        return {};
    const QUrl url(client.clientId, QUrl::StrictMode);
    return url.scheme() == QStringLiteral("https") ? url.host(QUrl::FullyEncoded) : QString();
}

QString AgentListModel::identityNote(const Store::Client &client, const QString &verifiedDomain)
{
    switch (client.kind) {
    case Store::ClientKind::Preregistered:
        return tr("You registered this agent yourself; its name is the one you gave it.");
    case Store::ClientKind::Cimd:
        return verifiedDomain.isEmpty()
            ? tr("Its metadata document could not be tied to a domain; everything it says is its own claim.")
            : tr("Its metadata was fetched over HTTPS from %1. The name inside it is the agent's own claim.")
                  .arg(verifiedDomain);
    case Store::ClientKind::Local:
        return tr("A program on this computer, known by its executable as the system reports it. Its name is the "
                  "executable's file name, which whoever made the file chose.");
    case Store::ClientKind::Dcr:
        break;
    }
    return tr("It registered itself: its name and addresses are its own claim, not verified.");
}

std::optional<QList<AgentListModel::Row>> AgentListModel::readAll()
{
    if (!m_context || !m_context->database())
        return QList<Row> {};
    Store::Database &db = *m_context->database();
    Store::ClientStore clients(db);
    Store::GrantStore grants(db);
    auto all = clients.list();
    if (!all) {
        setLastError(all.error().message);
        return std::nullopt;
    }
    const qint64 now = m_context->clock().nowSecs();
    QList<Row> rows;
    rows.reserve(all->size());
    for (Store::Client &c : *all) {
        Row row;
        auto exes = clients.executables(c.clientId);
        if (exes)
            row.executables = *exes;
        Store::GrantQuery q;
        q.clientId = c.clientId;
        q.nowSecs = now;
        auto total = grants.count(q);
        q.state = Store::GrantQuery::State::Active;
        auto active = grants.count(q);
        if (!exes || !total || !active) {
            setLastError(tr("The agents could not be read completely."));
            return std::nullopt;
        }
        row.totalGrants = *total;
        row.activeGrants = *active;
        row.client = std::move(c);
        rows.append(std::move(row));
    }
    setLastError({});
    return rows;
}

void AgentListModel::reload()
{
    auto rows = readAll();
    beginResetModel();
    m_rows = rows.value_or(QList<Row> {});
    endResetModel();
    Q_EMIT countChanged();
}

void AgentListModel::refresh()
{
    auto rows = readAll();
    if (!rows)
        return;
    bool sameOrder = rows->size() == m_rows.size();
    for (qsizetype i = 0; sameOrder && i < rows->size(); ++i)
        sameOrder = rows->at(i).client.clientId == m_rows.at(i).client.clientId;
    if (!sameOrder) {
        beginResetModel();
        m_rows = std::move(*rows);
        endResetModel();
        Q_EMIT countChanged();
        return;
    }
    for (qsizetype i = 0; i < rows->size(); ++i) {
        if (!(rows->at(i) == m_rows.at(i))) {
            m_rows[i] = rows->at(i);
            Q_EMIT dataChanged(index(int(i)), index(int(i)));
        }
    }
}

int AgentListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QVariant AgentListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = m_rows.at(index.row());
    const Store::Client &c = row.client;
    switch (role) {
    case Qt::DisplayRole:
    case NameRole: {
        // Escaped (R1): a line break or bidi control in a name takes no effect on the page.
        const QString safe = displaySafe(c.clientName);
        if (c.kind == Store::ClientKind::Local && !safe.isEmpty())
            return tr("“%1” (file name chosen by the caller)").arg(safe);
        return safe;
    }
    case ClientIdRole:
        return c.clientId;
    case NameSelfAssertedRole:
        return c.kind != Store::ClientKind::Preregistered;
    case KindRole:
        return Store::clientKindToString(c.kind);
    case KindLabelRole:
        return kindLabel(c.kind);
    case VerifiedDomainRole:
        return verifiedDomainOf(c);
    case IdentityNoteRole: {
        QString note = identityNote(c, verifiedDomainOf(c));
        const bool lookalike = std::any_of(row.executables.cbegin(), row.executables.cend(),
            [](const Store::ClientExecutable &e) { return hasLookalikeSlash(e.exePath); });
        if (lookalike)
            note += u' '
                + tr("One of its executable paths contains a character that looks like “/” but is not one (shown as "
                     "\\u{…}): its folder is not what it seems.");
        return note;
    }
    case ExecutablesRole: {
        QVariantList list;
        for (const Store::ClientExecutable &e : row.executables) {
            list.append(QVariantMap { { QStringLiteral("path"), displaySafePath(e.exePath) },
                { QStringLiteral("firstSeen"), e.firstSeen }, { QStringLiteral("lastSeen"), e.lastSeen },
                { QStringLiteral("count"), e.count } });
        }
        return list;
    }
    case RedirectUrisRole: {
        QStringList uris;
        for (const QString &u : c.redirectUris)
            uris.append(displaySafe(u));
        return uris;
    }
    case ClientUriRole:
        return displaySafe(c.metadata.value(QStringLiteral("client_uri")).toString());
    case CreatedAtRole:
        return c.createdAt;
    case LastSeenAtRole:
        return c.lastSeenAt.value_or(0);
    case ExpiresAtRole:
        return c.consented ? qint64(0) : c.expiresAt.value_or(0);
    case ConsentedRole:
        return c.consented;
    case ActiveGrantsRole:
        return row.activeGrants;
    case TotalGrantsRole:
        return row.totalGrants;
    default:
        return {};
    }
}

QHash<int, QByteArray> AgentListModel::roleNames() const
{
    return {
        { Qt::DisplayRole, "display" },
        { ClientIdRole, "clientId" },
        { NameRole, "name" },
        { NameSelfAssertedRole, "nameSelfAsserted" },
        { KindRole, "kind" },
        { KindLabelRole, "kindLabel" },
        { VerifiedDomainRole, "verifiedDomain" },
        { IdentityNoteRole, "identityNote" },
        { ExecutablesRole, "executables" },
        { RedirectUrisRole, "redirectUris" },
        { ClientUriRole, "clientUri" },
        { CreatedAtRole, "createdAt" },
        { LastSeenAtRole, "lastSeenAt" },
        { ExpiresAtRole, "expiresAt" },
        { ConsentedRole, "consented" },
        { ActiveGrantsRole, "activeGrants" },
        { TotalGrantsRole, "totalGrants" },
    };
}

int AgentListModel::indexOf(const QString &clientId) const
{
    for (qsizetype i = 0; i < m_rows.size(); ++i) {
        if (m_rows.at(i).client.clientId == clientId)
            return int(i);
    }
    return -1;
}

QVariantMap AgentListModel::get(int row) const
{
    QVariantMap out;
    if (row < 0 || row >= m_rows.size())
        return out;
    const QHash<int, QByteArray> names = roleNames();
    for (auto it = names.begin(); it != names.end(); ++it)
        out.insert(QString::fromLatin1(it.value()), data(index(row), it.key()));
    return out;
}

int AgentListModel::revokeAll(const QString &clientId)
{
    if (!m_context || !m_context->database() || !m_context->auditLog())
        return -1;
    OAuth::GrantService *grants = m_context->grantService();
    if (!grants) {
        setLastError(m_context->revocationUnavailableReason());
        return -1;
    }
    const QString reason = QStringLiteral("revoked by the person (dashboard)");
    auto n = grants->revokeClient(clientId, reason, QStringLiteral("user"));
    if (!n) {
        setLastError(n.error().message);
        return -1;
    }
    // Everything the agent holds, exec grants too, as `tessera-cli revoke --client` does.
    auto exec = OAuth::ExecGrantService(*m_context->database(), *m_context->auditLog(), m_context->clock())
                    .revokeForClient(clientId, reason, QStringLiteral("user"));
    if (!exec) {
        setLastError(exec.error().message);
        refresh();
        m_context->notifyClientsChanged();
        return -1;
    }
    setLastError({});
    refresh();
    m_context->notifyClientsChanged();
    return *n + *exec;
}

bool AgentListModel::forget(const QString &clientId)
{
    if (!m_context || !m_context->database() || !m_context->auditLog())
        return false;
    OAuth::GrantService *grants = m_context->grantService();
    if (!grants) {
        setLastError(m_context->revocationUnavailableReason());
        return false;
    }
    auto forgotten
        = grants->forgetClient(clientId, QStringLiteral("agent forgotten (dashboard)"), QStringLiteral("user"));
    if (!forgotten) {
        setLastError(forgotten.error().code == Store::ErrorCode::ClientUnknown ? tr("This agent is already gone.")
                                                                               : forgotten.error().message);
        return false;
    }
    setLastError({});
    refresh();
    m_context->notifyClientsChanged();
    return true;
}

void AgentListModel::setAutoRefresh(bool on)
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

int AgentListModel::refreshIntervalMs() const
{
    return m_timer->interval();
}

void AgentListModel::setRefreshIntervalMs(int ms)
{
    ms = std::max(100, ms);
    if (ms == m_timer->interval())
        return;
    m_timer->setInterval(ms);
    Q_EMIT autoRefreshChanged();
}

bool AgentListModel::canRevoke() const
{
    return m_context && m_context->grantService();
}

QString AgentListModel::revokeUnavailableReason() const
{
    return m_context ? m_context->revocationUnavailableReason() : tr("Tessera is not ready.");
}

void AgentListModel::setLastError(const QString &message)
{
    if (!message.isEmpty())
        qCWarning(lcApp).noquote() << "agents:" << message;
    if (message == m_lastError)
        return;
    m_lastError = message;
    Q_EMIT lastErrorChanged();
}

} // namespace Tessera::App
