// SPDX-License-Identifier: GPL-3.0-or-later
#include "desktop/trayicon.h"

#include "application.h"
#include "common/logging.h"

#include <QMenu>
#include <QSystemTrayIcon>

namespace Tessera::App {

TrayIcon::TrayIcon(Application *app, QObject *parent) : QObject(parent), m_app(app)
{
    if (!QSystemTrayIcon::isSystemTrayAvailable()) {
        qCInfo(lcApp) << "no system tray on this desktop; the window is the only UI";
        return;
    }
    m_menu = new QMenu;
    m_menu->addAction(tr("Open Tessera"), this, &TrayIcon::openRequested);
    m_menu->addSeparator();
    m_menu->addAction(tr("Quit"), this, &TrayIcon::quitRequested);

    m_tray = new QSystemTrayIcon(QIcon(QStringLiteral(":/icons/tessera.svg")), this);
    m_tray->setContextMenu(m_menu);
    connect(m_tray, &QSystemTrayIcon::activated, this, [this](QSystemTrayIcon::ActivationReason reason) {
        if (reason == QSystemTrayIcon::Trigger || reason == QSystemTrayIcon::DoubleClick)
            Q_EMIT openRequested();
    });
    connect(app, &Application::stateChanged, this, &TrayIcon::refresh);
    refresh();
    m_tray->show();
}

TrayIcon::~TrayIcon()
{
    delete m_menu;
}

bool TrayIcon::isVisible() const
{
    return m_tray && m_tray->isVisible();
}

void TrayIcon::refresh()
{
    if (m_tray)
        m_tray->setToolTip(tr("Tessera — %1").arg(m_app->statusMessage()));
}

} // namespace Tessera::App
