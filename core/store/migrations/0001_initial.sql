-- SPDX-License-Identifier: GPL-3.0-or-later
-- Tessera schema 1.
--
-- Conventions: times are Unix seconds (UTC), except audit_events.ts (ms); hashes are raw SHA-256
-- digests (32 bytes); scope sets are space-separated, sorted and de-duplicated (records.h
-- joinScopes); JSON columns hold compact JSON objects/arrays written by the stores. No JSON
-- functions in constraints: the connection runs with trusted_schema=OFF, which forbids them.
-- Codes, refresh tokens and secrets are never stored, only their hashes.
-- "STRICT" is removed at load time when the SQLite library is older than 3.37 (migrations.cpp).
-- Applied in one transaction together with PRAGMA user_version = 1 (database.cpp).

-- Protected services (usually MCP servers). uri is the canonical form (ResourceStore::canonicalUri).
CREATE TABLE resources (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uri TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 64),
    display_name TEXT NOT NULL,
    token_lifetime_secs INTEGER NOT NULL DEFAULT 300 CHECK (token_lifetime_secs BETWEEN 1 AND 86400),
    default_scopes TEXT NOT NULL DEFAULT '',
    introspection_secret_hash BLOB CHECK (introspection_secret_hash IS NULL OR length(introspection_secret_hash) = 32),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE resource_scopes (
    resource_id INTEGER NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
    name TEXT NOT NULL CHECK (length(name) > 0),
    description TEXT NOT NULL DEFAULT '',
    risk TEXT NOT NULL DEFAULT 'low' CHECK (risk IN ('low', 'high')),
    position INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (resource_id, name)
) STRICT, WITHOUT ROWID;

-- OAuth clients ("agents"). client_name and metadata are self-asserted by the client.
CREATE TABLE clients (
    client_id TEXT PRIMARY KEY CHECK (length(client_id) > 0),
    kind TEXT NOT NULL CHECK (kind IN ('dcr', 'cimd', 'preregistered', 'local')),
    client_name TEXT,
    metadata TEXT NOT NULL DEFAULT '{}',
    redirect_uris TEXT NOT NULL DEFAULT '[]',
    token_endpoint_auth_method TEXT NOT NULL DEFAULT 'none',
    secret_hash BLOB CHECK (secret_hash IS NULL OR length(secret_hash) = 32),
    created_at INTEGER NOT NULL,
    expires_at INTEGER,
    last_seen_at INTEGER,
    consented INTEGER NOT NULL DEFAULT 0 CHECK (consented IN (0, 1))
) STRICT;
CREATE INDEX clients_by_created ON clients(created_at);
CREATE INDEX clients_unconsented_by_expiry ON clients(expires_at) WHERE consented = 0;

-- Local executables observed acting as a client (redirect-port owner, socket peer).
CREATE TABLE client_executables (
    client_id TEXT NOT NULL REFERENCES clients(client_id) ON DELETE CASCADE,
    exe_path TEXT NOT NULL,
    first_seen INTEGER NOT NULL,
    last_seen INTEGER NOT NULL,
    count INTEGER NOT NULL DEFAULT 1 CHECK (count >= 1),
    PRIMARY KEY (client_id, exe_path)
) STRICT, WITHOUT ROWID;

