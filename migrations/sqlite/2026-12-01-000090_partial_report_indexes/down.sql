DROP INDEX requests_verified;
CREATE INDEX requests_verified ON requests (verified_at, regime, kind);
DROP INDEX requests_closed;
CREATE INDEX requests_closed ON requests
    (closed_at, regime, kind, status, rejection_reason, received_at, verified_at, due_at,
     extended_due_at);
