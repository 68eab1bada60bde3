-- +goose Up
-- The campaign newsletter (package campaign/newsletter): double opt-in subscribers, issues
-- written by campaign editors, and one delivery row per issue and subscriber.

-- One row per address (lower-cased). A subscription is pending until its confirmation link is
-- POSTed; only active subscribers get issues. The confirmation token is stored as its SHA-256
-- and cleared when used, so a link works once. The unsubscribe link is a MAC of the id (no
-- token to store), so every issue mail can carry it.
CREATE TABLE newsletter_subscriber (
    id              bigserial PRIMARY KEY,
    email           text NOT NULL UNIQUE CHECK (email = lower(email)),
    lang            text NOT NULL CHECK (lang IN ('da', 'en')),
    status          text NOT NULL CHECK (status IN ('pending', 'active', 'unsubscribed')),
    confirm_hash    bytea UNIQUE,
    confirm_expires timestamptz,
    created_at      timestamptz NOT NULL,
    confirmed_at    timestamptz,
    unsubscribed_at timestamptz,
    CHECK ((status = 'pending') = (confirm_hash IS NOT NULL))
);
CREATE INDEX newsletter_subscriber_active ON newsletter_subscriber (id) WHERE status = 'active';
CREATE INDEX newsletter_subscriber_expiry ON newsletter_subscriber (confirm_expires) WHERE status = 'pending';

-- An issue: subject and Markdown body in both languages. Sending moves it from draft to
-- sending (the job's work list) to sent.
CREATE TABLE newsletter_issue (
    id                bigserial PRIMARY KEY,
    subject_da        text NOT NULL,
    body_da           text NOT NULL,
    subject_en        text NOT NULL,
    body_en           text NOT NULL,
    status            text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'sending', 'sent')),
    created_by        bigint NOT NULL, -- staff_user id, as pack_item_version.created_by
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    send_requested_by bigint,
    send_requested_at timestamptz,
    sent_at           timestamptz
);
CREATE INDEX newsletter_issue_sending ON newsletter_issue (id) WHERE status = 'sending';

-- One row per issue and subscriber, written in the transaction that queues the mail: the
-- primary key is what makes a resumed or parallel send mail nobody twice.
CREATE TABLE newsletter_delivery (
    issue_id      bigint NOT NULL REFERENCES newsletter_issue (id) ON DELETE CASCADE,
    subscriber_id bigint NOT NULL REFERENCES newsletter_subscriber (id) ON DELETE CASCADE,
    created_at    timestamptz NOT NULL,
    PRIMARY KEY (issue_id, subscriber_id)
);

-- +goose Down
DROP TABLE newsletter_delivery;
DROP TABLE newsletter_issue;
DROP TABLE newsletter_subscriber;
