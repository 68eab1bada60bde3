-- +goose Up
-- Staff login (DESIGN.md §4): an argon2id password and at least one WebAuthn security key.
-- Both are set in the same transaction that uses up the enrolment token, so an account either
-- has both or neither; without them it cannot log in.
ALTER TABLE staff_user
    ADD COLUMN password_hash text,
    -- Consecutive failed logins (wrong password, or a key that was refused after a right
    -- password). At the bound the account is locked until an admin unlocks it; a success resets
    -- the count.
    ADD COLUMN failed_count  integer NOT NULL DEFAULT 0 CHECK (failed_count >= 0),
    ADD COLUMN locked_at     timestamptz,
    ADD COLUMN last_login_at timestamptz;

COMMENT ON COLUMN staff_user.locked_at IS
    'Set when failed_count reached the bound; only an admin (enable) clears it. Unlike '
    'disabled_at it is no decision of an admin, and the admin page shows the two apart.';

-- The security keys of staff. Kept apart from the citizens' chips (authenticator): a staff key
-- belongs to an employee, not to a MitID, and is managed by admins.
CREATE TABLE staff_credential (
    id              bigserial PRIMARY KEY,
    staff_id        bigint NOT NULL REFERENCES staff_user (id) ON DELETE CASCADE,
    credential_id   bytea NOT NULL,
    public_key      bytea NOT NULL,
    -- The key's signature counter; a counter that does not grow may mean a copied key.
    sign_count      bigint NOT NULL DEFAULT 0 CHECK (sign_count >= 0),
    aaguid          bytea,
    transports      text[] NOT NULL DEFAULT '{}',
    backup_eligible boolean NOT NULL DEFAULT false,
    backup_state    boolean NOT NULL DEFAULT false,
    user_verified   boolean NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_used_at    timestamptz
);
-- A key's credential is registered once across all staff.
CREATE UNIQUE INDEX staff_credential_id ON staff_credential (credential_id);
CREATE INDEX staff_credential_staff ON staff_credential (staff_id);

-- +goose Down
DROP TABLE staff_credential;
ALTER TABLE staff_user
    DROP COLUMN last_login_at,
    DROP COLUMN locked_at,
    DROP COLUMN failed_count,
    DROP COLUMN password_hash;
