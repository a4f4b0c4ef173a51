DROP INDEX audit_events_action_at;
DROP INDEX requests_closed;
DROP INDEX requests_verified;
