-- Step-up in the admin console: when a browser session last proved who is behind it, and the
-- admin actions waiting for that proof (bound to the session, used once, sealed, 10 minutes).
ALTER TABLE web_sessions ADD COLUMN authenticated_at TEXT;
UPDATE web_sessions SET authenticated_at = created_at;
CREATE TABLE step_up_actions (
    id_hash         TEXT PRIMARY KEY,
    session_hash    TEXT NOT NULL REFERENCES web_sessions(id_hash) ON DELETE CASCADE,
    kind            TEXT NOT NULL,
    payload_sealed  BLOB NOT NULL,
    created_at      TEXT NOT NULL,
    expires_at      TEXT NOT NULL
);
CREATE INDEX step_up_actions_session ON step_up_actions (session_hash);
