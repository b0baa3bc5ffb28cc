// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "dashboardfixture.h"

#include <QObject>
#include <QUrl>
#include <QVariantMap>
#include <QtQml/qqmlregistration.h>

class QQmlEngine;
class QJSEngine;

namespace Tessera::App {
class Application;
}

namespace Tessera::Test {

/**
 * @brief QML singleton `Fixture` for the dashboard's Quick Tests: the seeded ids, and ways to
 * look behind the UI (the store's view of a grant, a real token refresh, files on disk).
 */
class FixtureObject : public QObject
{
    Q_OBJECT
    QML_NAMED_ELEMENT(Fixture)
    QML_SINGLETON
    Q_PROPERTY(QVariantMap ids READ ids CONSTANT)
    Q_PROPERTY(QString tempDir READ tempDir CONSTANT)

public:
    FixtureObject(App::Application *app, DemoData demo, QString tempDir, QObject *parent = nullptr);

    static FixtureObject *create(QQmlEngine *, QJSEngine *);
    static void setInstance(FixtureObject *instance);

    [[nodiscard]] QVariantMap ids() const;
    [[nodiscard]] QString tempDir() const { return m_tempDir; }

    /** @brief "active", "expired", "revoked" as the store says, or "missing". */
    Q_INVOKABLE QString grantState(const QString &grantId) const;
    /** @brief A real approval, code and token exchange: {grantId, refreshToken}. */
    Q_INVOKABLE QVariantMap authorize();
    /** @brief Presents @p refreshToken at the token endpoint: "ok" or the OAuth error code. */
    Q_INVOKABLE QString refresh(const QString &refreshToken);
    /** @brief Whether the client still exists in the store. */
    Q_INVOKABLE bool clientExists(const QString &clientId) const;
    Q_INVOKABLE bool resourceExists(const QString &name) const;
    /** @brief How many audit events of @p kind mention @p grantOrClient (empty: any). */
    Q_INVOKABLE int auditCount(const QString &kind, const QString &grantOrClient = {}) const;
    Q_INVOKABLE QString readFile(const QString &path) const;
    Q_INVOKABLE bool fileExists(const QString &path) const;
    Q_INVOKABLE QString clipboardText() const;
    Q_INVOKABLE QUrl fileUrl(const QString &path) const;
    /**
     * @brief The name a screen reader hears for @p item: its accessibility interface's Name
     * (Accessible.name, or what the control derives from its text), empty if it has none.
     */
    Q_INVOKABLE QString accessibleName(QObject *item) const;
    /** @brief Puts the database back to the seeded state of frozen, prompt timeout etc. */
    Q_INVOKABLE void unfreeze();

private:
    App::Application *m_app;
    DemoData m_demo;
    QString m_tempDir;
    int m_flows = 0;
};

} // namespace Tessera::Test
