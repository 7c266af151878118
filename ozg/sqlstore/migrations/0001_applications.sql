CREATE TABLE applications (
    id          TEXT PRIMARY KEY,
    service_id  TEXT NOT NULL,
    owner       TEXT NOT NULL,
    data        TEXT NOT NULL,
    state       TEXT NOT NULL,
    history     TEXT NOT NULL,
    reference   TEXT,
    version     BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX applications_owner_created ON applications (owner, created_at DESC, id DESC);
CREATE UNIQUE INDEX applications_reference ON applications (reference);
CREATE TABLE sequences (
    name   TEXT PRIMARY KEY,
    value  BIGINT NOT NULL
);
