-- Portal users, their grants to clients and sites, and the mail outbox.

-- Lets a grant point at a contact of the same client in the same tenant.
CREATE UNIQUE INDEX contacts_company_client_id ON contacts(company_id, client_id, id);

-- A client's person who signs in to the tenant's portal. The same email in two
-- tenants is two accounts.
CREATE TABLE portal_users (
    id {{id}},
    company_id BIGINT NOT NULL REFERENCES companies(id),
    email TEXT NOT NULL,
    first_name TEXT NOT NULL DEFAULT '',
    last_name TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL DEFAULT '',
    activated_at BIGINT,
    last_login_at BIGINT,
    created_at BIGINT NOT NULL,
    UNIQUE (company_id, email),
    UNIQUE (company_id, id)
);

-- Access of a portal user to a client, optionally through one of its contacts.
CREATE TABLE portal_grants (
    company_id BIGINT NOT NULL,
    portal_user_id BIGINT NOT NULL,
    client_id BIGINT NOT NULL,
    contact_id BIGINT,
    invite_outbox_id BIGINT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (portal_user_id, client_id),
    FOREIGN KEY (company_id, portal_user_id) REFERENCES portal_users(company_id, id) ON DELETE CASCADE,
    FOREIGN KEY (company_id, client_id) REFERENCES clients(company_id, id),
    FOREIGN KEY (company_id, client_id, contact_id) REFERENCES contacts(company_id, client_id, id)
);
CREATE INDEX portal_grants_client ON portal_grants(company_id, client_id);

-- Site restriction of a grant: no rows for a grant means all of the client's sites.
CREATE TABLE portal_site_grants (
    company_id BIGINT NOT NULL,
    portal_user_id BIGINT NOT NULL,
    client_id BIGINT NOT NULL,
    site_id BIGINT NOT NULL,
    PRIMARY KEY (portal_user_id, site_id),
    FOREIGN KEY (portal_user_id, client_id) REFERENCES portal_grants(portal_user_id, client_id) ON DELETE CASCADE,
    FOREIGN KEY (company_id, client_id, site_id) REFERENCES sites(company_id, client_id, id)
);
CREATE INDEX portal_site_grants_site ON portal_site_grants(company_id, site_id);

ALTER TABLE sessions ADD COLUMN portal_user_id BIGINT REFERENCES portal_users(id) ON DELETE CASCADE;
CREATE INDEX sessions_portal ON sessions(portal_user_id);
ALTER TABLE one_time_tokens ADD COLUMN portal_user_id BIGINT REFERENCES portal_users(id) ON DELETE CASCADE;
CREATE INDEX one_time_tokens_portal ON one_time_tokens(portal_user_id, purpose);

-- Mail to send. A row is written in the same transaction as the change that causes
-- it; the worker renders and delivers it later (links are minted at delivery, so no
-- token is ever stored in the clear). portal_user_id and client_id say what the
-- message is about; they are not foreign keys, so that the record of a message
-- outlives a deleted account.
CREATE TABLE outbox (
    id {{id}},
    company_id BIGINT NOT NULL REFERENCES companies(id),
    kind TEXT NOT NULL,
    to_addr TEXT NOT NULL,
    portal_user_id BIGINT,
    client_id BIGINT,
    status TEXT NOT NULL DEFAULT 'queued',
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    next_attempt_at BIGINT NOT NULL,
    lease_owner TEXT NOT NULL DEFAULT '',
    lease_until BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    sent_at BIGINT
);
CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
CREATE INDEX outbox_company ON outbox(company_id, id);

-- Every delivery attempt: when, and the error ('' when it went through).
CREATE TABLE outbox_attempts (
    id {{id}},
    outbox_id BIGINT NOT NULL REFERENCES outbox(id) ON DELETE CASCADE,
    at BIGINT NOT NULL,
    error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_attempts_outbox ON outbox_attempts(outbox_id);

-- Mail delivered in demo mode, shown on the staff app's mailbox page.
CREATE TABLE dev_mailbox (
    id {{id}},
    company_id BIGINT NOT NULL,
    to_addr TEXT NOT NULL,
    subject TEXT NOT NULL,
    text_body TEXT NOT NULL,
    html_body TEXT NOT NULL,
    delivered_at BIGINT NOT NULL
);
CREATE INDEX dev_mailbox_company ON dev_mailbox(company_id, id);
