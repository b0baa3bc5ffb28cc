// SPDX-License-Identifier: GPL-3.0-or-later
#include "desktop/trayicon.h"

#include "application.h"
#include "common/logging.h"
#include "desktop/consentcontroller.h"
#include "desktop/statuscontroller.h"

#include <QMenu>
#include <QPainter>
#include <QSystemTrayIcon>

namespace Tessera::App {

TrayIcon::TrayIcon(Application *app, QObject *parent) : QObject(parent), m_app(app), m_menu(new QMenu)
{
    m_menu->addAction(tr("Open Tessera"), this, &TrayIcon::openRequested);
    m_pendingAction = m_menu->addAction(tr("Pending requests"));
    m_menu->addSeparator();
    m_freezeAction = m_menu->addAction(tr("Freeze all access"));
    m_freezeAction->setCheckable(true);
    m_menu->addSeparator();
    m_menu->addAction(tr("Quit"), this, &TrayIcon::quitRequested);
    connect(app, &Application::stateChanged, this, &TrayIcon::refresh);

    if (!QSystemTrayIcon::isSystemTrayAvailable()) {
        qCInfo(lcApp) << "no system tray on this desktop; the window is the only UI";
    } else {
        m_tray = new QSystemTrayIcon(this);
        m_tray->setContextMenu(m_menu);
        connect(m_tray, &QSystemTrayIcon::activated, this, [this](QSystemTrayIcon::ActivationReason reason) {
            if (reason != QSystemTrayIcon::Trigger && reason != QSystemTrayIcon::DoubleClick)
                return;
            // A click on the icon goes where the attention is needed.
            if (m_consent && m_consent->hasRequest())
                m_consent->requestPrompt();
            else
                Q_EMIT openRequested();
        });
    }
    refresh();
    if (m_tray)
        m_tray->show();
}

TrayIcon::~TrayIcon()
{
    delete m_menu;
}

void TrayIcon::attach(ConsentController *consent, StatusController *status)
{
    m_consent = consent;
    m_status = status;
    connect(m_pendingAction, &QAction::triggered, consent, &ConsentController::requestPrompt);
    connect(consent, &ConsentController::queueChanged, this, &TrayIcon::refresh);
    // triggered, not toggled: the menu asks; the broker's state (via StatusController) answers.
    connect(m_freezeAction, &QAction::triggered, status, [this](bool checked) {
        if (m_status)
            m_status->setFrozen(checked);
        refresh();
    });
    connect(status, &StatusController::changed, this, &TrayIcon::refresh);
    refresh();
}

bool TrayIcon::isVisible() const
{
    return m_tray && m_tray->isVisible();
}

void TrayIcon::refresh()
{
    const int pending = m_consent ? m_consent->count() : 0;
    const bool frozen = m_status && m_status->frozen();
    const State state = frozen ? State::Frozen : pending > 0 ? State::Pending : State::Normal;

    m_pendingAction->setText(pending > 0 ? tr("Pending requests (%1)").arg(pending) : tr("No pending requests"));
    m_pendingAction->setEnabled(pending > 0);
    m_freezeAction->setChecked(frozen);
    m_freezeAction->setEnabled(m_status != nullptr);
    m_freezeAction->setText(
        frozen ? tr("Frozen: every request is refused (click to unfreeze)") : tr("Freeze all access"));

    switch (state) {
    case State::Frozen:
        m_toolTip = tr("Tessera — frozen: every request is refused");
        break;
    case State::Pending:
        m_toolTip = pending == 1 ? tr("Tessera — 1 request waiting for you")
                                 : tr("Tessera — %1 requests waiting for you").arg(pending);
        break;
    case State::Normal:
        m_toolTip = tr("Tessera — %1").arg(m_app->statusMessage());
        break;
    }
    if (state != m_state || pending != m_pending || m_icon.isNull()) {
        m_icon = iconFor(state, pending);
        if (m_tray)
            m_tray->setIcon(m_icon);
    }
    if (m_tray)
        m_tray->setToolTip(m_toolTip);
    const bool changed = state != m_state || pending != m_pending;
    m_state = state;
    m_pending = pending;
    if (changed)
        Q_EMIT stateChanged();
}

QIcon TrayIcon::iconFor(State state, int pending)
{
    switch (state) {
    case State::Frozen:
        return QIcon(QStringLiteral(":/icons/tessera-frozen.svg"));
    case State::Normal:
        return QIcon(QStringLiteral(":/icons/tessera.svg"));
    case State::Pending:
        break;
    }
    // The pending icon carries the count in its badge; trays show icons at 16-48 px.
    QIcon icon;
    const QIcon base(QStringLiteral(":/icons/tessera-pending.svg"));
    for (const int size : { 16, 22, 24, 32, 48, 64 }) {
        QPixmap pixmap = base.pixmap(size, size);
        QPainter p(&pixmap);
        p.setRenderHint(QPainter::Antialiasing);
        QFont font = p.font();
        font.setBold(true);
        font.setPixelSize(qMax(7, size * 7 / 16));
        p.setFont(font);
        p.setPen(Qt::white);
        // The badge circle is drawn by the SVG at the lower right (cx=46, cy=46, r=17 of 64).
        const QRectF badge(size * 29.0 / 64, size * 29.0 / 64, size * 34.0 / 64, size * 34.0 / 64);
        p.drawText(badge, Qt::AlignCenter, pending > 9 ? QStringLiteral("9+") : QString::number(pending));
        p.end();
        icon.addPixmap(pixmap);
    }
    return icon;
}

} // namespace Tessera::App
