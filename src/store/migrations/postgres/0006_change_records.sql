-- A change may hold up to 200 records (JSON array of {record_id, record_name, url,
-- external_id_value, action, system_modstamp, fields}); an undo names the change it reverses.
ALTER TABLE changes ADD COLUMN records JSON;
ALTER TABLE changes ADD COLUMN undoes TEXT;
CREATE INDEX changes_undoes ON changes (undoes);
