// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/result.h"

#include <QList>
#include <QString>
#include <QStringList>

/**
 * @file
 * @brief Loading and preparing the compiled-in schema migrations (used by Database).
 *
 * Migrations are `core/store/migrations/NNNN_name.sql`, compiled in under
 * `:/tessera/store/migrations/`, numbered contiguously from 0001. Never edit a released one:
 * add the next number.
 */
namespace Tessera::Store::Migrations {

struct Migration
{
    int version = 0;
    QString name;
    QString sql;
};

/** @brief All compiled-in migrations in order; fails if numbering has a gap or a duplicate. */
[[nodiscard]] Result<QList<Migration>> load(const QString &resourceDir = QStringLiteral(":/tessera/store/migrations"));

/**
 * @brief Splits a script into single statements (QSQLITE runs one per prepare).
 *
 * Understands '...' / "..." / `...` / [...] quoting, -- and block comments (dropped), and
 * CREATE TRIGGER bodies (BEGIN ... END, with CASE ... END inside).
 */
[[nodiscard]] QStringList splitStatements(const QString &sql);

/** @brief Removes the STRICT table option for SQLite < 3.37, which does not know it. */
[[nodiscard]] QString adaptForSqlite(const QString &sql, bool strictTables);

/** @brief Whether a sqlite_version() string such as "3.40.1" is at least major.minor.patch. */
[[nodiscard]] bool versionAtLeast(const QString &version, int major, int minor, int patch = 0);

} // namespace Tessera::Store::Migrations
