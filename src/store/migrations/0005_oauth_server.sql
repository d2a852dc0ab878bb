-- salesforce-mcp as an OAuth authorization server for MCP clients ("Sign in with Salesforce").
-- Every secret (codes, tokens, cookies, states) is stored only as a SHA-256 hash.

-- Which Salesforce identity is which person; learned from every connection.
CREATE TABLE person_identities (
    org_id      TEXT NOT NULL,
    sf_user_id  TEXT NOT NULL,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    username    TEXT NOT NULL,
    bound_at    TEXT NOT NULL,
    bound_by    TEXT NOT NULL,
    PRIMARY KEY (org_id, sf_user_id)
);
CREATE INDEX person_identities_user ON person_identities (user_id);
INSERT INTO person_identities (org_id, sf_user_id, user_id, username, bound_at, bound_by)
    SELECT org_id, sf_user_id, user_id, username, updated_at, 'connection' FROM connections WHERE true
    ON CONFLICT DO NOTHING;

-- MCP clients: registered dynamically (dcr), by an admin (static), or metadata documents (cimd).
CREATE TABLE oauth_clients (
    client_id      TEXT PRIMARY KEY,
    kind           TEXT NOT NULL,
    client_name    TEXT,
    redirect_uris  TEXT NOT NULL,
    auth_method    TEXT NOT NULL,
    secret_hash    TEXT,
    metadata_hash  TEXT NOT NULL,
    blocked        INTEGER NOT NULL DEFAULT 0,
    created_at     TEXT NOT NULL,
    last_used_at   TEXT
);

-- Client ID Metadata Documents as last fetched (the last good copy is kept).
CREATE TABLE cimd_documents (
    url          TEXT PRIMARY KEY,
    document     TEXT NOT NULL,
    fetched_at   TEXT NOT NULL,
    fresh_until  TEXT NOT NULL
);

-- A sign-in in progress, from /authorize (or "Sign in with Salesforce") to the code (10 minutes).
CREATE TABLE oauth_auth_requests (
    id_hash                  TEXT PRIMARY KEY,
    kind                     TEXT NOT NULL,
    browser_hash             TEXT NOT NULL,
    csrf                     TEXT NOT NULL,
    client_id                TEXT,
    redirect_uri             TEXT,
    client_state             TEXT,
    code_challenge           TEXT,
    scope                    TEXT NOT NULL,
    next_path                TEXT,
    login_hint               TEXT,
    app_id                   INTEGER REFERENCES oauth_apps(id) ON DELETE CASCADE,
    upstream_state_hash      TEXT UNIQUE,
    upstream_verifier_sealed BLOB,
    user_id                  INTEGER REFERENCES users(id) ON DELETE CASCADE,
    stage                    TEXT NOT NULL,
    retried                  INTEGER NOT NULL DEFAULT 0,
    created_at               TEXT NOT NULL,
    expires_at               TEXT NOT NULL
);

CREATE TABLE oauth_consents (
    user_id        INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    client_id      TEXT NOT NULL REFERENCES oauth_clients(client_id) ON DELETE CASCADE,
    redirect_uri   TEXT NOT NULL,
    scope          TEXT NOT NULL,
    metadata_hash  TEXT NOT NULL,
    granted_at     TEXT NOT NULL,
    PRIMARY KEY (user_id, client_id, redirect_uri)
);

CREATE TABLE oauth_grants (
    id             INTEGER PRIMARY KEY,
    user_id        INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    client_id      TEXT NOT NULL REFERENCES oauth_clients(client_id) ON DELETE CASCADE,
    redirect_uri   TEXT NOT NULL,
    scope          TEXT NOT NULL,
    resource       TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    expires_at     TEXT NOT NULL,
    last_used_at   TEXT,
    revoked_at     TEXT,
    revoke_reason  TEXT
);
CREATE INDEX oauth_grants_user ON oauth_grants (user_id);

CREATE TABLE oauth_codes (
    code_hash       TEXT PRIMARY KEY,
    grant_id        INTEGER NOT NULL REFERENCES oauth_grants(id) ON DELETE CASCADE,
    client_id       TEXT NOT NULL,
    redirect_uri    TEXT NOT NULL,
    code_challenge  TEXT NOT NULL,
    expires_at      TEXT NOT NULL,
    used_at         TEXT
);

CREATE TABLE oauth_refresh_tokens (
    token_hash   TEXT PRIMARY KEY,
    grant_id     INTEGER NOT NULL REFERENCES oauth_grants(id) ON DELETE CASCADE,
    issued_at    TEXT NOT NULL,
    idle_until   TEXT NOT NULL,
    replaced_at  TEXT,
    replaced_by  TEXT
);
CREATE INDEX oauth_refresh_tokens_grant ON oauth_refresh_tokens (grant_id);

CREATE TABLE oauth_access_tokens (
    token_hash    TEXT PRIMARY KEY,
    grant_id      INTEGER NOT NULL REFERENCES oauth_grants(id) ON DELETE CASCADE,
    refresh_hash  TEXT,
    expires_at    TEXT NOT NULL
);
CREATE INDEX oauth_access_tokens_grant ON oauth_access_tokens (grant_id);

-- How a browser session was signed in: 'api_token' sessions never approve changes or consent.
ALTER TABLE web_sessions ADD COLUMN method TEXT NOT NULL DEFAULT 'api_token';
