DROP INDEX audit_events_action_at;
DROP INDEX requests_active_report;
DROP INDEX requests_closed;
DROP INDEX requests_verified;
DROP INDEX requests_received;
CREATE INDEX requests_received ON requests (received_at);
