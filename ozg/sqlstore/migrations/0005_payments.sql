CREATE TABLE payments (
    id               TEXT COLLATE "C" PRIMARY KEY,
    idempotency_key  TEXT NOT NULL,
    application_id   TEXT NOT NULL,
    owner            TEXT NOT NULL,
    amount           BIGINT NOT NULL,
    currency         TEXT NOT NULL,
    purpose          TEXT NOT NULL,
    description      TEXT NOT NULL,
    state            TEXT NOT NULL,
    request_id       TEXT NOT NULL,
    transaction_id   TEXT NOT NULL,
    transaction_url  TEXT NOT NULL,
    reference        TEXT NOT NULL,
    redirect_url     TEXT NOT NULL,
    method           TEXT NOT NULL,
    method_detail    TEXT NOT NULL,
    detail           TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    paid_at          BIGINT,
    version          BIGINT NOT NULL
);
CREATE UNIQUE INDEX payments_key ON payments (idempotency_key);
CREATE INDEX payments_application ON payments (application_id, created_at, id);
CREATE INDEX payments_state ON payments (state, updated_at, id);
