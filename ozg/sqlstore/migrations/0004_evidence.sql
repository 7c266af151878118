CREATE TABLE evidence (
    id              TEXT COLLATE "C" PRIMARY KEY,
    application_id  TEXT COLLATE "C" NOT NULL,
    requirement_id  TEXT NOT NULL,
    file_name       TEXT NOT NULL,
    media_type      TEXT NOT NULL,
    size            BIGINT NOT NULL,
    sha512          TEXT NOT NULL,
    scan_state      TEXT NOT NULL,
    scan_detail     TEXT NOT NULL,
    blob_key        TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX evidence_application ON evidence (application_id, created_at, id);
CREATE INDEX evidence_scan_state ON evidence (scan_state, created_at, id);
