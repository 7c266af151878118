CREATE TABLE mailbox_messages (
    id                TEXT COLLATE "C" PRIMARY KEY,
    owner             TEXT NOT NULL,
    kind              TEXT NOT NULL,
    status            TEXT NOT NULL,
    subject           TEXT NOT NULL,
    body              TEXT NOT NULL,
    sender_name       TEXT NOT NULL,
    sender_reference  TEXT NOT NULL,
    application       TEXT NOT NULL,
    service           TEXT NOT NULL,
    min_level         INTEGER NOT NULL,
    attachments       TEXT NOT NULL,
    created_at        BIGINT NOT NULL,
    read_at           BIGINT,
    reply_allowed     INTEGER NOT NULL,
    due_at            BIGINT,
    in_reply_to       TEXT NOT NULL,
    reply_id          TEXT NOT NULL,
    notify_attempts   INTEGER NOT NULL,
    notify_next       BIGINT NOT NULL,
    notify_done       BIGINT,
    notify_gave_up    INTEGER NOT NULL
);
CREATE INDEX mailbox_owner_created ON mailbox_messages (owner, created_at DESC, id DESC);
CREATE INDEX mailbox_owner_unread ON mailbox_messages (owner, kind, application) WHERE read_at IS NULL;
CREATE INDEX mailbox_notify_due ON mailbox_messages (notify_next, id) WHERE notify_done IS NULL;
CREATE INDEX mailbox_owner_application ON mailbox_messages (owner, application, created_at DESC, id DESC);
