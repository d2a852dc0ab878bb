-- A refresh in progress, so that two processes never send the same (rotating) refresh token.
ALTER TABLE connections ADD COLUMN refresh_claimed_until TIMESTAMPTZ;
