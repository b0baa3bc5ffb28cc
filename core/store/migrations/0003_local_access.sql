-- SPDX-License-Identifier: GPL-3.0-or-later
-- Local token access and the secret vault (tessera-cli secret / exec).
--
-- Secret VALUES live only in the keychain (key `secret/<name>`); this table holds what may be
-- shown: the name, a description and the environment variable a child gets by default.
CREATE TABLE secrets (
    name TEXT PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 64),
    description TEXT NOT NULL DEFAULT '',
    env_var TEXT NOT NULL CHECK (length(env_var) BETWEEN 1 AND 128),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    last_used_at INTEGER,
    use_count INTEGER NOT NULL DEFAULT 0 CHECK (use_count >= 0)
) STRICT;

-- What an approved `tessera-cli exec` leaves: permission for one caller executable (a local
-- client) to run one command line with one set of secrets (name=ENV pairs), until it expires
-- or is revoked. "expired" is computed (expires_at <= now), never stored, as for grants.
-- command is the JSON array of the argv (argv[0] resolved to an absolute path); secrets is the
-- canonical " name=ENV name2=ENV2 " text (sorted, single spaces, one leading and trailing space
-- so that instr(secrets, ' name=') finds one secret's grants).
CREATE TABLE exec_grants (
    id TEXT PRIMARY KEY CHECK (length(id) > 0),
    client_id TEXT NOT NULL REFERENCES clients(client_id) ON DELETE CASCADE,
    caller_exe TEXT NOT NULL,
    command TEXT NOT NULL,
    secrets TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER,
    duration TEXT NOT NULL,
    last_used_at INTEGER,
    use_count INTEGER NOT NULL DEFAULT 0 CHECK (use_count >= 0),
    state TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'revoked')),
    revoked_at INTEGER,
    revoked_reason TEXT,
    CHECK ((state = 'revoked') = (revoked_at IS NOT NULL))
) STRICT;
CREATE INDEX exec_grants_by_client ON exec_grants(client_id, created_at, id);
CREATE INDEX exec_grants_by_created ON exec_grants(created_at, id);
CREATE INDEX exec_grants_active ON exec_grants(client_id, command) WHERE state = 'active';
