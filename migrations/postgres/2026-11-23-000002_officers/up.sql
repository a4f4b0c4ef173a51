CREATE TABLE officers (
    id TEXT PRIMARY KEY NOT NULL,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    regions TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    totp_secret TEXT,
    totp_enabled_at TIMESTAMP,
    totp_last_step BIGINT,
    disabled_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE officer_sessions (
    id_hash TEXT PRIMARY KEY NOT NULL,
    officer_id TEXT NOT NULL REFERENCES officers (id) ON DELETE CASCADE,
    mfa_passed BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX officer_sessions_officer ON officer_sessions (officer_id);
CREATE INDEX officer_sessions_expires ON officer_sessions (expires_at);

-- Failed sign-ins per key: a keyed hash of the email or of the client address, never the
-- value itself.
CREATE TABLE login_throttle (
    throttle_key TEXT PRIMARY KEY NOT NULL,
    failures INTEGER NOT NULL,
    last_failure_at TIMESTAMP,
    locked_until TIMESTAMP
);

CREATE TABLE legal_holds (
    id TEXT PRIMARY KEY NOT NULL,
    scope TEXT NOT NULL,
    target_id TEXT NOT NULL,
    order_reference TEXT NOT NULL,
    reason TEXT NOT NULL,
    placed_by TEXT NOT NULL,
    placed_at TIMESTAMP NOT NULL,
    expires_on DATE,
    released_at TIMESTAMP,
    released_by TEXT
);
CREATE INDEX legal_holds_target ON legal_holds (scope, target_id);

-- The due date in force (extended or not), kept beside the two it comes from so that the
-- queue can sort and page by it through an index.
ALTER TABLE requests ADD COLUMN effective_due_at TIMESTAMP NOT NULL DEFAULT '1970-01-01 00:00:00';
UPDATE requests SET effective_due_at = COALESCE(extended_due_at, due_at);
CREATE INDEX requests_due ON requests (effective_due_at, id);
CREATE INDEX requests_active_due ON requests (effective_due_at, id)
    WHERE status IN ('open', 'in_progress', 'awaiting_requester');
CREATE INDEX requests_status_due_id ON requests (status, effective_due_at, id);
CREATE INDEX requests_regime_due ON requests (regime, effective_due_at, id);
CREATE INDEX requests_assignee_due ON requests (assignee_id, effective_due_at, id);

