-- SPDX-License-Identifier: GPL-3.0-or-later
-- Access tokens are self-contained JWTs; revoking one (RFC 7009) means remembering its
-- jti until it would have expired anyway, so introspection can answer inactive (RFC 7662).
CREATE TABLE revoked_access_tokens (
    jti TEXT PRIMARY KEY CHECK (length(jti) > 0),
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER NOT NULL
) STRICT;
CREATE INDEX revoked_access_tokens_by_expiry ON revoked_access_tokens(expires_at);
