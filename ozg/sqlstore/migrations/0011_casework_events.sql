CREATE TABLE casework_events (
    case_id       TEXT COLLATE "C" NOT NULL REFERENCES casework_cases (id),
    seq           BIGINT NOT NULL,
    at            BIGINT NOT NULL,
    actor_kind    TEXT NOT NULL,
    actor_subject TEXT NOT NULL,
    actor_name    TEXT NOT NULL,
    action        TEXT NOT NULL,
    detail        TEXT NOT NULL,
    message_id    TEXT NOT NULL,
    PRIMARY KEY (case_id, seq)
);
CREATE INDEX casework_events_message ON casework_events (message_id) WHERE message_id <> ''
