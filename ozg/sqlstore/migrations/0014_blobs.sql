CREATE TABLE blobs (
    blob_key    TEXT COLLATE "C" PRIMARY KEY,
    content_id  TEXT COLLATE "C" NOT NULL,
    size        BIGINT NOT NULL,
    chunks      INTEGER NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE TABLE blob_chunks (
    content_id  TEXT COLLATE "C" NOT NULL,
    seq         INTEGER NOT NULL,
    data        BYTEA NOT NULL,
    PRIMARY KEY (content_id, seq)
);
CREATE TABLE blob_uploads (
    content_id  TEXT COLLATE "C" PRIMARY KEY,
    blob_key    TEXT COLLATE "C" NOT NULL,
    started_at  BIGINT NOT NULL
);
CREATE INDEX blob_uploads_started ON blob_uploads (started_at);
CREATE TABLE blob_released (
    content_id   TEXT COLLATE "C" PRIMARY KEY,
    released_at  BIGINT NOT NULL
);
CREATE INDEX blob_released_at ON blob_released (released_at);
