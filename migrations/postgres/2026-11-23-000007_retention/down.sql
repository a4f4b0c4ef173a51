DROP INDEX legal_holds_active;
DROP INDEX mail_outbox_sent;
DROP INDEX requests_closed_unwiped;
DROP INDEX requests_unverified_received;
ALTER TABLE requests DROP COLUMN wiped_at;
