-- Each region's count of requests in a status is kept in several rows (shards) whose sum is
-- the count: a change adds to one shard (each process takes them in turn), so concurrent
-- submissions of one region do not all wait for the same row's lock until commit.
CREATE TABLE request_count_shards (
    regime TEXT NOT NULL,
    status TEXT NOT NULL,
    shard INTEGER NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (regime, status, shard)
);
INSERT INTO request_count_shards (regime, status, shard, n)
SELECT regime, status, 0, n FROM request_counts;
DROP TABLE request_counts;
ALTER TABLE request_count_shards RENAME TO request_counts;
