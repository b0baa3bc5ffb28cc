// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QProcess>
#include <QProcessEnvironment>
#include <QStringList>
#include <QTemporaryDir>

#include <memory>

namespace Tessera::Test {

/** @brief What one tessera-cli run printed and returned. */
struct CliResult
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

/**
 * @brief A real `tessera` process with private directories and a free port, for
 * end-to-end tests. Needs a Secret Service (register the test with KEYCHAIN) unless the
 * test is about its absence.
 */
class TesseraInstance
{
public:
    TesseraInstance();
    ~TesseraInstance();

    /** @brief Starts `tessera --headless` (or desktop with @p extraArgs and offscreen). */
    bool start(const QStringList &extraArgs = { QStringLiteral("--headless") });
    /** @brief Polls `tessera-cli status` until it exits @p wantExit (0: ready). */
    bool waitUntil(int wantExit = 0, int timeoutMs = 15000);
    /** @brief SIGTERM and wait; returns the exit code. */
    int stop(int timeoutMs = 10000);

    [[nodiscard]] CliResult cli(const QStringList &args, const QByteArray &stdinData = {}, int timeoutMs = 30000) const;
    /** @brief Runs another `tessera` with the same locations (single-instance tests). */
    [[nodiscard]] CliResult runTessera(const QStringList &args, int timeoutMs = 15000) const;

    [[nodiscard]] QString dataDir() const { return m_root.path() + QStringLiteral("/data"); }
    [[nodiscard]] QString configDir() const { return m_root.path() + QStringLiteral("/config"); }
    [[nodiscard]] QString runtimeDir() const { return m_root.path() + QStringLiteral("/run"); }
    [[nodiscard]] quint16 port() const { return m_port; }
    [[nodiscard]] QString issuer() const;
    [[nodiscard]] QString keychainService() const { return m_service; }
    [[nodiscard]] QProcess &process() { return *m_process; }
    [[nodiscard]] QByteArray log() const { return m_log; }
    [[nodiscard]] QProcessEnvironment environment() const;

    /** @brief A TCP port nothing listens on right now. */
    static quint16 freePort();

private:
    QTemporaryDir m_root;
    quint16 m_port;
    QString m_service;
    std::unique_ptr<QProcess> m_process;
    mutable QByteArray m_log;
};

} // namespace Tessera::Test
