ALTER TABLE legal_holds DROP COLUMN origin_request_id;
