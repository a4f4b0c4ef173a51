-- Unsequenced events have no place in the old chain: they are dropped.
DROP TABLE audit_checkpoints;
CREATE TABLE audit_events_chained (
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
INSERT INTO audit_events_chained (seq, id, at, actor, action, target, details, prev_hash, hash)
    SELECT seq, id, at, actor, action, target, details, prev_hash, hash
    FROM audit_events WHERE seq IS NOT NULL ORDER BY seq;
DROP TABLE audit_events;
ALTER TABLE audit_events_chained RENAME TO audit_events;
CREATE INDEX audit_events_target ON audit_events (target, seq);
CREATE INDEX audit_events_action_at ON audit_events (action, at);
