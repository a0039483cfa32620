-- How staff actions are shown to portal users, who never see staff names; empty
-- means "<company name> team".
ALTER TABLE companies ADD COLUMN team_label TEXT NOT NULL DEFAULT '';
