// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/result.h"

#include <QString>
#include <QStringList>

namespace Tessera::Test {

/** @brief What seedDemo() created, for tests to look things up by role. */
struct DemoData
{
    QString claudeCode; ///< DCR, two active grants, executables observed
    QString vscode; ///< CIMD (verified domain vscode.dev)
    QString cursor; ///< DCR, its grant revoked
    QString backupScript; ///< local program over the socket
    QString lookalike; ///< DCR "Claude Desktop", never approved, no executables
    QString goose; ///< registered by the person
    qint64 filesResource = 0;
    qint64 githubResource = 0;
    qint64 calendarResource = 0;
    qint64 notesResource = 0;
    QString claudeFilesGrant; ///< active, expires in 40 min
    QString claudeGithubGrant; ///< active until revoked
    QString claudeNotesGrant; ///< active, expires in 3 min
    QString vscodeFilesGrant; ///< active, 1 day
    QString vscodeCalendarGrant; ///< expired
    QString cursorGithubGrant; ///< revoked
    QString backupNotesGrant; ///< active until revoked
    QString gooseCalendarGrant; ///< "once", expired
    int activeGrants = 0;
    int auditEvents = 0;
};

/**
 * @brief Fills the database at @p path with a small, realistic history: six agents of every
 * kind, four resources, eight grants in every state and the audit events that made them,
 * spread over the three days before @p nowMs. Uses the real stores and AuditLog (the chain
 * is valid), on its own connection, which it closes before returning.
 */
[[nodiscard]] Result<DemoData> seedDemo(const QString &path, qint64 nowMs);

} // namespace Tessera::Test
