-- SPDX-License-Identifier: GPL-3.0-or-later
-- Each scope keeps the lifetime the person gave it (issue 9, R10). A step-up approval adds
-- scopes to a grant; the scopes held before keep their own end unless the person chose to
-- extend them. NULL: every scope ends with the grant (expires_at). Otherwise a JSON object
-- {scope: end in seconds, or null for until revoked}; expires_at is then the latest end.
ALTER TABLE grants ADD COLUMN scope_expiry TEXT;
