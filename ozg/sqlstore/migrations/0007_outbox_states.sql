-- The outbox's work after delivery (the citizen's receipt, a withdrawal) and requeueing of
-- failed entries: failed_in keeps the state whose work failed.
ALTER TABLE outbox ADD COLUMN failed_in TEXT NOT NULL DEFAULT '';
CREATE INDEX submissions_application ON submissions (application_id);
