-- Events commit unsequenced (no number, no hash) with the change they record; a single
-- sequencer numbers and chains them later. `pos` is the local insertion order the sequencer
-- takes them in. Existing events keep their numbers and their unkeyed hashes (key_id NULL);
-- the sequencer's first run seals them under a keyed checkpoint.
CREATE TABLE audit_events_sequenced (
    pos INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    seq BIGINT UNIQUE,
    id TEXT NOT NULL UNIQUE,
    at TIMESTAMP NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    details TEXT NOT NULL,
    prev_hash TEXT,
    hash TEXT,
    key_id TEXT
);
INSERT INTO audit_events_sequenced (pos, seq, id, at, actor, action, target, details, prev_hash, hash, key_id)
    SELECT seq, seq, id, at, actor, action, target, details, prev_hash, hash, NULL
    FROM audit_events ORDER BY seq;
DROP TABLE audit_events;
ALTER TABLE audit_events_sequenced RENAME TO audit_events;
CREATE INDEX audit_events_target ON audit_events (target, pos);
CREATE INDEX audit_events_action_at ON audit_events (action, at);
CREATE INDEX audit_events_pending ON audit_events (pos) WHERE seq IS NULL;

-- One row per sequenced batch: the chain's head at that number, under a keyed MAC.
CREATE TABLE audit_checkpoints (
    seq BIGINT PRIMARY KEY NOT NULL,
    head_hash TEXT NOT NULL,
    at TIMESTAMP NOT NULL,
    key_id TEXT NOT NULL,
    mac TEXT NOT NULL
);
