-- +goose Up
-- Durable e-mail outbox (DESIGN.md §7). A row is written in the same transaction as the change
-- it reports, together with a River job ("mail_send") that carries only the row's id, so the
-- mail exists exactly when the change commits. The worker delivers it and sets sent_at; rows
-- stay afterwards for the demo mail view and statistics.
CREATE TABLE mail_outbox (
    id          bigserial PRIMARY KEY,
    -- The bare address (no display name), as net/mail parsed it.
    to_address  text NOT NULL CHECK (to_address <> ''),
    subject     text NOT NULL,
    text_body   text NOT NULL,
    -- An HTML alternative to text_body; NULL sends text/plain only.
    html_body   text,
    kind        text NOT NULL CHECK (kind <> ''),
    message_id  text NOT NULL UNIQUE,
    in_reply_to text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    sent_at     timestamptz,
    attempts    integer NOT NULL DEFAULT 0,
    last_error  text
);
COMMENT ON COLUMN mail_outbox.kind IS
    'What the mail reports, e.g. notification.password_changed: for statistics and the demo mail view.';
COMMENT ON COLUMN mail_outbox.message_id IS
    'The Message-ID header with its angle brackets, <random@portal-domain>, generated at enqueue time so a reply can thread on it before the mail is sent.';
COMMENT ON COLUMN mail_outbox.in_reply_to IS
    'Message-ID (with angle brackets) of the mail this one answers; sent as In-Reply-To and References.';
COMMENT ON COLUMN mail_outbox.sent_at IS
    'When the SMTP server accepted the mail; NULL while it waits or retries. Delivery is at least once: a crash between the server accepting and this update sends it again.';
COMMENT ON COLUMN mail_outbox.attempts IS
    'SMTP delivery attempts made, successful or not.';
COMMENT ON COLUMN mail_outbox.last_error IS
    'Short text of the latest failed attempt, kept after a later success. Never the body, codes or SMTP credentials.';

-- The demo mail view and tests list one recipient's newest mails.
CREATE INDEX mail_outbox_to_address ON mail_outbox (lower(to_address), id DESC);
-- Monitoring asks for the backlog of unsent mail; the partial index stays small.
CREATE INDEX mail_outbox_unsent ON mail_outbox (created_at) WHERE sent_at IS NULL;

-- +goose Down
DROP TABLE mail_outbox;
