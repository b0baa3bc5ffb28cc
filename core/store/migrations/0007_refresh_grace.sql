-- SPDX-License-Identifier: GPL-3.0-or-later
-- A lost answer must not cost an agent its grant (issue 10, item 5). A rotated refresh token
-- stays usable until its successor is first used (RFC 9700 §4.14.2 leaves the invalidation
-- policy to the AS; workers-oauth-provider's "one retry until the new one is used"):
--   current: rotated_at IS NULL (at most one per family: refresh_tokens_one_current)
--   grace:   rotated_at set, retired_at NULL: the current token's predecessor, which may still
--            be presented (a retry); at most one per family, enforced below
--   retired: retired_at set: presenting it is reuse and revokes the family
-- Tokens rotated before this version were dead under the old rule and stay dead.
ALTER TABLE refresh_tokens ADD COLUMN retired_at INTEGER CHECK (retired_at IS NULL OR rotated_at IS NOT NULL);
UPDATE refresh_tokens SET retired_at = rotated_at WHERE rotated_at IS NOT NULL;
CREATE UNIQUE INDEX refresh_tokens_one_grace ON refresh_tokens(family_id)
    WHERE rotated_at IS NOT NULL AND retired_at IS NULL;
