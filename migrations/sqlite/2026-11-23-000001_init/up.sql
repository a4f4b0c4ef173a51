CREATE TABLE requests (
    id TEXT PRIMARY KEY NOT NULL,
    reference TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    regime TEXT NOT NULL,
    status TEXT NOT NULL,
    full_name TEXT NOT NULL,
    email TEXT NOT NULL,
    account_ref TEXT,
    details TEXT NOT NULL,
    correction TEXT,
    purposes TEXT,
    content_removal BOOLEAN NOT NULL DEFAULT 0,
    received_at TIMESTAMP NOT NULL,
    verified_at TIMESTAMP,
    acknowledge_due_at TIMESTAMP,
    due_at TIMESTAMP NOT NULL,
    extended_due_at TIMESTAMP,
    closed_at TIMESTAMP,
    assignee_id TEXT,
    outcome TEXT,
    rejection_reason TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX requests_status_due ON requests (status, due_at);
CREATE INDEX requests_email ON requests (email);
CREATE INDEX requests_received ON requests (received_at);

CREATE TABLE request_messages (
    id TEXT PRIMARY KEY NOT NULL,
    request_id TEXT NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    author TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX request_messages_request ON request_messages (request_id, created_at);

CREATE TABLE link_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    request_id TEXT NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    purpose TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX link_tokens_request ON link_tokens (request_id);
CREATE INDEX link_tokens_expires ON link_tokens (expires_at);

CREATE TABLE audit_events (
    seq BIGINT PRIMARY KEY NOT NULL,
    id TEXT NOT NULL UNIQUE,
    at TIMESTAMP NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    details TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_events_target ON audit_events (target, seq);

-- The single row every write transaction locks first: it serialises audit appends on
-- both backends and records the newest event, so a deleted tail is detectable.
CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY NOT NULL,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE mail_outbox (
    id TEXT PRIMARY KEY NOT NULL,
    to_addr TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    template TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    claimed_until TIMESTAMP,
    sent_at TIMESTAMP,
    last_error TEXT
);
CREATE INDEX mail_outbox_pending ON mail_outbox (sent_at, next_attempt_at);
