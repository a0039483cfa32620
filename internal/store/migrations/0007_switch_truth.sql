-- When a switch last went offline, for "Offline since …" on its row.
ALTER TABLE switches ADD COLUMN offline_since BIGINT;
-- When the newest report applied to the switch reached a server process: with
-- several processes each applying every report, an older report arriving late at
-- one of them must not overwrite a newer one.
ALTER TABLE switches ADD COLUMN last_report_at BIGINT;
-- When a pending command stops counting as pending: past it, any server process
-- marks it failed, so that a command whose sender died does not stay pending and
-- cannot be confirmed by a later, unrelated report.
ALTER TABLE switch_events ADD COLUMN expires_at BIGINT;
CREATE INDEX switch_events_expiry ON switch_events(expires_at) WHERE status = 'pending';
-- The per-switch command rate limit counts a switch's recent commands.
CREATE INDEX switch_events_switch_time ON switch_events(switch_id, created_at);
-- When a line of the activity happened: when the relay switched for a confirmed
-- command (a command can be confirmed after a newer one, when the device runs
-- them in another order), when it was asked for otherwise. Recent activity is
-- ordered and dated by it.
ALTER TABLE switch_events ADD COLUMN happened_at BIGINT;
UPDATE switch_events SET happened_at = CASE WHEN status = 'confirmed' AND done_at IS NOT NULL THEN done_at ELSE created_at END;
CREATE INDEX switch_events_happened ON switch_events(company_id, project_id, happened_at);
