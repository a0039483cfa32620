-- Invoices and estimates of clients, their lines, per-tenant number sequences,
-- clients' decisions on estimates, and the tenant's billing settings.
--
-- Amounts are integers in minor units (cents), quantities in thousandths and VAT
-- rates in basis points, never floats. Issue, due and valid-until dates are
-- calendar days, not instants, so they are stored as ISO text ('2026-03-15'), which
-- sorts and compares alike on both engines; times of events stay Unix microseconds.

-- Where estimate decisions are mailed ('' = to the staff holding billing.manage),
-- and the supplier details printed on invoices and estimates (address, IDs, bank).
ALTER TABLE companies ADD COLUMN notification_email TEXT NOT NULL DEFAULT '';
ALTER TABLE companies ADD COLUMN billing_details TEXT NOT NULL DEFAULT '';

-- Lets a document point at a project of its own client in the same tenant. (0005
-- adds the same key under another name for switches; each migration stands alone.)
CREATE UNIQUE INDEX projects_billing_key ON projects(company_id, client_id, id);

-- The last number given per tenant, kind ('invoice', 'estimate') and year. A
-- number is taken when a document is sent, under the row lock of the UPDATE, so
-- concurrent senders get consecutive numbers and drafts leave no gaps.
CREATE TABLE billing_sequences (
    company_id BIGINT NOT NULL REFERENCES companies(id),
    kind TEXT NOT NULL,
    year INTEGER NOT NULL,
    last_value BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (company_id, kind, year)
);

CREATE TABLE invoices (
    id {{id}},
    company_id BIGINT NOT NULL,
    client_id BIGINT NOT NULL,
    project_id BIGINT,
    number TEXT,
    title TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'sent', 'paid', 'void')),
    issue_date TEXT NOT NULL,
    due_date TEXT NOT NULL,
    currency TEXT NOT NULL DEFAULT 'EUR',
    note TEXT NOT NULL DEFAULT '',
    total_net BIGINT NOT NULL DEFAULT 0,
    total_vat BIGINT NOT NULL DEFAULT 0,
    total_gross BIGINT NOT NULL DEFAULT 0,
    sent_at BIGINT,
    paid_at BIGINT,
    voided_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (company_id, id),
    UNIQUE (company_id, number),
    FOREIGN KEY (company_id, client_id) REFERENCES clients(company_id, id),
    FOREIGN KEY (company_id, client_id, project_id) REFERENCES projects(company_id, client_id, id)
);
-- The client's list, staff and portal, newest first; and a project's documents.
CREATE INDEX invoices_client_issued ON invoices(company_id, client_id, issue_date, id);
CREATE INDEX invoices_project ON invoices(company_id, project_id);

CREATE TABLE invoice_lines (
    company_id BIGINT NOT NULL,
    invoice_id BIGINT NOT NULL,
    position INTEGER NOT NULL,
    description TEXT NOT NULL,
    quantity BIGINT NOT NULL,
    unit TEXT NOT NULL DEFAULT '',
    unit_price BIGINT NOT NULL,
    vat_rate BIGINT NOT NULL,
    PRIMARY KEY (invoice_id, position),
    FOREIGN KEY (company_id, invoice_id) REFERENCES invoices(company_id, id) ON DELETE CASCADE
);

CREATE TABLE estimates (
    id {{id}},
    company_id BIGINT NOT NULL,
    client_id BIGINT NOT NULL,
    project_id BIGINT,
    number TEXT,
    title TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'sent', 'accepted', 'declined')),
    issue_date TEXT NOT NULL,
    valid_until TEXT NOT NULL,
    currency TEXT NOT NULL DEFAULT 'EUR',
    note TEXT NOT NULL DEFAULT '',
    total_net BIGINT NOT NULL DEFAULT 0,
    total_vat BIGINT NOT NULL DEFAULT 0,
    total_gross BIGINT NOT NULL DEFAULT 0,
    sent_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (company_id, id),
    UNIQUE (company_id, number),
    FOREIGN KEY (company_id, client_id) REFERENCES clients(company_id, id),
    FOREIGN KEY (company_id, client_id, project_id) REFERENCES projects(company_id, client_id, id)
);
CREATE INDEX estimates_client_issued ON estimates(company_id, client_id, issue_date, id);
CREATE INDEX estimates_project ON estimates(company_id, project_id);

CREATE TABLE estimate_lines (
    company_id BIGINT NOT NULL,
    estimate_id BIGINT NOT NULL,
    position INTEGER NOT NULL,
    description TEXT NOT NULL,
    quantity BIGINT NOT NULL,
    unit TEXT NOT NULL DEFAULT '',
    unit_price BIGINT NOT NULL,
    vat_rate BIGINT NOT NULL,
    PRIMARY KEY (estimate_id, position),
    FOREIGN KEY (company_id, estimate_id) REFERENCES estimates(company_id, id) ON DELETE CASCADE
);

-- The one answer an estimate gets: who (a portal user, or staff recording it for
-- the client) and when, with the name and email as they were then, so the record
-- outlives the account.
CREATE TABLE estimate_decisions (
    id {{id}},
    company_id BIGINT NOT NULL,
    estimate_id BIGINT NOT NULL,
    decision TEXT NOT NULL CHECK (decision IN ('accepted', 'declined')),
    comment TEXT NOT NULL DEFAULT '',
    portal_user_id BIGINT,
    staff_user_id BIGINT,
    by_name TEXT NOT NULL,
    by_email TEXT NOT NULL DEFAULT '',
    decided_at BIGINT NOT NULL,
    UNIQUE (company_id, id),
    UNIQUE (company_id, estimate_id),
    FOREIGN KEY (company_id, estimate_id) REFERENCES estimates(company_id, id)
);

-- The notification mails about a decision, one per recipient, written in the
-- decision's transaction; the mail worker finds the decision through its outbox id.
CREATE TABLE estimate_decision_mails (
    outbox_id BIGINT PRIMARY KEY REFERENCES outbox(id),
    company_id BIGINT NOT NULL,
    decision_id BIGINT NOT NULL,
    FOREIGN KEY (company_id, decision_id) REFERENCES estimate_decisions(company_id, id)
);
