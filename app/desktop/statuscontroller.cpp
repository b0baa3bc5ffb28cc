// SPDX-License-Identifier: GPL-3.0-or-later
#include "desktop/statuscontroller.h"

#include "application.h"
#include "consent/consentbroker.h"
#include "oauth/authorizationserver.h"

#include <QDateTime>
#include <QJSEngine>
#include <QLocale>
#include <QMetaEnum>
#include <QPointer>

namespace Tessera::App {

namespace {
QPointer<StatusController> s_instance;
}

StatusController::StatusController(Application *app, QObject *parent) : QObject(parent), m_app(app)
{
    connect(app, &Application::stateChanged, this, &StatusController::changed);
    connect(app, &Application::showRequested, this, &StatusController::windowRequested);
    if (Consent::ConsentBroker *broker = app->consentBroker()) {
        connect(broker, &Consent::ConsentBroker::frozenChanged, this, &StatusController::changed);
        connect(broker, &Consent::ConsentBroker::requestAdded, this, &StatusController::changed);
        connect(broker, &Consent::ConsentBroker::requestResolved, this, &StatusController::changed);
    }
}

QString StatusController::lastTokenExpiry() const
{
    const OAuth::AuthorizationServer *server = m_app->authorizationServer();
    const qint64 last = server ? server->lastAccessTokenExpiresAt() : 0;
    return last > 0 ? QLocale().toString(QDateTime::fromSecsSinceEpoch(last), QLocale::ShortFormat) : QString();
}

bool StatusController::frozen() const
{
    return m_app->consentBroker() && m_app->consentBroker()->isFrozen();
}

int StatusController::pendingCount() const
{
    return m_app->consentBroker() ? int(m_app->consentBroker()->pending().size()) : 0;
}

bool StatusController::setFrozen(bool frozen)
{
    if (!m_app->consentBroker())
        return false;
    const bool written = m_app->consentBroker()->setFrozen(frozen, QStringLiteral("user")).ok();
    if (!written)
        Q_EMIT changed(); // the tray's check mark and the window follow the real state
    return written;
}

StatusController *StatusController::create(QQmlEngine *, QJSEngine *)
{
    Q_ASSERT(s_instance);
    QJSEngine::setObjectOwnership(s_instance.data(), QJSEngine::CppOwnership);
    return s_instance.data();
}

void StatusController::setInstance(StatusController *instance)
{
    s_instance = instance;
}

QString StatusController::statusLine() const
{
    return m_app->statusMessage();
}

QString StatusController::state() const
{
    return m_app->statusJson().value(QStringLiteral("state")).toString();
}

bool StatusController::healthy() const
{
    return m_app->state() == Application::State::Ready;
}

QString StatusController::issuer() const
{
    return m_app->locations().issuer();
}

QString StatusController::dataDir() const
{
    return m_app->locations().dataDir;
}

} // namespace Tessera::App
