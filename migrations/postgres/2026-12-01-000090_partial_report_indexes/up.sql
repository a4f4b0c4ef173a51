-- The report's confirmed and closed indexes hold only requests that were confirmed or
-- closed: every query that reads them asks for a range of those dates, and an unconfirmed
-- or open request (every new one) no longer costs two index entries when it is stored.
DROP INDEX requests_verified;
CREATE INDEX requests_verified ON requests (verified_at, regime, kind)
    WHERE verified_at IS NOT NULL;
DROP INDEX requests_closed;
CREATE INDEX requests_closed ON requests
    (closed_at, regime, kind, status, rejection_reason, received_at, verified_at, due_at,
     extended_due_at)
    WHERE closed_at IS NOT NULL;
