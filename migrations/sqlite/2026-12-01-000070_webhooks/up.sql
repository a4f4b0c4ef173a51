-- Endpoints admins configure: where events are posted, which event types, whether the
-- bodies may carry personal data. The signing secret is sealed (it must be read to sign).
CREATE TABLE webhook_endpoints (
    id TEXT PRIMARY KEY NOT NULL,
    url TEXT NOT NULL,
    event_types TEXT NOT NULL,
    personal_data BOOLEAN NOT NULL,
    enabled BOOLEAN NOT NULL,
    secret TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    seal_key_id TEXT
);

-- One row per event and endpoint, written in the transaction of the change that caused the
-- event; a sender claims due rows (claim_token, claimed_until) as the mail outbox does.
CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY NOT NULL,
    endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_type TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    claimed_until TIMESTAMP,
    claim_token TEXT,
    delivered_at TIMESTAMP,
    failed_at TIMESTAMP,
    last_status INTEGER,
    last_error TEXT,
    last_attempt_at TIMESTAMP,
    seal_key_id TEXT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at)
    WHERE delivered_at IS NULL AND failed_at IS NULL;
CREATE INDEX webhook_deliveries_claim ON webhook_deliveries (claim_token)
    WHERE claim_token IS NOT NULL;
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, created_at);
