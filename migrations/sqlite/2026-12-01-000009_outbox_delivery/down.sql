DROP INDEX mail_outbox_claim;
DROP INDEX mail_outbox_failed;
DROP INDEX mail_outbox_due;
ALTER TABLE mail_outbox DROP COLUMN claim_token;
ALTER TABLE mail_outbox DROP COLUMN failed_at;
