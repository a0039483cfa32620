-- Each message's Message-ID, fixed when it is queued and sent on every attempt, so
-- that a receiver who got a copy from an attempt that looked failed to us (or from
-- a worker that died before recording it) can drop the second one. Messages queued
-- before this column get one made of their id and queue time, unique to the row.
ALTER TABLE outbox ADD COLUMN message_id TEXT NOT NULL DEFAULT '';
UPDATE outbox SET message_id = 'outbox-' || id || '-' || created_at WHERE message_id = '';
