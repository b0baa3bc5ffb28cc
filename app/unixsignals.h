// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QObject>

class QSocketNotifier;

namespace Tessera::App {

/**
 * @brief Turns SIGINT/SIGTERM/SIGHUP into a Qt signal via a self-pipe, so shutdown runs
 * in the event loop (sockets removed, database closed) instead of in a signal handler.
 */
class UnixSignals : public QObject
{
    Q_OBJECT
public:
    explicit UnixSignals(QObject *parent = nullptr);
    ~UnixSignals() override;

Q_SIGNALS:
    void terminationRequested(int signal);

private:
    QSocketNotifier *m_notifier = nullptr;
};

} // namespace Tessera::App
