DROP INDEX mail_outbox_failed;
DROP INDEX mail_outbox_due;
CREATE INDEX mail_outbox_pending ON mail_outbox (sent_at, next_attempt_at);
ALTER TABLE mail_outbox DROP COLUMN claim_token;
ALTER TABLE mail_outbox DROP COLUMN failed_at;
