CREATE TABLE submissions (
    id               TEXT PRIMARY KEY,
    application_id   TEXT NOT NULL,
    owner            TEXT NOT NULL,
    idempotency_key  TEXT NOT NULL,
    body             TEXT NOT NULL,
    submitted_at     BIGINT NOT NULL
);
CREATE UNIQUE INDEX submissions_owner_key ON submissions (owner, idempotency_key);
CREATE TABLE outbox (
    submission_id  TEXT PRIMARY KEY REFERENCES submissions (id),
    delivery       TEXT NOT NULL,
    state          TEXT NOT NULL,
    attempts       INTEGER NOT NULL,
    next_attempt   BIGINT NOT NULL,
    lease_until    BIGINT NOT NULL,
    last_error     TEXT NOT NULL,
    receipt        TEXT
);
CREATE INDEX outbox_due ON outbox (state, next_attempt);
