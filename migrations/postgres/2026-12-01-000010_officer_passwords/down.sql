ALTER TABLE officers DROP COLUMN password_change_required;
