-- The completed protocols at each site: how many, and the date of the latest.
-- The portal's dashboard shows these per company; summing a few rows per site
-- the user may see costs the same however many protocols a site has, where
-- counting the protocols themselves grew with them (a user of 100 companies
-- counted 10,000 index entries on every visit). Completed protocols are final
-- (never changed or deleted), so the store only ever adds to a row, in the
-- transaction that completes or imports protocols (store/site_protocols.go);
-- here it is filled from the protocols completed before it.
CREATE TABLE site_protocols (
    company_id BIGINT NOT NULL,
    client_id BIGINT NOT NULL,
    site_id BIGINT NOT NULL,
    completed BIGINT NOT NULL,
    last_performed_at BIGINT NOT NULL,
    PRIMARY KEY (company_id, client_id, site_id),
    FOREIGN KEY (company_id, client_id, site_id) REFERENCES sites(company_id, client_id, id)
);

INSERT INTO site_protocols (company_id, client_id, site_id, completed, last_performed_at)
SELECT company_id, client_id, site_id, COUNT(*), MAX(performed_at)
FROM protocols WHERE status = 'completed'
GROUP BY company_id, client_id, site_id;
