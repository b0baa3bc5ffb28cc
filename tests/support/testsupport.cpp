// SPDX-License-Identifier: GPL-3.0-or-later
#include "support/testsupport.h"

#include <QFile>
#include <QTest>

#include <sys/stat.h>

namespace Tessera::Test {

QByteArray readTestData(const QString &relativePath)
{
    QFile f(QStringLiteral(TESSERA_TEST_DATA_DIR "/") + relativePath);
    if (!f.open(QIODevice::ReadOnly)) {
        qWarning("missing test data: %s", qPrintable(f.fileName()));
        return {};
    }
    return f.readAll();
}

QString sourcePath(const QString &relativePath)
{
    return QStringLiteral(TESSERA_SOURCE_DIR "/") + relativePath;
}

QString builtExecutable(const QString &name)
{
    return QStringLiteral(TESSERA_BINARY_DIR "/bin/") + name;
}

int fileMode(const QString &path)
{
    struct stat st
    {
    };
    if (::stat(QFile::encodeName(path).constData(), &st) != 0)
        return -1;
    return static_cast<int>(st.st_mode & 07777);
}

bool fileContains(const QString &path, const QByteArray &needle)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return false;
    return f.readAll().contains(needle);
}

} // namespace Tessera::Test