-- What a decision leaves. "expired" is computed (expires_at <= now), never stored.
CREATE TABLE grants (
    id TEXT PRIMARY KEY CHECK (length(id) > 0),
    client_id TEXT NOT NULL REFERENCES clients(client_id) ON DELETE CASCADE,
    resource_id INTEGER NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
    scopes TEXT NOT NULL,
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
CREATE INDEX grants_by_client ON grants(client_id, created_at, id);
CREATE INDEX grants_by_resource ON grants(resource_id, created_at, id);
CREATE INDEX grants_by_created ON grants(created_at, id);
CREATE INDEX grants_by_last_used ON grants(ifnull(last_used_at, -1), id);
-- By state and expiry as partial indexes: they also keep the dashboard's filtered pages in
-- created_at order (no sort), whatever the planner's row estimates.
CREATE INDEX grants_active_by_created ON grants(created_at, id) WHERE state = 'active';
CREATE INDEX grants_active_by_expiry ON grants(expires_at) WHERE state = 'active';
CREATE INDEX grants_revoked_by_created ON grants(created_at, id) WHERE state = 'revoked';

-- Authorization codes, by SHA-256 of the code. Consumed rows are kept for replay detection
-- (AuthorizationCodeStore::ReplayWindowSecs); family_id links the refresh family a code issued.
CREATE TABLE authorization_codes (
    code_hash BLOB PRIMARY KEY CHECK (length(code_hash) = 32),
    grant_id TEXT NOT NULL REFERENCES grants(id) ON DELETE CASCADE,
    client_id TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    code_challenge TEXT NOT NULL CHECK (length(code_challenge) = 43),
    resource TEXT NOT NULL,
    scopes TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    consumed_at INTEGER,
    family_id TEXT REFERENCES refresh_families(id) ON DELETE SET NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX authorization_codes_by_expiry ON authorization_codes(expires_at);
CREATE INDEX authorization_codes_by_grant ON authorization_codes(grant_id);
CREATE INDEX authorization_codes_by_family ON authorization_codes(family_id);

-- A chain of rotating refresh tokens issued from one code. Revoking the family stops them all.
CREATE TABLE refresh_families (
    id TEXT PRIMARY KEY CHECK (length(id) > 0),
    grant_id TEXT NOT NULL REFERENCES grants(id) ON DELETE CASCADE,
    client_id TEXT NOT NULL,
    resource TEXT NOT NULL,
    scopes TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER,
    revoked_reason TEXT
) STRICT;
CREATE INDEX refresh_families_by_grant ON refresh_families(grant_id);
CREATE INDEX refresh_families_by_client ON refresh_families(client_id);

-- Refresh tokens, by SHA-256. rotated_at is set when a newer token replaced this one.
CREATE TABLE refresh_tokens (
    token_hash BLOB PRIMARY KEY CHECK (length(token_hash) = 32),
    family_id TEXT NOT NULL REFERENCES refresh_families(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    rotated_at INTEGER
) STRICT, WITHOUT ROWID;
CREATE INDEX refresh_tokens_by_family ON refresh_tokens(family_id);
-- The crash-safety invariant, enforced by SQLite itself: at most one current token per family.
CREATE UNIQUE INDEX refresh_tokens_one_current ON refresh_tokens(family_id) WHERE rotated_at IS NULL;

-- Pending and past consent decisions. snapshot is what the person was shown; it never changes.
CREATE TABLE consent_requests (
    id TEXT PRIMARY KEY CHECK (length(id) > 0),
    client_id TEXT NOT NULL REFERENCES clients(client_id) ON DELETE CASCADE,
    resource_id INTEGER REFERENCES resources(id) ON DELETE CASCADE,
    scopes TEXT NOT NULL DEFAULT '',
    path TEXT NOT NULL CHECK (path IN ('authorize', 'token', 'secret', 'exec')),
    snapshot TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'denied', 'expired')),
    decided_at INTEGER,
    decision TEXT,
    CHECK ((status = 'pending') = (decided_at IS NULL))
) STRICT;
CREATE INDEX consent_requests_by_status_expiry ON consent_requests(status, expires_at);
CREATE INDEX consent_requests_by_client ON consent_requests(client_id, status);
CREATE TRIGGER consent_requests_immutable
BEFORE UPDATE OF id, client_id, resource_id, scopes, path, snapshot, created_at, expires_at ON consent_requests
BEGIN
    SELECT RAISE(ABORT, 'consent request details are immutable');
END;
CREATE TRIGGER consent_requests_decided_once
BEFORE UPDATE OF status ON consent_requests WHEN OLD.status <> 'pending'
BEGIN
    SELECT RAISE(ABORT, 'consent request already decided');
END;

-- Hash-chained audit log (auditlog.h documents the hashed byte format). seq is contiguous from 1.
CREATE TABLE audit_events (
    seq INTEGER PRIMARY KEY CHECK (seq > 0),
    ts INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (length(kind) > 0),
    actor TEXT NOT NULL CHECK (length(actor) > 0),
    client_id TEXT,
    resource TEXT,
    grant_id TEXT,
    details TEXT NOT NULL DEFAULT '{}',
    prev_hash BLOB NOT NULL CHECK (length(prev_hash) = 32),
    hash BLOB NOT NULL CHECK (length(hash) = 32)
) STRICT;
CREATE INDEX audit_events_by_ts ON audit_events(ts);
CREATE INDEX audit_events_by_client ON audit_events(client_id);
CREATE INDEX audit_events_by_kind ON audit_events(kind);
CREATE INDEX audit_events_by_resource ON audit_events(resource);
CREATE INDEX audit_events_by_grant ON audit_events(grant_id);
-- Append-only against mistakes in our own code. This is not a security boundary: anyone who can
-- write the file can drop the triggers, which is what the hash chain is for.
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;

-- Substring search over audit details (AuditFilter::text), rowid = seq. Derived data, written by
-- AuditLog::append in the same transaction as the event; not part of the hash chain.
CREATE VIRTUAL TABLE audit_search USING fts5(details, content='', tokenize='trigram');

-- The chain head {seq, hash}, updated in the same transaction as each append, so that a deleted
-- tail is detected. seq 0 with 32 zero bytes is the genesis state.
CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL CHECK (seq >= 0),
    hash BLOB NOT NULL CHECK (length(hash) = 32)
) STRICT;
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, zeroblob(32));

-- Public halves of the token-signing keys (the private keys live only in the keychain;
-- SigningKeyStore refuses a JWK with private members).
CREATE TABLE signing_keys (
    kid TEXT PRIMARY KEY CHECK (length(kid) > 0),
    public_jwk TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    retired_at INTEGER,
    publish_until INTEGER,
    state TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'retired')),
    CHECK ((state = 'retired') = (retired_at IS NOT NULL))
) STRICT;
CREATE UNIQUE INDEX signing_keys_one_active ON signing_keys(state) WHERE state = 'active';

CREATE TABLE settings (
    key TEXT PRIMARY KEY CHECK (length(key) > 0),
    value TEXT NOT NULL
) STRICT, WITHOUT ROWID;
