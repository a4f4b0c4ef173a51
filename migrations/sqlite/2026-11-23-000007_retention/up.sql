-- Closed case files keep a statistics stub once their personal fields are wiped.
ALTER TABLE requests ADD COLUMN wiped_at TIMESTAMP;

-- One indexed range per retention class: "what is due on date D".
CREATE INDEX requests_unverified_received ON requests (received_at)
    WHERE status = 'unverified';
CREATE INDEX requests_closed_unwiped ON requests (closed_at)
    WHERE closed_at IS NOT NULL AND wiped_at IS NULL;
CREATE INDEX mail_outbox_sent ON mail_outbox (sent_at)
    WHERE sent_at IS NOT NULL;
CREATE INDEX legal_holds_active ON legal_holds (scope, target_id)
    WHERE released_at IS NULL;
