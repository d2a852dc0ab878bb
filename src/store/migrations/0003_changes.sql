-- Prepared write actions: previewed, approved by a person, executed at most once.
CREATE TABLE changes (
    id                 TEXT PRIMARY KEY,
    user_id            INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    operation          TEXT NOT NULL,
    object             TEXT NOT NULL,
    object_label       TEXT NOT NULL,
    record_id          TEXT,
    record_name        TEXT,
    external_id_field  TEXT,
    external_id_value  TEXT,
    upsert_creates     INTEGER,
    fields             TEXT NOT NULL,
    system_modstamp    TEXT,
    status             TEXT NOT NULL,
    created_at         TEXT NOT NULL,
    expires_at         TEXT NOT NULL,
    approved_via       TEXT,
    decided_at         TEXT,
    executor_host      TEXT,
    executor_pid       INTEGER,
    lease_until        TEXT,
    result             TEXT,
    finished_at        TEXT
);
CREATE INDEX changes_user ON changes (user_id, created_at);
CREATE INDEX changes_status ON changes (status);

-- Random keys the server needs across processes (e.g. sealing MRTR requestState), sealed at rest.
CREATE TABLE server_keys (
    name        TEXT PRIMARY KEY,
    sealed      BLOB NOT NULL,
    created_at  TEXT NOT NULL
);
