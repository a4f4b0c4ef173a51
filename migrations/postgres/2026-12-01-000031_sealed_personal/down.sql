DROP INDEX requests_seal_key_id;
DROP INDEX requests_email_index;
CREATE INDEX requests_email ON requests (email);
ALTER TABLE mail_outbox DROP COLUMN seal_key_id;
ALTER TABLE legal_holds DROP COLUMN seal_key_id;
ALTER TABLE request_messages DROP COLUMN seal_key_id;
ALTER TABLE requests DROP COLUMN seal_key_id;
ALTER TABLE requests DROP COLUMN email_index;
