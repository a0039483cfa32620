-- A person's own language: '' means no choice of their own, and the portal then
-- follows the browser's Accept-Language, else the tenant's language; the staff app
-- follows the tenant's.
ALTER TABLE portal_users ADD COLUMN locale TEXT NOT NULL DEFAULT '';
ALTER TABLE staff_users ADD COLUMN locale TEXT NOT NULL DEFAULT '';
