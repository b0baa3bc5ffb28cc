// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/result.h"
#include "store/auditlog.h"

#include <QHash>

#include <functional>

class QIODevice;

namespace Tessera::App::AuditExport {

enum class Format
{
    JsonLines, ///< one JSON object per line (https://jsonlines.org), UTF-8, LF
    Csv, ///< RFC 4180: header row, CRLF, quoted where needed, formula-safe
};

/** @brief "jsonl" / "csv" (also "json"), or nullopt. */
[[nodiscard]] std::optional<Format> formatFromString(const QString &name);

/**
 * @brief One CSV field: a value a spreadsheet would run as a formula (starting with =, +, -,
 * @, tab or CR) gets a leading apostrophe (OWASP "CSV Injection"), then RFC 4180 quoting
 * when it holds a comma, a quote or a line break.
 */
[[nodiscard]] QString csvField(const QString &value);

[[nodiscard]] QByteArray csvHeader();
/** @brief One CRLF-terminated row for @p event; @p clientName is the agent's current name. */
[[nodiscard]] QByteArray csvRow(const Store::AuditEvent &event, const QString &clientName);
/** @brief One LF-terminated JSON line for @p event. */
[[nodiscard]] QByteArray jsonLine(const Store::AuditEvent &event, const QString &clientName);

/**
 * @brief Writes every event matching @p filter (newest first, paged by seq) to @p out and
 * returns how many. The audit log holds no secrets, so neither does the export.
 */
[[nodiscard]] Result<qint64> write(Store::AuditLog &log, Store::AuditFilter filter, Format format, QIODevice &out,
    const QHash<QString, QString> &clientNames);

} // namespace Tessera::App::AuditExport
