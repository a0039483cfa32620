-- The materials used at each site: one row per (client, site, material) used in a
-- completed protocol there, with the date of the latest such protocol. The portal
-- reads the safety data sheets to show from these rows (a few per site the user
-- may see) rather than from every recent protocol of the user and its materials
-- (linear in the user's protocols). The store keeps it in the transaction of
-- every change to protocols or their materials (store/site_materials.go); here it
-- is filled from the protocols already completed.
CREATE TABLE site_materials (
    company_id BIGINT NOT NULL,
    client_id BIGINT NOT NULL,
    site_id BIGINT NOT NULL,
    material_id BIGINT NOT NULL,
    last_used_at BIGINT NOT NULL,
    PRIMARY KEY (company_id, client_id, site_id, material_id),
    FOREIGN KEY (company_id, client_id, site_id) REFERENCES sites(company_id, client_id, id),
    FOREIGN KEY (company_id, material_id) REFERENCES materials(company_id, id)
);
-- A scope's recent materials from the index alone: by client, then site, then
-- date, the material at the end.
CREATE INDEX site_materials_recent ON site_materials(company_id, client_id, site_id, last_used_at, material_id);

INSERT INTO site_materials (company_id, client_id, site_id, material_id, last_used_at)
SELECT p.company_id, p.client_id, p.site_id, pm.material_id, MAX(p.performed_at)
FROM protocols p JOIN protocol_materials pm ON pm.company_id = p.company_id AND pm.protocol_id = p.id
WHERE p.status = 'completed'
GROUP BY p.company_id, p.client_id, p.site_id, pm.material_id;
