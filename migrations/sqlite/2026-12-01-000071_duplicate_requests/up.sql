-- A request submitted while the same person's request of the same kind is open is linked
-- to that open request on verification; an officer may merge it into it.
ALTER TABLE requests ADD COLUMN duplicate_of TEXT;
CREATE INDEX requests_duplicate_of ON requests (duplicate_of) WHERE duplicate_of IS NOT NULL;
