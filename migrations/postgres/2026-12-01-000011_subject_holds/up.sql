-- The request a legal hold was placed from. Releasing a hold needs authority over that
-- request's region (or the admin role); a hold placed by an admin on a person without a
-- request has none, and only admins release it.
ALTER TABLE legal_holds ADD COLUMN origin_request_id TEXT;

-- Holds on requests came from the request they cover.
UPDATE legal_holds SET origin_request_id = target_id WHERE scope = 'request';

-- Holds on a requester's data or records name their request in the event that placed them.
UPDATE legal_holds SET origin_request_id = (
    SELECT substr(audit_events.target, 9) FROM audit_events
    WHERE audit_events.action = 'request.hold_placed'
      AND audit_events.target LIKE 'request:%'
      AND audit_events.details LIKE '%"hold_id":"' || legal_holds.id || '"%'
    ORDER BY audit_events.seq
    LIMIT 1
) WHERE origin_request_id IS NULL;
