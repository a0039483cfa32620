-- Tenants, staff, sessions, sign-in throttling, one-time links, clients and what
-- hangs off them. Times are Unix microseconds in UTC (BIGINT), so both databases
-- compare and sort them the same way. Every tenant-owned table carries company_id,
-- and foreign keys between tenant-owned tables include it, so that no row can point
-- into another tenant.

CREATE TABLE companies (
    id {{id}},
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    time_zone TEXT NOT NULL DEFAULT 'Europe/Bratislava',
    locale TEXT NOT NULL DEFAULT 'en',
    created_at BIGINT NOT NULL
);

CREATE TABLE staff_users (
    id {{id}},
    company_id BIGINT NOT NULL REFERENCES companies(id),
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    password_hash TEXT NOT NULL DEFAULT '',
    permissions TEXT NOT NULL DEFAULT '',
    disabled_at BIGINT,
    last_login_at BIGINT,
    created_at BIGINT NOT NULL,
    UNIQUE (company_id, email),
    UNIQUE (company_id, id)
);

CREATE TABLE sessions (
    id {{id}},
    token_hash TEXT NOT NULL UNIQUE,
    company_id BIGINT NOT NULL REFERENCES companies(id),
    staff_user_id BIGINT,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    FOREIGN KEY (company_id, staff_user_id) REFERENCES staff_users(company_id, id) ON DELETE CASCADE
);
CREATE INDEX sessions_staff ON sessions(staff_user_id);

CREATE TABLE login_failures (
    id {{id}},
    key TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX login_failures_key_at ON login_failures(key, at);

CREATE TABLE one_time_tokens (
    id {{id}},
    token_hash TEXT NOT NULL UNIQUE,
    company_id BIGINT NOT NULL REFERENCES companies(id),
    staff_user_id BIGINT,
    purpose TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT,
    FOREIGN KEY (company_id, staff_user_id) REFERENCES staff_users(company_id, id) ON DELETE CASCADE
);
CREATE INDEX one_time_tokens_staff ON one_time_tokens(staff_user_id, purpose);

CREATE TABLE clients (
    id {{id}},
    company_id BIGINT NOT NULL REFERENCES companies(id),
    name TEXT NOT NULL,
    search_text TEXT NOT NULL DEFAULT '',
    company_number TEXT NOT NULL DEFAULT '',
    tax_id TEXT NOT NULL DEFAULT '',
    vat_id TEXT NOT NULL DEFAULT '',
    contact_person TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    protocol_email TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    street TEXT NOT NULL DEFAULT '',
    city TEXT NOT NULL DEFAULT '',
    postal_code TEXT NOT NULL DEFAULT '',
    country TEXT NOT NULL DEFAULT '',
    archived_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (company_id, id)
);
CREATE INDEX clients_company_name ON clients(company_id, name);

CREATE TABLE contacts (
    id {{id}},
    company_id BIGINT NOT NULL,
    client_id BIGINT NOT NULL,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    email TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    position TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    UNIQUE (company_id, id),
    FOREIGN KEY (company_id, client_id) REFERENCES clients(company_id, id)
);
CREATE INDEX contacts_client ON contacts(company_id, client_id);

CREATE TABLE sites (
    id {{id}},
    company_id BIGINT NOT NULL,
    client_id BIGINT NOT NULL,
    name TEXT NOT NULL,
    street TEXT NOT NULL DEFAULT '',
    city TEXT NOT NULL DEFAULT '',
    postal_code TEXT NOT NULL DEFAULT '',
    country TEXT NOT NULL DEFAULT '',
    contact_person TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    opening_hours TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    UNIQUE (company_id, id),
    UNIQUE (company_id, client_id, id),
    FOREIGN KEY (company_id, client_id) REFERENCES clients(company_id, id)
);
CREATE INDEX sites_client ON sites(company_id, client_id, name);

CREATE TABLE projects (
    id {{id}},
    company_id BIGINT NOT NULL,
    client_id BIGINT NOT NULL,
    site_id BIGINT,
    name TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'active',
    created_at BIGINT NOT NULL,
    UNIQUE (company_id, id),
    FOREIGN KEY (company_id, client_id) REFERENCES clients(company_id, id),
    FOREIGN KEY (company_id, client_id, site_id) REFERENCES sites(company_id, client_id, id)
);
CREATE INDEX projects_client ON projects(company_id, client_id, name);
CREATE INDEX projects_site ON projects(company_id, site_id);

CREATE TABLE audit_log (
    id {{id}},
    company_id BIGINT NOT NULL REFERENCES companies(id),
    actor_id BIGINT,
    actor_name TEXT NOT NULL DEFAULT '',
    action TEXT NOT NULL,
    subject TEXT NOT NULL DEFAULT '',
    at BIGINT NOT NULL
);
CREATE INDEX audit_log_company_at ON audit_log(company_id, at);
