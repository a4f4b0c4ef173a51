DROP INDEX requests_duplicate_of;
ALTER TABLE requests DROP COLUMN duplicate_of;
