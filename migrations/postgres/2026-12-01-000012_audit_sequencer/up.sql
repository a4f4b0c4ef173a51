-- Events commit unsequenced (no number, no hash) with the change they record; a single
-- sequencer numbers and chains them later. `pos` is the local insertion order the sequencer
-- takes them in. Existing events keep their numbers and their unkeyed hashes (key_id NULL);
-- the sequencer's first run seals them under a keyed checkpoint.
ALTER TABLE audit_events DROP CONSTRAINT audit_events_pkey;
ALTER TABLE audit_events ADD COLUMN pos BIGINT;
UPDATE audit_events SET pos = seq;
CREATE SEQUENCE audit_events_pos_seq OWNED BY audit_events.pos;
SELECT setval('audit_events_pos_seq', COALESCE((SELECT MAX(pos) FROM audit_events), 0) + 1, false);
ALTER TABLE audit_events
    ALTER COLUMN pos SET DEFAULT nextval('audit_events_pos_seq'),
    ALTER COLUMN pos SET NOT NULL,
    ADD PRIMARY KEY (pos),
    ALTER COLUMN seq DROP NOT NULL,
    ADD CONSTRAINT audit_events_seq_key UNIQUE (seq),
    ALTER COLUMN prev_hash DROP NOT NULL,
    ALTER COLUMN hash DROP NOT NULL,
    ADD COLUMN key_id TEXT;
DROP INDEX audit_events_target;
CREATE INDEX audit_events_target ON audit_events (target, pos);
CREATE INDEX audit_events_pending ON audit_events (pos) WHERE seq IS NULL;

-- One row per sequenced batch: the chain's head at that number, under a keyed MAC.
CREATE TABLE audit_checkpoints (
    seq BIGINT PRIMARY KEY NOT NULL,
    head_hash TEXT NOT NULL,
    at TIMESTAMP NOT NULL,
    key_id TEXT NOT NULL,
    mac TEXT NOT NULL
);
