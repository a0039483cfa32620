-- Switches: MQTT relays on projects, their credentials, state and activity.

-- Lets a switch point at a project of the same client in the same tenant.
CREATE UNIQUE INDEX projects_company_client_id ON projects(company_id, client_id, id);

-- A relay on a project; deleting the project deletes its switches. The device's MQTT topic (Tasmota) or prefix (Shelly) is
-- unique on the broker, which all tenants share. Only the SHA-256 of the device's
-- random 256-bit password is kept; the password is shown once, when it is made.
-- State columns hold what the device last said, so that every server process and
-- a restart agree; resync marks a device that has just come online, whose first
-- report sets the state without an activity entry.
CREATE TABLE switches (
    id {{id}},
    company_id BIGINT NOT NULL,
    client_id BIGINT NOT NULL,
    project_id BIGINT NOT NULL,
    name TEXT NOT NULL,
    family TEXT NOT NULL,
    topic TEXT NOT NULL UNIQUE,
    channel INTEGER NOT NULL DEFAULT 0,
    mqtt_username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    known INTEGER NOT NULL DEFAULT 0,
    is_on INTEGER NOT NULL DEFAULT 0,
    online INTEGER NOT NULL DEFAULT 0,
    resync INTEGER NOT NULL DEFAULT 0,
    last_seen_at BIGINT,
    last_change_at BIGINT,
    created_at BIGINT NOT NULL,
    UNIQUE (company_id, id),
    UNIQUE (company_id, project_id, id),
    FOREIGN KEY (company_id, client_id, project_id) REFERENCES projects(company_id, client_id, id) ON DELETE CASCADE
);
CREATE INDEX switches_project ON switches(company_id, project_id, name);
CREATE INDEX switches_client ON switches(company_id, client_id);

-- Activity of a switch: commands (who, when, what was wanted, how it ended) and
-- changes nobody here commanded (actor_kind 'external'). Actors are not foreign
-- keys, so that the record outlives an account; actor_name is the name at the
-- time, shown to staff only — portal queries never select it for staff actors.
CREATE TABLE switch_events (
    id {{id}},
    company_id BIGINT NOT NULL,
    project_id BIGINT NOT NULL,
    switch_id BIGINT NOT NULL,
    is_on INTEGER NOT NULL,
    status TEXT NOT NULL,
    actor_kind TEXT NOT NULL,
    staff_user_id BIGINT,
    portal_user_id BIGINT,
    actor_name TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '',
    error TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    done_at BIGINT,
    FOREIGN KEY (company_id, project_id, switch_id) REFERENCES switches(company_id, project_id, id) ON DELETE CASCADE
);
-- The Recent activity card: newest events of a project's switches.
CREATE INDEX switch_events_project ON switch_events(company_id, project_id, id);
-- Pending commands of a switch, and its history.
CREATE INDEX switch_events_switch ON switch_events(switch_id, status, id);

-- Per-switch narrowing of a portal user's access to a client: no rows for a grant
-- means every switch of the projects the user may see.
CREATE TABLE portal_switch_grants (
    company_id BIGINT NOT NULL,
    portal_user_id BIGINT NOT NULL,
    client_id BIGINT NOT NULL,
    switch_id BIGINT NOT NULL,
    PRIMARY KEY (portal_user_id, switch_id),
    FOREIGN KEY (portal_user_id, client_id) REFERENCES portal_grants(portal_user_id, client_id) ON DELETE CASCADE,
    FOREIGN KEY (company_id, switch_id) REFERENCES switches(company_id, id) ON DELETE CASCADE
);
CREATE INDEX portal_switch_grants_switch ON portal_switch_grants(company_id, switch_id);
