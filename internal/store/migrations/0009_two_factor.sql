-- Two-factor sign-in with time-based one-time codes (TOTP, RFC 6238) for staff and
-- portal users.
--
-- totp_secret is the base32 shared secret. It is stored as it is: Portico has no
-- server-side key to seal it with, so a copy of the database hands out codes for
-- the accounts in it (but not their passwords, and recovery codes are hashed).
-- A secret with no totp_enabled_at is an enrolment waiting for its first code.
-- totp_last_step is the time step (Unix seconds / 30) of the last accepted code:
-- a code of that step or an earlier one is refused, so a code works once.
ALTER TABLE staff_users ADD COLUMN totp_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE staff_users ADD COLUMN totp_enabled_at BIGINT;
ALTER TABLE staff_users ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;
ALTER TABLE portal_users ADD COLUMN totp_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE portal_users ADD COLUMN totp_enabled_at BIGINT;
ALTER TABLE portal_users ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;

-- Single-use recovery codes for when the authenticator is lost. Only the SHA-256
-- of each code is stored (a code carries 80 random bits). A row belongs to a staff
-- user or to a portal user of the tenant.
CREATE TABLE recovery_codes (
    id {{id}},
    company_id BIGINT NOT NULL REFERENCES companies(id),
    staff_user_id BIGINT,
    portal_user_id BIGINT,
    code_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    used_at BIGINT,
    CHECK ((staff_user_id IS NULL) <> (portal_user_id IS NULL)),
    FOREIGN KEY (company_id, staff_user_id) REFERENCES staff_users(company_id, id) ON DELETE CASCADE,
    FOREIGN KEY (company_id, portal_user_id) REFERENCES portal_users(company_id, id) ON DELETE CASCADE
);
CREATE INDEX recovery_codes_staff ON recovery_codes(company_id, staff_user_id);
CREATE INDEX recovery_codes_portal ON recovery_codes(company_id, portal_user_id);

-- An administrator may require two-factor sign-in of every staff member.
ALTER TABLE companies ADD COLUMN require_two_factor BOOLEAN NOT NULL DEFAULT FALSE;
