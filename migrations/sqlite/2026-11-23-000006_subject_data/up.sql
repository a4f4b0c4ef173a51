-- The data inventory. Nothing personal is stored readable: an email and a record's
-- source id are found through keyed hashes (HMAC-SHA256 under a key derived from the
-- secret key); the values themselves are sealed (AES-256-GCM) beside the id of the key
-- that sealed them, so keys can rotate.
CREATE TABLE subjects (
    id TEXT PRIMARY KEY NOT NULL,
    email_hash TEXT NOT NULL UNIQUE,
    key_id TEXT NOT NULL,
    identity BLOB NOT NULL,
    cancelled_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE personal_records (
    id TEXT PRIMARY KEY NOT NULL,
    subject_id TEXT NOT NULL REFERENCES subjects (id),
    source TEXT NOT NULL,
    source_key TEXT NOT NULL UNIQUE,
    category TEXT NOT NULL,
    retention_class TEXT NOT NULL,
    state TEXT NOT NULL,
    key_id TEXT NOT NULL,
    sealed BLOB NOT NULL,
    removed_at TIMESTAMP,
    restricted_at TIMESTAMP,
    erased_at TIMESTAMP,
    -- When the retention class's clock started (cancellation, removal, erasure); null
    -- while the record is in active use and no clock runs.
    retention_from TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX personal_records_subject ON personal_records (subject_id, category);
CREATE INDEX personal_records_retention ON personal_records (retention_class, retention_from)
    WHERE retention_from IS NOT NULL;

-- A ledger: an entry is added per grant and closed once by its withdrawal, never rewritten.
CREATE TABLE consents (
    id TEXT PRIMARY KEY NOT NULL,
    subject_id TEXT NOT NULL REFERENCES subjects (id),
    purpose TEXT NOT NULL,
    granted_at TIMESTAMP NOT NULL,
    withdrawn_at TIMESTAMP,
    source TEXT NOT NULL,
    recorded_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX consents_entry ON consents (subject_id, purpose, granted_at, source);

CREATE TABLE objections (
    id TEXT PRIMARY KEY NOT NULL,
    subject_id TEXT NOT NULL REFERENCES subjects (id),
    purpose TEXT NOT NULL,
    request_id TEXT NOT NULL REFERENCES requests (id),
    recorded_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX objections_entry ON objections (subject_id, purpose, request_id);

-- Access and portability packages: a zip sealed like the records, offered through a
-- download token stored as its hash (and sealed, so the status page can show the link).
CREATE TABLE data_packages (
    id TEXT PRIMARY KEY NOT NULL,
    request_id TEXT NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    key_id TEXT NOT NULL,
    sealed_token BLOB NOT NULL,
    content BLOB NOT NULL,
    size_bytes BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    downloads INTEGER NOT NULL DEFAULT 0,
    max_downloads INTEGER NOT NULL
);
CREATE INDEX data_packages_request ON data_packages (request_id);
CREATE INDEX data_packages_expires ON data_packages (expires_at);
