// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "support/fakeclock.h"

#include <QHash>
#include <QObject>
#include <QTemporaryDir>
#include <QVariantMap>
#include <QtQml/qqmlregistration.h>

#include <memory>

class QQmlEngine;
class QJSEngine;

namespace Tessera::Store {
class AuditLog;
class Database;
} // namespace Tessera::Store
namespace Tessera::Consent {
class ConsentBroker;
}
namespace Tessera::App {
class ConsentController;
}

namespace Tessera::Test {

/**
 * @brief A real consent broker on a temporary SQLite file, a fake clock, and the
 * ConsentController over them: what the prompt tests drive, from C++ or from QML
 * (singleton `PromptFixture` in module Tessera.PromptTest). Not a mock: requests go
 * through ConsentBroker::submit and answers come back through its callbacks.
 */
class PromptFixture : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_SINGLETON

public:
    explicit PromptFixture(QObject *parent = nullptr);
    ~PromptFixture() override;

    static PromptFixture *create(QQmlEngine *, QJSEngine *);
    /** @brief The one fixture of this process (made by the test's setup). */
    static PromptFixture *instance();

    [[nodiscard]] App::ConsentController *controller() const { return m_controller; }
    [[nodiscard]] Consent::ConsentBroker *broker() const { return m_broker; }
    [[nodiscard]] Store::Database &database() const { return *m_db; }
    [[nodiscard]] FakeClock &clock() { return m_clock; }
    [[nodiscard]] qint64 resourceId() const { return m_resourceId; }

    /**
     * @brief Submits a consent request to the broker; returns its id, or "" (see submitError()).
     *
     * Keys of @p spec (all optional): clientId, clientName, clientUri, kind, verifiedDomain,
     * redirectUri, loopback, localhostName, newClient, path ("authorize", "token", "secret",
     * "exec"), scopes (names; default files:read + files:write), granted (names already
     * granted), processChain ([{pid, exe, comm}]), previousExecutable, secrets, commandLine.
     */
    Q_INVOKABLE QString submit(const QVariantMap &spec = {});
    Q_INVOKABLE QString submitError() const { return m_submitError; }
    /** @brief What the broker told the requester: "approved", "denied", "timed_out", ... or "" (not yet). */
    Q_INVOKABLE QString outcome(const QString &id) const;
    Q_INVOKABLE QStringList decidedScopes(const QString &id) const;
    Q_INVOKABLE QString decidedDuration(const QString &id) const;
    Q_INVOKABLE bool decidedExtendHeld(const QString &id) const;
    /** @brief How many callbacks the broker ran for @p id (merged requests: one per requester). */
    Q_INVOKABLE int callbackCount(const QString &id) const;
    /** @brief Moves the fake clock and lets the broker expire what is due. */
    Q_INVOKABLE void advanceSecs(int secs);
    /** @brief Cancels everything pending, forgets outcomes, leaves the throttling windows behind. */
    Q_INVOKABLE void reset();
    Q_INVOKABLE void setArmDelayMs(int ms);
    Q_INVOKABLE void setDefaultDuration(const QString &key);

private:
    void ensureClient(const QString &clientId, const QString &name, const QString &kind);

    QTemporaryDir m_dir;
    FakeClock m_clock;
    std::unique_ptr<Store::Database> m_db;
    std::unique_ptr<Store::AuditLog> m_audit;
    Consent::ConsentBroker *m_broker = nullptr;
    App::ConsentController *m_controller = nullptr;
    qint64 m_resourceId = 0;
    QString m_submitError;
    struct Answer
    {
        QString outcome;
        QStringList scopes;
        QString duration;
        bool extendHeld = false;
        int callbacks = 0;
    };
    QHash<QString, Answer> m_answers;
};

} // namespace Tessera::Test
