// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "consent/consentrequest.h"

#include <QObject>
#include <QTemporaryDir>

#include <memory>

class QQuickWindow;

namespace Tessera::App {
class Application;
class ConsentController;
class DesktopShell;
} // namespace Tessera::App

namespace Tessera::Test {

/**
 * @brief The whole desktop app in this process, as `tessera` runs it (Application +
 * DesktopShell: main window, prompt, tray), on private directories, a free port and an
 * in-memory keychain, with a seeded resource and agents. For the screenshot tool and the
 * prompt latency benchmark; not for ctest (use tests/qml/prompt for that).
 */
class DesktopHarness : public QObject
{
    Q_OBJECT
public:
    DesktopHarness();
    ~DesktopHarness() override;

    /** @brief Starts the services and the front end; false (and a message on stderr) on failure. */
    [[nodiscard]] bool start();

    [[nodiscard]] App::Application *app() const { return m_app.get(); }
    [[nodiscard]] App::DesktopShell *shell() const { return m_shell.get(); }
    [[nodiscard]] App::ConsentController *consent() const;
    [[nodiscard]] QQuickWindow *mainWindow() const;
    [[nodiscard]] QQuickWindow *promptWindow() const;
    [[nodiscard]] qint64 resourceId() const { return m_resourceId; }
    [[nodiscard]] QString resourceUri() const;

    /** @brief A consent request for the seeded resource, as /authorize would make it, submitted to the broker. */
    [[nodiscard]] Consent::ConsentRequest request(const QString &clientId) const;
    /** @brief Submits @p r (adding its client if needed); returns the id or "". */
    QString submit(const Consent::ConsentRequest &r);
    /** @brief Adds a registered client (agent) to the database. */
    void addClient(const QString &clientId, const QString &name, const QString &kind = QStringLiteral("dcr"));
    /** @brief Grants and audit events, so the dashboard has something to show. */
    void seedHistory();

private:
    QTemporaryDir m_dir;
    std::unique_ptr<App::Application> m_app;
    std::unique_ptr<App::DesktopShell> m_shell;
    qint64 m_resourceId = 0;
};

/** @brief Waits (event loop running) until @p window has been exposed and drew a frame. */
bool waitForFrame(QQuickWindow *window, int timeoutMs = 5000);

} // namespace Tessera::Test
