// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QObject>
#include <QtQml/qqmlregistration.h>

class QQmlEngine;
class QJSEngine;

namespace Tessera::App {

class Application;

/**
 * @brief What the status line, the window title and the tray say about Tessera as a whole.
 *
 * QML never sees Application or any core type; this adapter turns them into properties.
 */
class StatusController : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_SINGLETON
    Q_PROPERTY(QString statusLine READ statusLine NOTIFY changed)
    Q_PROPERTY(QString state READ state NOTIFY changed)
    Q_PROPERTY(bool healthy READ healthy NOTIFY changed)
    Q_PROPERTY(QString issuer READ issuer CONSTANT)
    Q_PROPERTY(QString dataDir READ dataDir CONSTANT)
    Q_PROPERTY(bool frozen READ frozen NOTIFY changed)
    /** R11: when the last access token already issued expires, as local time ("" if none is valid). */
    Q_PROPERTY(QString lastTokenExpiry READ lastTokenExpiry NOTIFY changed)
    Q_PROPERTY(int pendingCount READ pendingCount NOTIFY changed)

public:
    explicit StatusController(Application *app, QObject *parent = nullptr);

    /** @brief QML singleton factory: the instance the DesktopShell created (C++ ownership). */
    static StatusController *create(QQmlEngine *, QJSEngine *);
    static void setInstance(StatusController *instance);

    [[nodiscard]] QString statusLine() const;
    [[nodiscard]] QString state() const;
    [[nodiscard]] bool healthy() const;
    [[nodiscard]] QString issuer() const;
    [[nodiscard]] QString dataDir() const;
    [[nodiscard]] bool frozen() const;
    [[nodiscard]] QString lastTokenExpiry() const;
    [[nodiscard]] int pendingCount() const;

    /**
     * @brief The kill switch (product.md flow 5), always in reach: window and tray. False when
     * the change and its audit event could not be written (the broker logs why; a freeze
     * holds in memory even then, an unfreeze does not happen).
     */
    Q_INVOKABLE bool setFrozen(bool frozen);

Q_SIGNALS:
    void changed();
    /** @brief The window should be shown and raised (tray click, second start). */
    void windowRequested();

private:
    Application *m_app;
};

} // namespace Tessera::App
