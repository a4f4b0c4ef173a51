-- DPDP Rules r.8(2): before a purge erases an Indian subject's records, the subject is
-- mailed a notice at least 48 hours ahead. One row per retention class a notice covered:
-- records of that class whose clock started at or before covers_until are covered, and
-- may be erased from erase_from on. No personal data: the mail itself is in the outbox.
CREATE TABLE retention_notices (
    id TEXT PRIMARY KEY NOT NULL,
    subject_id TEXT NOT NULL REFERENCES subjects (id) ON DELETE CASCADE,
    retention_class TEXT NOT NULL,
    covers_until TIMESTAMP NOT NULL,
    erase_from TIMESTAMP NOT NULL,
    sent_at TIMESTAMP NOT NULL,
    items BIGINT NOT NULL
);
CREATE INDEX retention_notices_by_subject
    ON retention_notices (subject_id, retention_class, covers_until);
