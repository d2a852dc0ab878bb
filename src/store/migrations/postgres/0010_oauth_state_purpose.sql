-- What a pending authorization is for: `connect` (keep the connection) or `test` (an admin's
-- test connection: report what Salesforce granted, keep nothing, revoke the tokens).
ALTER TABLE oauth_states ADD COLUMN purpose TEXT NOT NULL DEFAULT 'connect';
