-- A rotation seal: written by `rekey` under the current audit key while the older keys are
-- still configured, over a digest of every audit event (content and stored hashes) and
-- checkpoint up to `upto_seq`, the era made under the keys being retired. `audit verify`
-- checks that era against it once those keys are gone; the chain itself is never re-hashed.
CREATE TABLE audit_rotation_seals (
    upto_seq BIGINT NOT NULL,
    key_id TEXT NOT NULL,
    head_hash TEXT NOT NULL,
    digest TEXT NOT NULL,
    retired_key_ids TEXT NOT NULL,
    at TIMESTAMP NOT NULL,
    mac TEXT NOT NULL,
    PRIMARY KEY (upto_seq, key_id)
);
