// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/clock.h"

#include <QObject>
#include <QString>

#include <functional>
#include <memory>

namespace Tessera::Store {
class AuditLog;
class Database;
} // namespace Tessera::Store
namespace Tessera::Consent {
class ConsentBroker;
}
namespace Tessera::OAuth {
class GrantService;
class ResourceService;
} // namespace Tessera::OAuth

namespace Tessera::App {

class Application;

/**
 * @brief What the dashboard's models and controllers read and change, in one place.
 *
 * The product makes it from the Application (setupDashboard); tests make it from parts on a
 * real SQLite file. Reads go straight to the stores on the main-thread Database; every change
 * that must be audited (revocation) goes through the GrantService, which exists only once the
 * keychain is ready: until then grantService() is null and revocationUnavailableReason() says why.
 *
 * The models listen to the change signals below and also poll the rows on screen, because
 * some changes (a grant used by an agent, a revocation through tessera-cli) have no signal.
 */
class DashboardContext : public QObject
{
    Q_OBJECT
public:
    struct Parts
    {
        Store::Database *database = nullptr;
        Store::AuditLog *auditLog = nullptr; ///< the one AuditLog of database
        Consent::ConsentBroker *broker = nullptr; ///< may be null in model tests
        const Clock *clock = &SystemClock::instance();
        QString issuer;
        quint16 port = 0;
        QString dataDir;
    };

    /** @brief The product: everything from @p app, which outlives this object. */
    explicit DashboardContext(Application *app, QObject *parent = nullptr);
    /** @brief Tests and tools: explicit parts; @p grants may be null (revocation unavailable). */
    DashboardContext(const Parts &parts, std::function<OAuth::GrantService *()> grants, QObject *parent = nullptr);
    ~DashboardContext() override;

    /** @brief The instance QML-created models use when they were given none. */
    [[nodiscard]] static DashboardContext *instance();
    static void setInstance(DashboardContext *context);

    [[nodiscard]] Store::Database *database() const { return m_parts.database; }
    [[nodiscard]] Store::AuditLog *auditLog() const { return m_parts.auditLog; }
    [[nodiscard]] Consent::ConsentBroker *broker() const { return m_parts.broker; }
    [[nodiscard]] const Clock &clock() const { return *m_parts.clock; }
    [[nodiscard]] QString issuer() const { return m_parts.issuer; }
    [[nodiscard]] quint16 port() const { return m_parts.port; }
    [[nodiscard]] QString dataDir() const { return m_parts.dataDir; }
    /** @brief The database file, or empty for an in-memory database. */
    [[nodiscard]] QString databaseFile() const;

    /** @brief Resources are added, changed and removed through here (it audits). Null without a database. */
    [[nodiscard]] OAuth::ResourceService *resources() const { return m_resources; }

    /** @brief Revocation goes through here (it audits). Null until the keychain is ready. */
    [[nodiscard]] OAuth::GrantService *grantService() const;
    /** @brief Empty when revocation is possible; otherwise one sentence saying why not. */
    [[nodiscard]] QString revocationUnavailableReason() const;

    /** @brief Something this process changed; models reload what they show. */
    void notifyGrantsChanged();
    void notifyClientsChanged();
    void notifyResourcesChanged();

Q_SIGNALS:
    void grantsChanged();
    void clientsChanged();
    void resourcesChanged();
    void auditChanged();
    /** @brief grantService() or the reason it is missing changed. */
    void servicesChanged();

private:
    void connectBroker();

    Application *m_app = nullptr;
    Parts m_parts;
    std::function<OAuth::GrantService *()> m_grants;
    std::unique_ptr<OAuth::ResourceService> m_ownResources; ///< tests' parts only
    OAuth::ResourceService *m_resources = nullptr; ///< the Application's, or m_ownResources
};

} // namespace Tessera::App
