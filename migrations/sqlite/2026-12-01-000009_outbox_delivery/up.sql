-- Mail the server refused for good, or that failed for too long, is kept as undeliverable
-- (failed_at) for admins to see instead of being retried forever.
ALTER TABLE mail_outbox ADD COLUMN failed_at TIMESTAMP;
-- The sender that holds a claim: it reads back exactly the rows it claimed, and a sender
-- whose claim ran out cannot overwrite another's.
ALTER TABLE mail_outbox ADD COLUMN claim_token TEXT;
-- Due mail: unsent, not given up, by the time of its next attempt. Partial, so it holds
-- only the backlog (sent mail stays for weeks); it replaces the index of every row by
-- (sent_at, next_attempt_at). A claim's rows are found through it as well.
DROP INDEX mail_outbox_pending;
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at)
    WHERE sent_at IS NULL AND failed_at IS NULL;
CREATE INDEX mail_outbox_failed ON mail_outbox (failed_at)
    WHERE failed_at IS NOT NULL;

-- Sign-in counts are now kept per account, per client and per (account, client) under new
-- key kinds; the earlier ones (per email, per address) would never be read again.
DELETE FROM login_throttle;
