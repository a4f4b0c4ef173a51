-- The monthly compliance report counts each month as index ranges: requests confirmed in
-- the month, requests closed in it (stubs of wiped case files included), and audit events
-- of one action in it (extensions granted, purges).
CREATE INDEX requests_verified ON requests (verified_at, regime, kind);
CREATE INDEX requests_closed ON requests (closed_at);
CREATE INDEX audit_events_action_at ON audit_events (action, at);
