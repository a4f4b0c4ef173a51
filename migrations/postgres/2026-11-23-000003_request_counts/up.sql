-- How many requests each region has in each status, kept in the same transaction as every
-- change of status, so that the queue shows its counts without counting a million rows.
CREATE TABLE request_counts (
    regime TEXT NOT NULL,
    status TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (regime, status)
);
-- Every pair exists from the start, so that keeping a count is always an UPDATE.
INSERT INTO request_counts (regime, status, n)
SELECT r.regime, s.status, 0
FROM (SELECT 'in' AS regime UNION ALL SELECT 'eu' UNION ALL SELECT 'us-ca' UNION ALL SELECT 'other') r
CROSS JOIN (SELECT 'unverified' AS status UNION ALL SELECT 'open' UNION ALL SELECT 'in_progress'
            UNION ALL SELECT 'awaiting_requester' UNION ALL SELECT 'fulfilled'
            UNION ALL SELECT 'rejected' UNION ALL SELECT 'withdrawn') s;
UPDATE request_counts SET n = (
    SELECT COUNT(*) FROM requests
    WHERE requests.regime = request_counts.regime AND requests.status = request_counts.status
);
