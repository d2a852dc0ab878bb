-- Zero-downtime rotation: an app may hold a staged client id + sealed secret (promoted to main by
-- `admin ... promote-staged`) and the previous main set, kept until removed, so that connections
-- made under it keep refreshing.
ALTER TABLE oauth_apps ADD COLUMN staged_client_id TEXT;
ALTER TABLE oauth_apps ADD COLUMN staged_client_secret_sealed BYTEA;
ALTER TABLE oauth_apps ADD COLUMN previous_client_id TEXT;
ALTER TABLE oauth_apps ADD COLUMN previous_client_secret_sealed BYTEA;
