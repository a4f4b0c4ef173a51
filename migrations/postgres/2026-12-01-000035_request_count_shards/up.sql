-- Each region's count of requests in a status is kept in several rows (shards) whose sum is
-- the count: a change adds to one shard (each process takes them in turn), so concurrent
-- submissions of one region do not all wait for the same row's lock until commit.
ALTER TABLE request_counts ADD COLUMN shard INTEGER NOT NULL DEFAULT 0;
ALTER TABLE request_counts ALTER COLUMN shard DROP DEFAULT;
ALTER TABLE request_counts DROP CONSTRAINT request_counts_pkey;
ALTER TABLE request_counts ADD PRIMARY KEY (regime, status, shard);
