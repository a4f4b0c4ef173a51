-- Set when an admin resets the password: until the officer chooses a new one, the
-- workspace shows them nothing but the page to do so.
ALTER TABLE officers ADD COLUMN password_change_required BOOLEAN NOT NULL DEFAULT 0;
