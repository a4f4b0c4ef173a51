-- Exports by officers over the last hour or so: the export-spike rule counts them. Each
-- officer's older rows are deleted as their next export starts.
CREATE TABLE officer_exports (
    id TEXT PRIMARY KEY NOT NULL,
    officer_id TEXT NOT NULL,
    started_at TIMESTAMP NOT NULL,
    row_count BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX officer_exports_by_officer ON officer_exports (officer_id, started_at);

-- When the admins were last told about an officer's exports: at most once an hour.
CREATE TABLE export_spike_alerts (
    officer_id TEXT PRIMARY KEY NOT NULL,
    alerted_at TIMESTAMP NOT NULL
);
