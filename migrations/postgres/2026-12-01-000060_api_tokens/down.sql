ALTER TABLE requests DROP COLUMN channel;
DROP TABLE api_tokens;
