DROP TABLE mail_outbox;
DROP TABLE audit_head;
DROP TABLE audit_events;
DROP TABLE link_tokens;
DROP TABLE request_messages;
DROP TABLE requests;
