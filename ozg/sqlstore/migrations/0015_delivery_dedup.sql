CREATE TABLE delivery_dedup (
    dedup_key     TEXT COLLATE "C" PRIMARY KEY,
    token         TEXT NOT NULL,
    receipt       TEXT NOT NULL,
    lease_until   BIGINT NOT NULL,
    completed_at  BIGINT
);
CREATE INDEX delivery_dedup_completed ON delivery_dedup (completed_at);
