-- Materials, protocols (service reports) and documents; the audit trail learns to
-- name a portal user as the actor. Every portal filter has an index that serves it:
-- protocols by (client, status, date) and (site, status, date), document sites by
-- site, SDS by material.

-- The catalogue of materials used on the job (baits, biocides, disinfectants…).
CREATE TABLE materials (
    id {{id}},
    company_id BIGINT NOT NULL REFERENCES companies(id),
    name TEXT NOT NULL,
    search_text TEXT NOT NULL DEFAULT '',
    manufacturer TEXT NOT NULL DEFAULT '',
    active_substance TEXT NOT NULL DEFAULT '',
    unit TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (company_id, id)
);
CREATE INDEX materials_company_name ON materials(company_id, name);

-- The last protocol number handed out per tenant. Numbers are taken under the
-- row's lock (PostgreSQL) or the single writer (SQLite), so they are gapless and
-- never repeat.
CREATE TABLE protocol_numbers (
    company_id BIGINT PRIMARY KEY REFERENCES companies(id),
    last_number BIGINT NOT NULL
);

-- A service report of work done at a client's site. Only completed ones reach the
-- portal.
CREATE TABLE protocols (
    id {{id}},
    company_id BIGINT NOT NULL REFERENCES companies(id),
    number BIGINT NOT NULL,
    client_id BIGINT NOT NULL,
    site_id BIGINT NOT NULL,
    performed_at BIGINT NOT NULL,
    technician_id BIGINT,
    service_type TEXT NOT NULL,
    findings TEXT NOT NULL DEFAULT '',
    recommendations TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'draft',
    completed_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (company_id, number),
    UNIQUE (company_id, id),
    FOREIGN KEY (company_id, client_id) REFERENCES clients(company_id, id),
    FOREIGN KEY (company_id, client_id, site_id) REFERENCES sites(company_id, client_id, id),
    FOREIGN KEY (company_id, technician_id) REFERENCES staff_users(company_id, id)
);
CREATE INDEX protocols_client ON protocols(company_id, client_id, status, performed_at);
CREATE INDEX protocols_site ON protocols(company_id, site_id, status, performed_at);
CREATE INDEX protocols_date ON protocols(company_id, performed_at);

-- Materials used in a protocol: how much, and where.
CREATE TABLE protocol_materials (
    id {{id}},
    company_id BIGINT NOT NULL,
    protocol_id BIGINT NOT NULL,
    material_id BIGINT NOT NULL,
    quantity DOUBLE PRECISION NOT NULL DEFAULT 0,
    unit TEXT NOT NULL DEFAULT '',
    location TEXT NOT NULL DEFAULT '',
    position INTEGER NOT NULL DEFAULT 0,
    FOREIGN KEY (company_id, protocol_id) REFERENCES protocols(company_id, id) ON DELETE CASCADE,
    FOREIGN KEY (company_id, material_id) REFERENCES materials(company_id, id)
);
CREATE INDEX protocol_materials_protocol ON protocol_materials(company_id, protocol_id, material_id);
CREATE INDEX protocol_materials_material ON protocol_materials(company_id, material_id, protocol_id);

-- An uploaded file: a material's safety data sheet, or a client's certificate,
-- site map or other document for chosen sites or all of them. The bytes live in
-- the blob store under file_key; the database keeps what the type sniffing decided.
CREATE TABLE documents (
    id {{id}},
    company_id BIGINT NOT NULL REFERENCES companies(id),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    search_text TEXT NOT NULL DEFAULT '',
    valid_until BIGINT,
    material_id BIGINT,
    client_id BIGINT,
    all_sites BOOLEAN NOT NULL DEFAULT FALSE,
    portal_visible BOOLEAN NOT NULL DEFAULT FALSE,
    file_key TEXT NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (company_id, id),
    UNIQUE (company_id, client_id, id),
    FOREIGN KEY (company_id, material_id) REFERENCES materials(company_id, id),
    FOREIGN KEY (company_id, client_id) REFERENCES clients(company_id, id)
);
CREATE INDEX documents_material ON documents(company_id, material_id);
CREATE INDEX documents_client ON documents(company_id, client_id);
CREATE INDEX documents_company ON documents(company_id, created_at);

-- The sites a client document is for, when it is not for all of them.
CREATE TABLE document_sites (
    company_id BIGINT NOT NULL,
    document_id BIGINT NOT NULL,
    client_id BIGINT NOT NULL,
    site_id BIGINT NOT NULL,
    PRIMARY KEY (document_id, site_id),
    FOREIGN KEY (company_id, client_id, document_id) REFERENCES documents(company_id, client_id, id) ON DELETE CASCADE,
    FOREIGN KEY (company_id, client_id, site_id) REFERENCES sites(company_id, client_id, id)
);
CREATE INDEX document_sites_site ON document_sites(company_id, site_id, document_id);

-- A portal user's own changes (the emails on My data) are audited under their name.
ALTER TABLE audit_log ADD COLUMN portal_user_id BIGINT;
