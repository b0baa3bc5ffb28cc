// SPDX-License-Identifier: GPL-3.0-or-later
#include "support/tesserainstance.h"

#include "support/testsupport.h"

#include <QDeadlineTimer>
#include <QTcpServer>
#include <QThread>
#include <QUuid>

namespace Tessera::Test {

TesseraInstance::TesseraInstance()
    : m_port(freePort())
    , m_service(QStringLiteral("org.tessera.Test.") + QUuid::createUuid().toString(QUuid::Id128).left(12))
{ }

TesseraInstance::~TesseraInstance()
{
    if (m_process && m_process->state() != QProcess::NotRunning) {
        m_process->kill();
        m_process->waitForFinished(5000);
    }
}

quint16 TesseraInstance::freePort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 0;
    return probe.serverPort();
}

QString TesseraInstance::issuer() const
{
    return QStringLiteral("http://127.0.0.1:") + QString::number(m_port);
}

QProcessEnvironment TesseraInstance::environment() const
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("TESSERA_DATA_DIR"), dataDir());
    env.insert(QStringLiteral("TESSERA_CONFIG_DIR"), configDir());
    env.insert(QStringLiteral("TESSERA_RUNTIME_DIR"), runtimeDir());
    env.insert(QStringLiteral("TESSERA_PORT"), QString::number(m_port));
    env.insert(QStringLiteral("TESSERA_KEYCHAIN_SERVICE"), m_service);
    return env;
}

bool TesseraInstance::start(const QStringList &extraArgs)
{
    m_process = std::make_unique<QProcess>();
    m_process->setProcessEnvironment(environment());
    m_process->setProcessChannelMode(QProcess::SeparateChannels);
    QObject::connect(m_process.get(), &QProcess::readyReadStandardError, m_process.get(),
        [this] { m_log += m_process->readAllStandardError(); });
    m_process->start(builtExecutable(QStringLiteral("tessera")), extraArgs);
    return m_process->waitForStarted(5000);
}

bool TesseraInstance::waitUntil(int wantExit, int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired()) {
        if (m_process && m_process->state() == QProcess::NotRunning)
            return false;
        if (cli({ QStringLiteral("status") }, {}, 5000).exitCode == wantExit)
            return true;
        QThread::msleep(50);
    }
    return false;
}

int TesseraInstance::stop(int timeoutMs)
{
    if (!m_process || m_process->state() == QProcess::NotRunning)
        return m_process ? m_process->exitCode() : -1;
    m_process->terminate();
    if (!m_process->waitForFinished(timeoutMs)) {
        m_process->kill();
        m_process->waitForFinished(5000);
        return -1;
    }
    m_log += m_process->readAllStandardError();
    return m_process->exitStatus() == QProcess::NormalExit ? m_process->exitCode() : -1;
}

namespace {
CliResult run(const QString &program, const QStringList &args, const QProcessEnvironment &env, const QByteArray &input,
    int timeoutMs)
{
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(program, args);
    CliResult r;
    if (!p.waitForStarted(5000))
        return r;
    if (!input.isEmpty())
        p.write(input);
    p.closeWriteChannel();
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished(2000);
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}
} // namespace

CliResult TesseraInstance::cli(const QStringList &args, const QByteArray &stdinData, int timeoutMs) const
{
    return run(builtExecutable(QStringLiteral("tessera-cli")), args, environment(), stdinData, timeoutMs);
}

CliResult TesseraInstance::runTessera(const QStringList &args, int timeoutMs) const
{
    return run(builtExecutable(QStringLiteral("tessera")), args, environment(), {}, timeoutMs);
}

} // namespace Tessera::Test
