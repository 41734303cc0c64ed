-- Signing in with the organisation's account (issue 21, point 3), PostgreSQL. The SQLite
-- migration of the same number makes the same columns.
-- Where an account signs in: NULL for a local account (its password is checked here), 'ldap'
-- for one created or taken over by a sign-in through the organisation's directory (its
-- password is the directory's; the hash kept here matches nothing).
ALTER TABLE users ADD COLUMN sso_source TEXT CHECK (sso_source IN ('ldap', 'oidc'));
-- 1: the grant came from the mapping file at the account's last sign-in through the directory,
-- and the next one replaces it; 0: an administrator gave it, and sign-ins keep it.
ALTER TABLE user_grants ADD COLUMN from_sso SMALLINT NOT NULL DEFAULT 0 CHECK (from_sso IN (0, 1));
