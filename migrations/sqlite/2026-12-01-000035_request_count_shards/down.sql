CREATE TABLE request_count_totals (
    regime TEXT NOT NULL,
    status TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (regime, status)
);
INSERT INTO request_count_totals (regime, status, n)
SELECT regime, status, SUM(n) FROM request_counts GROUP BY regime, status;
DROP TABLE request_counts;
ALTER TABLE request_count_totals RENAME TO request_counts;
