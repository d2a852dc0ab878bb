-- People, groups and their OAuth apps.
CREATE TABLE users (
    id          INTEGER PRIMARY KEY,
    email       TEXT NOT NULL UNIQUE COLLATE NOCASE,
    is_admin    INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL
);

CREATE TABLE groups (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    priority    INTEGER NOT NULL DEFAULT 100,
    created_at  TEXT NOT NULL
);

CREATE TABLE group_members (
    group_id    INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, user_id)
);

-- The organization's app (group_id NULL, at most one) and group overrides (one per group).
CREATE TABLE oauth_apps (
    id                    INTEGER PRIMARY KEY,
    group_id              INTEGER UNIQUE REFERENCES groups(id) ON DELETE CASCADE,
    client_id             TEXT NOT NULL,
    client_secret_sealed  BLOB,
    auth_base_url         TEXT NOT NULL,
    scopes                TEXT NOT NULL,
    prompt                TEXT,
    enabled               INTEGER NOT NULL DEFAULT 1,
    updated_at            TEXT NOT NULL
);
CREATE UNIQUE INDEX oauth_apps_one_org_app ON oauth_apps ((group_id IS NULL)) WHERE group_id IS NULL;

CREATE TABLE api_tokens (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_hash    TEXT NOT NULL UNIQUE,
    created_at    TEXT NOT NULL,
    last_used_at  TEXT,
    revoked_at    TEXT
);

-- One Salesforce connection per person.
CREATE TABLE connections (
    user_id                INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    app_id                 INTEGER REFERENCES oauth_apps(id) ON DELETE SET NULL,
    app_label              TEXT NOT NULL,
    client_id              TEXT NOT NULL,
    auth_base_url          TEXT NOT NULL,
    instance_url           TEXT NOT NULL,
    identity_url           TEXT NOT NULL,
    sf_user_id             TEXT NOT NULL,
    org_id                 TEXT NOT NULL,
    username               TEXT NOT NULL,
    display_name           TEXT,
    access_token_sealed    BLOB NOT NULL,
    refresh_token_sealed   BLOB,
    scopes                 TEXT NOT NULL,
    status                 TEXT NOT NULL,
    last_error             TEXT,
    api_usage              TEXT,
    token_generation       INTEGER NOT NULL DEFAULT 0,
    connected_at           TEXT NOT NULL,
    updated_at             TEXT NOT NULL
);

-- Pending authorizations: single use, bound to a person and an app.
CREATE TABLE oauth_states (
    state_hash        TEXT PRIMARY KEY,
    user_id           INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    app_id            INTEGER NOT NULL REFERENCES oauth_apps(id) ON DELETE CASCADE,
    client_id         TEXT NOT NULL,
    redirect_uri      TEXT NOT NULL,
    verifier_sealed   BLOB NOT NULL,
    created_at        TEXT NOT NULL,
    expires_at        TEXT NOT NULL
);

-- Rows of a query not yet handed out, so that paging never skips or repeats a row.
CREATE TABLE query_cursors (
    id                TEXT PRIMARY KEY,
    user_id           INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    soql              TEXT NOT NULL,
    buffered_rows     TEXT NOT NULL,
    next_records_url  TEXT,
    total_size        INTEGER NOT NULL,
    returned          INTEGER NOT NULL,
    expires_at        TEXT NOT NULL
);

CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    subject   TEXT,
    detail    TEXT
);
