-- Prepared write actions: previewed, approved by a person, executed at most once.
CREATE TABLE changes (
    id                 TEXT PRIMARY KEY,
    user_id            BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    operation          TEXT NOT NULL,
    object             TEXT NOT NULL,
    object_label       TEXT NOT NULL,
    record_id          TEXT,
    record_name        TEXT,
    external_id_field  TEXT,
    external_id_value  TEXT,
    upsert_creates     BOOLEAN,
    fields             JSON NOT NULL,
    system_modstamp    TEXT,
    status             TEXT NOT NULL,
    created_at         TIMESTAMPTZ NOT NULL,
    expires_at         TIMESTAMPTZ NOT NULL,
    approved_via       TEXT,
    decided_at         TIMESTAMPTZ,
    executor_host      TEXT,
    executor_pid       BIGINT,
    lease_until        TIMESTAMPTZ,
    result             JSON,
    finished_at        TIMESTAMPTZ
);
CREATE INDEX changes_user ON changes (user_id, created_at);
CREATE INDEX changes_status ON changes (status);

-- Random keys the server needs across processes (e.g. sealing MRTR requestState), sealed at rest.
CREATE TABLE server_keys (
    name        TEXT PRIMARY KEY,
    sealed      BYTEA NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);
