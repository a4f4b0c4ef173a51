-- Personal fields are sealed in place (text `v1:<key id>:<hex>`); each row records the key
-- that sealed it, so `rekey` finds what is still under an old key. The readable email's
-- index gives way to a keyed-hash (blind) index.
ALTER TABLE requests ADD COLUMN email_index TEXT;
ALTER TABLE requests ADD COLUMN seal_key_id TEXT;
DROP INDEX requests_email;
CREATE INDEX requests_email_index ON requests (email_index);
CREATE INDEX requests_seal_key_id ON requests (seal_key_id);
ALTER TABLE request_messages ADD COLUMN seal_key_id TEXT;
ALTER TABLE legal_holds ADD COLUMN seal_key_id TEXT;
ALTER TABLE mail_outbox ADD COLUMN seal_key_id TEXT;
