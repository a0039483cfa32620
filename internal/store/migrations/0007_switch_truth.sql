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
-- Recent activity is ordered by when things happened, not by insertion.
CREATE INDEX switch_events_recent ON switch_events(company_id, project_id, created_at);
-- The per-switch command rate limit counts a switch's recent commands.
CREATE INDEX switch_events_switch_time ON switch_events(switch_id, created_at);
