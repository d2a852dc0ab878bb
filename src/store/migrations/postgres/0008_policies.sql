-- Policies an admin sets from the console or `admin policy set` (approval, change_ttl,
-- read_only): one row per policy; a policy without a row has its default. A value given to
-- `serve`/`demo` by flag, environment or config file wins over the row.
CREATE TABLE policies (
    name        TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    updated_by  TEXT NOT NULL
);
