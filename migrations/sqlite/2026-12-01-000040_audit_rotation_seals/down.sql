DROP TABLE audit_rotation_seals;
