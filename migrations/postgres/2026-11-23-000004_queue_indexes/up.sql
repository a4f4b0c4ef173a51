-- Indexes that lead with the status tempt a planner without statistics to fetch every
-- active request and sort them, instead of walking requests_active_due in order (seen at a
-- million requests: 190 ms instead of 1 ms for the queue's first page). A single-status
-- filter walks requests_due in order just as well.
DROP INDEX requests_status_due;
DROP INDEX requests_status_due_id;
