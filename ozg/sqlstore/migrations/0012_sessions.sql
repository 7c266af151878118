CREATE TABLE identity_sessions (
    id          TEXT COLLATE "C" PRIMARY KEY,
    subject     TEXT COLLATE "C" NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX identity_sessions_subject ON identity_sessions (subject, expires_at);
CREATE INDEX identity_sessions_expires ON identity_sessions (expires_at);
