// SPDX-License-Identifier: GPL-3.0-or-later
#include "common/locations.h"

#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>

#include <sys/stat.h>
#include <unistd.h>

namespace Tessera {

namespace {
const QString kDataDir = QStringLiteral("data-dir");
const QString kConfigDir = QStringLiteral("config-dir");
const QString kRuntimeDir = QStringLiteral("runtime-dir");
const QString kPort = QStringLiteral("port");
const QString kKeychainService = QStringLiteral("keychain-service");

QString pick(const QCommandLineParser *parser, const QString &option, const char *env, const QString &fallback)
{
    if (parser && parser->isSet(option))
        return parser->value(option);
    const QString fromEnv = qEnvironmentVariable(env);
    return fromEnv.isEmpty() ? fallback : fromEnv;
}

QString xdgOr(const char *env, const QString &homeRelative)
{
    const QString v = qEnvironmentVariable(env);
    // The XDG spec says relative paths in these variables are invalid and must be ignored.
    if (!v.isEmpty() && QDir::isAbsolutePath(v))
        return v;
    return QDir::homePath() + u'/' + homeRelative;
}
} // namespace

void Locations::addOptions(QCommandLineParser &parser)
{
    parser.addOption(
        { kDataDir, QStringLiteral("Data directory (database). Env: TESSERA_DATA_DIR."), QStringLiteral("dir") });
    parser.addOption(
        { kConfigDir, QStringLiteral("Config directory. Env: TESSERA_CONFIG_DIR."), QStringLiteral("dir") });
    parser.addOption({ kRuntimeDir, QStringLiteral("Runtime directory (sockets, lock). Env: TESSERA_RUNTIME_DIR."),
        QStringLiteral("dir") });
    parser.addOption(
        { kPort, QStringLiteral("Loopback HTTP port. Env: TESSERA_PORT. Default 7391."), QStringLiteral("port") });
    parser.addOption({ kKeychainService,
        QStringLiteral("Keychain service name. Env: TESSERA_KEYCHAIN_SERVICE. Default org.tessera.Tessera."),
        QStringLiteral("name") });
}

Result<Locations> Locations::resolve(const QCommandLineParser *parser)
{
    Locations l;
    const QString appDir = QStringLiteral("tessera");
    l.dataDir = pick(
        parser, kDataDir, "TESSERA_DATA_DIR", xdgOr("XDG_DATA_HOME", QStringLiteral(".local/share")) + u'/' + appDir);
    l.configDir = pick(
        parser, kConfigDir, "TESSERA_CONFIG_DIR", xdgOr("XDG_CONFIG_HOME", QStringLiteral(".config")) + u'/' + appDir);
    QString runtimeBase = qEnvironmentVariable("XDG_RUNTIME_DIR");
    QString runtimeDefault = (!runtimeBase.isEmpty() && QDir::isAbsolutePath(runtimeBase))
        ? QString(runtimeBase + u'/' + appDir)
        : QString(QDir::tempPath() + QStringLiteral("/tessera-") + QString::number(::getuid()));
    l.runtimeDir = pick(parser, kRuntimeDir, "TESSERA_RUNTIME_DIR", runtimeDefault);
    l.keychainService
        = pick(parser, kKeychainService, "TESSERA_KEYCHAIN_SERVICE", QStringLiteral("org.tessera.Tessera"));

    const QString portText = pick(parser, kPort, "TESSERA_PORT", QString::number(DefaultPort));
    bool okPort = false;
    const uint port = portText.toUInt(&okPort);
    // Port 0 would make the issuer unpredictable; clients pin the issuer string (product.md).
    if (!okPort || port == 0 || port > 65535)
        return Error::make(QStringLiteral("invalid_port"),
            QStringLiteral("The port must be a number from 1 to 65535, not \"%1\".").arg(portText));
    l.port = static_cast<quint16>(port);

    for (QString *dir : { &l.dataDir, &l.configDir, &l.runtimeDir }) {
        if (!QDir::isAbsolutePath(*dir))
            *dir = QDir(*dir).absolutePath();
        *dir = QDir::cleanPath(*dir);
    }
    return l;
}

QString Locations::databasePath() const
{
    return dataDir + QStringLiteral("/tessera.db");
}

QString Locations::clientSocketPath() const
{
    return runtimeDir + QStringLiteral("/client.sock");
}

QString Locations::operatorSocketPath() const
{
    return runtimeDir + QStringLiteral("/operator.sock");
}

QString Locations::lockFilePath() const
{
    return runtimeDir + QStringLiteral("/tessera.lock");
}

QString Locations::issuer() const
{
    // No trailing slash, byte-identical everywhere (mcp-authorization.md §0.2 item 3).
    return QStringLiteral("http://127.0.0.1:") + QString::number(port);
}

Status Locations::ensureDirectories() const
{
    for (const QString &dir : { dataDir, configDir, runtimeDir }) {
        if (Status s = ensurePrivateDirectory(dir); !s)
            return s;
    }
    return {};
}

Status ensurePrivateDirectory(const QString &path)
{
    if (!QDir().mkpath(path))
        return Error::make(
            QStringLiteral("directory_unavailable"), QStringLiteral("Cannot create the directory %1.").arg(path));
    const QByteArray native = QFile::encodeName(path);
    struct stat st
    {
    };
    if (::lstat(native.constData(), &st) != 0 || !S_ISDIR(st.st_mode))
        return Error::make(QStringLiteral("directory_unavailable"), QStringLiteral("%1 is not a directory.").arg(path));
    if (st.st_uid != ::getuid())
        return Error::make(QStringLiteral("directory_not_private"),
            QStringLiteral("%1 belongs to another user; refusing to use it.").arg(path));
    if ((st.st_mode & 0777) != 0700 && ::chmod(native.constData(), 0700) != 0)
        return Error::make(
            QStringLiteral("directory_not_private"), QStringLiteral("Cannot make %1 private (mode 0700).").arg(path));
    return {};
}

} // namespace Tessera
