
DROP INDEX requests_assignee_due;
DROP INDEX requests_regime_due;
DROP INDEX requests_status_due_id;
DROP INDEX requests_active_due;
DROP INDEX requests_due;
ALTER TABLE requests DROP COLUMN effective_due_at;
DROP TABLE legal_holds;
DROP TABLE login_throttle;
DROP TABLE officer_sessions;
DROP TABLE officers;
