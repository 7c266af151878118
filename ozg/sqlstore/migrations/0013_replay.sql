CREATE TABLE replay_ids (
    id          TEXT COLLATE "C" PRIMARY KEY,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX replay_ids_expiry ON replay_ids (expires_at);
