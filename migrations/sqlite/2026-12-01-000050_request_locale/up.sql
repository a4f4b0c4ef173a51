-- The language the requester used, so every later page and mail speaks it.
ALTER TABLE requests ADD COLUMN locale TEXT NOT NULL DEFAULT 'en';
