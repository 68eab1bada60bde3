-- +goose Up
-- Staff of the support desk, registration officers, campaign editors and admins (DESIGN.md §4).
-- Staff log in with password + a WebAuthn security key; an account without an enrolled key
-- cannot log in, so a new account gets a one-time enrolment token instead of a password.
CREATE TABLE staff_user (
    id          bigserial PRIMARY KEY,
    email       text NOT NULL,
    name        text NOT NULL,
    roles       text[] NOT NULL CHECK (cardinality(roles) > 0 AND
                  roles <@ ARRAY['agent', 'supervisor', 'ra_officer', 'campaign_editor', 'admin']),
    created_at  timestamptz NOT NULL DEFAULT now(),
    disabled_at timestamptz
);
-- E-mail addresses are unique regardless of case.
CREATE UNIQUE INDEX staff_user_email ON staff_user (lower(email));

-- One-time enrolment links: only the SHA-256 of the token is stored.
CREATE TABLE staff_enrolment (
    token_hash bytea PRIMARY KEY,
    staff_id   bigint NOT NULL REFERENCES staff_user (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);
CREATE INDEX staff_enrolment_staff ON staff_enrolment (staff_id);

-- +goose Down
DROP TABLE staff_enrolment;
DROP TABLE staff_user;
