CREATE TABLE casework_cases (
    id              TEXT COLLATE "C" PRIMARY KEY,
    application_id  TEXT NOT NULL,
    owner           TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    service_id      TEXT COLLATE "C" NOT NULL,
    reference_upper TEXT COLLATE "C" NOT NULL,
    state           TEXT NOT NULL,
    received_at     BIGINT NOT NULL,
    submission      TEXT NOT NULL,
    UNIQUE (owner, idempotency_key)
);
CREATE INDEX casework_cases_service ON casework_cases (service_id, received_at DESC, id DESC);
CREATE INDEX casework_cases_service_state ON casework_cases (service_id, state, received_at DESC, id DESC);
CREATE INDEX casework_cases_reference ON casework_cases (reference_upper);
CREATE INDEX casework_cases_application ON casework_cases (application_id)
