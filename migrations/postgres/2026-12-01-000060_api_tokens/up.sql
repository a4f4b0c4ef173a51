-- Tokens other systems use on /api/v1. Only the SHA-256 of the secret is kept; scopes and
-- regions are space-separated names. A revoked or expired token stays listed.
CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    scopes TEXT NOT NULL,
    regions TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP,
    revoked_at TIMESTAMP,
    last_used_at TIMESTAMP
);
-- How a request reached the portal when it was recorded rather than submitted on the form:
-- post, phone, in_person, email or agent; NULL for the public form.
ALTER TABLE requests ADD COLUMN channel TEXT;
