CREATE TEMPORARY TABLE request_count_totals AS
SELECT regime, status, SUM(n)::BIGINT AS n FROM request_counts GROUP BY regime, status;
DELETE FROM request_counts;
ALTER TABLE request_counts DROP CONSTRAINT request_counts_pkey;
ALTER TABLE request_counts DROP COLUMN shard;
ALTER TABLE request_counts ADD PRIMARY KEY (regime, status);
INSERT INTO request_counts (regime, status, n) SELECT regime, status, n FROM request_count_totals;
DROP TABLE request_count_totals;
