CREATE INDEX requests_status_due ON requests (status, due_at);
CREATE INDEX requests_status_due_id ON requests (status, effective_due_at, id);
