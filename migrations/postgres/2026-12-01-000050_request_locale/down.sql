ALTER TABLE requests DROP COLUMN locale;
