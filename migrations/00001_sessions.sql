-- +goose Up
-- Server-side web sessions behind gorilla/sessions. The cookie carries only a random ID; the
-- table keys on its SHA-256, so a copy of this table cannot be replayed as cookies. subject_*
-- let a block or a disabled staff account end every session of that person at once.
CREATE TABLE web_session (
    id_hash      bytea PRIMARY KEY,
    subject_kind text CHECK (subject_kind IN ('citizen', 'staff')),
    subject_id   bigint,
    roles        text[] NOT NULL DEFAULT '{}',
    data         bytea NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    CHECK ((subject_kind IS NULL) = (subject_id IS NULL))
);
CREATE INDEX web_session_subject ON web_session (subject_kind, subject_id) WHERE subject_kind IS NOT NULL;
CREATE INDEX web_session_expires ON web_session (expires_at);

-- +goose Down
DROP TABLE web_session;
