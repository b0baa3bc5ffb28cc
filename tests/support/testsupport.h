// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace Tessera::Test {

/** @brief Reads a file from tests/data; fails the calling test if it is missing. */
[[nodiscard]] QByteArray readTestData(const QString &relativePath);

/** @brief Absolute path of @p relativePath in the source tree (e.g. "packaging/completion"). */
[[nodiscard]] QString sourcePath(const QString &relativePath);

/** @brief Absolute path of a built executable (tessera, tessera-cli) in the build tree. */
[[nodiscard]] QString builtExecutable(const QString &name);

/** @brief Mode bits (e.g. 0600) of a path, or -1 if it does not exist. */
[[nodiscard]] int fileMode(const QString &path);

/** @brief Whether @p haystack contains @p needle anywhere (binary-safe). */
[[nodiscard]] bool fileContains(const QString &path, const QByteArray &needle);

} // namespace Tessera::Test
