-- +goose Up
-- The citizen side of the support desk (DESIGN.md §5): web-form submissions of anonymous
-- citizens that wait for their e-mail address to be confirmed, and the Message-IDs of the
-- receipts sent when a case opens, so a citizen's mail reply to a receipt finds its case.

-- An anonymous web-form submission. The case opens when the link in the confirmation mail is
-- followed; the row is deleted then (single use) or by the clean-up after it expired.
CREATE TABLE contact_pending (
    id          bigserial PRIMARY KEY,
    -- SHA-256 of the token in the link; the token itself is only in the mail.
    token_hash  bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    system      text NOT NULL,
    category    text NOT NULL,
    subject     text NOT NULL,
    message     text NOT NULL,
    name        text NOT NULL,
    email       text NOT NULL,
    lang        text NOT NULL CHECK (lang IN ('da', 'en')),
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    CHECK (expires_at > created_at)
);
CREATE INDEX contact_pending_expires ON contact_pending (expires_at);

-- The receipt mail of a case, by Message-ID: an answer to it (In-Reply-To) lands on the case.
CREATE TABLE contact_receipt (
    message_id  text PRIMARY KEY CHECK (message_id ~ '^<[^<>@[:space:]]+@[^<>@[:space:]]+>$'),
    case_id     bigint NOT NULL REFERENCES support_case (id),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX contact_receipt_case ON contact_receipt (case_id);

-- +goose Down
DROP TABLE contact_receipt;
DROP TABLE contact_pending;
