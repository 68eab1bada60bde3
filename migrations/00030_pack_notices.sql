-- +goose Up
-- Pack notices (package campaign, notices.go): a member who unsubscribes from a pack through
-- the link in a notice gets no more mails about that pack, from any of their organisations.
-- The link carries a MAC of the MitID and the pack, so there is no token table to keep.
CREATE TABLE pack_unsubscription (
    mitid_id   bigint NOT NULL REFERENCES mitid (id) ON DELETE CASCADE,
    pack_id    bigint NOT NULL REFERENCES pack (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (mitid_id, pack_id)
);

-- RFC 8058 one-click unsubscribe: the https URL the mail's List-Unsubscribe header names
-- (with List-Unsubscribe-Post: List-Unsubscribe=One-Click); NULL for mails without one.
ALTER TABLE mail_outbox ADD COLUMN list_unsubscribe text
    CHECK (list_unsubscribe ~ '^https?://[^\s<>,]+$');

-- +goose Down
ALTER TABLE mail_outbox DROP COLUMN list_unsubscribe;
DROP TABLE pack_unsubscription;
