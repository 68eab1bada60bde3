-- +goose Up
-- The identification app's flow (DESIGN.md §3.4 path 3): every start hands the browser a
-- single-use nonce that the app signs into its result. The portal keeps only hashes: of the
-- nonce (the citizen sees it and types it into the app) and of a secret that only the starting
-- browser's session holds, so a result is accepted in that session only, and once.
CREATE TABLE idapp_nonce (
    id           bigserial PRIMARY KEY,
    nonce_hash   bytea NOT NULL UNIQUE,
    binding_hash bytea NOT NULL,
    -- What the citizen said they came for, if anything; the code's purpose is decided from the
    -- MitID's state when the result arrives (identity.Store.PurposeFor), never from this.
    purpose_hint text NOT NULL DEFAULT '' CHECK (purpose_hint IN ('', 'create', 'recover', 'lift')),
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    used_at      timestamptz,
    CHECK (expires_at > created_at)
);
CREATE INDEX idapp_nonce_expires ON idapp_nonce (expires_at);
COMMENT ON TABLE idapp_nonce IS 'Single-use nonces of the identification app flow; rows are deleted a day after they expire.';

-- +goose Down
DROP TABLE idapp_nonce;
