// SPDX-License-Identifier: GPL-3.0-or-later
#include "desktop/dashboardcontext.h"

#include "application.h"
#include "consent/consentbroker.h"
#include "oauth/authorizationserver.h"
#include "oauth/resourceservice.h"
#include "store/database.h"

#include <QPointer>
#include <QTimer>

namespace Tessera::App {

namespace {
QPointer<DashboardContext> s_instance;
}

DashboardContext::DashboardContext(Application *app, QObject *parent) : QObject(parent), m_app(app)
{
    m_parts.database = app->database();
    m_parts.auditLog = app->auditLog();
    m_parts.broker = app->consentBroker();
    m_parts.clock = &SystemClock::instance();
    m_parts.issuer = app->locations().issuer();
    m_parts.port = app->locations().port;
    m_parts.dataDir = app->locations().dataDir;
    m_resources = app->resources();
    m_grants = [app]() -> OAuth::GrantService * {
        return app->authorizationServer() ? &app->authorizationServer()->grants() : nullptr;
    };
    connect(app, &Application::stateChanged, this, &DashboardContext::servicesChanged);
    connectBroker();
}

DashboardContext::DashboardContext(const Parts &parts, std::function<OAuth::GrantService *()> grants, QObject *parent)
    : QObject(parent), m_parts(parts), m_grants(std::move(grants))
{
    if (m_parts.database && m_parts.auditLog) {
        m_ownResources = std::make_unique<OAuth::ResourceService>(*m_parts.database, *m_parts.auditLog, *m_parts.clock);
        m_resources = m_ownResources.get();
    }
    connectBroker();
}

DashboardContext::~DashboardContext()
{
    if (s_instance == this)
        s_instance = nullptr;
}

void DashboardContext::connectBroker()
{
    if (!m_parts.broker)
        return;
    // The requester's callback (which creates the grant) runs after requestResolved is
    // emitted, in the same call: look once the event loop is back.
    connect(m_parts.broker, &Consent::ConsentBroker::requestResolved, this, [this] {
        QTimer::singleShot(0, this, [this] {
            Q_EMIT grantsChanged();
            Q_EMIT clientsChanged();
            Q_EMIT auditChanged();
        });
    });
    connect(m_parts.broker, &Consent::ConsentBroker::requestAdded, this, [this] {
        Q_EMIT clientsChanged();
        Q_EMIT auditChanged();
    });
    connect(m_parts.broker, &Consent::ConsentBroker::frozenChanged, this, [this] {
        Q_EMIT grantsChanged();
        Q_EMIT auditChanged();
    });
}

DashboardContext *DashboardContext::instance()
{
    return s_instance.data();
}

void DashboardContext::setInstance(DashboardContext *context)
{
    s_instance = context;
}

QString DashboardContext::databaseFile() const
{
    if (!m_parts.database || m_parts.database->path() == QStringLiteral(":memory:"))
        return {};
    return m_parts.database->path();
}

OAuth::GrantService *DashboardContext::grantService() const
{
    return m_grants ? m_grants() : nullptr;
}

QString DashboardContext::revocationUnavailableReason() const
{
    if (grantService())
        return {};
    if (m_app && m_app->state() == Application::State::KeychainUnavailable)
        return tr("Revoking needs the keychain, which is not available yet. Tessera keeps trying.");
    if (m_app && m_app->state() == Application::State::Failed)
        return tr("Tessera's server is not running: %1").arg(m_app->statusMessage());
    return tr("Revoking is possible once Tessera has finished starting.");
}

void DashboardContext::notifyGrantsChanged()
{
    Q_EMIT grantsChanged();
    Q_EMIT clientsChanged();
    Q_EMIT auditChanged();
}

void DashboardContext::notifyClientsChanged()
{
    Q_EMIT clientsChanged();
    Q_EMIT grantsChanged();
    Q_EMIT auditChanged();
}

void DashboardContext::notifyResourcesChanged()
{
    Q_EMIT resourcesChanged();
    Q_EMIT grantsChanged();
    Q_EMIT auditChanged();
}

} // namespace Tessera::App
