-- SPDX-License-Identifier: GPL-3.0-or-later
-- The program that held a grant's loopback redirect port when the person approved it (issue 9,
-- R4; RFC 8252 §8.6): /authorize answers from the grant without a prompt only while the same
-- executable file (path, device and inode) listens on the redirect port again. Grants without a
-- row (older ones, or approved while nobody of the user listened) always prompt.
CREATE TABLE grant_receivers (
    grant_id TEXT PRIMARY KEY REFERENCES grants(id) ON DELETE CASCADE,
    exe_path TEXT NOT NULL CHECK (length(exe_path) > 0),
    exe_device INTEGER NOT NULL,
    exe_inode INTEGER NOT NULL CHECK (exe_inode > 0),
    recorded_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
