-- Unsequenced events have no place in the old chain: they are dropped.
DROP TABLE audit_checkpoints;
DELETE FROM audit_events WHERE seq IS NULL;
DROP INDEX audit_events_pending;
DROP INDEX audit_events_target;
ALTER TABLE audit_events DROP CONSTRAINT audit_events_pkey;
ALTER TABLE audit_events DROP CONSTRAINT audit_events_seq_key;
ALTER TABLE audit_events DROP COLUMN pos, DROP COLUMN key_id;
ALTER TABLE audit_events
    ALTER COLUMN prev_hash SET NOT NULL,
    ALTER COLUMN hash SET NOT NULL,
    ALTER COLUMN seq SET NOT NULL,
    ADD PRIMARY KEY (seq);
CREATE INDEX audit_events_target ON audit_events (target, seq);
