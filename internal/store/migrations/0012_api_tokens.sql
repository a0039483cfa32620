-- Personal access tokens for the JSON API (/api/v1). A token belongs to a staff
-- user or to a portal user of the tenant and acts with that person's access as it
-- stands on each request; the token itself grants nothing more.
--
-- Only the SHA-256 of the token text is stored. expires_at is optional (NULL:
-- until revoked); revoked_at ends a token for good. last_used_at is refreshed at
-- most once a minute.
--
-- rate_window and rate_count are the token's request counter for the current
-- minute: kept in the row, so the limit holds across server processes.
CREATE TABLE api_tokens (
    id {{id}},
    company_id BIGINT NOT NULL REFERENCES companies(id),
    staff_user_id BIGINT,
    portal_user_id BIGINT,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT,
    last_used_at BIGINT,
    revoked_at BIGINT,
    rate_window BIGINT NOT NULL DEFAULT 0,
    rate_count BIGINT NOT NULL DEFAULT 0,
    CHECK ((staff_user_id IS NULL) <> (portal_user_id IS NULL)),
    FOREIGN KEY (company_id, staff_user_id) REFERENCES staff_users(company_id, id) ON DELETE CASCADE,
    FOREIGN KEY (company_id, portal_user_id) REFERENCES portal_users(company_id, id) ON DELETE CASCADE
);
CREATE INDEX api_tokens_staff ON api_tokens(company_id, staff_user_id);
CREATE INDEX api_tokens_portal ON api_tokens(company_id, portal_user_id);
