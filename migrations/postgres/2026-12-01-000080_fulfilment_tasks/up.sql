-- One task per source system holding a subject's records, made when an officer fulfils a
-- request that changes data; the source system completes it (or reports it failed).
CREATE TABLE fulfilment_tasks (
    id TEXT PRIMARY KEY NOT NULL,
    request_id TEXT NOT NULL,
    source TEXT NOT NULL,
    action TEXT NOT NULL,
    state TEXT NOT NULL,
    failure_reason TEXT,
    created_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    finished_by TEXT,
    UNIQUE (request_id, source)
);
CREATE INDEX fulfilment_tasks_open_by_source ON fulfilment_tasks (source, id) WHERE state = 'open';

-- A request whose outcome mail waits for its tasks: released when the last task completes
-- or when an officer closes it with tasks left.
CREATE TABLE held_outcomes (
    request_id TEXT PRIMARY KEY NOT NULL,
    held_at TIMESTAMP NOT NULL,
    released_at TIMESTAMP,
    released_by TEXT
);
