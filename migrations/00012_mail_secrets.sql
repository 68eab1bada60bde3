-- +goose Up
-- Secrets do not outlive their use. An activation code or a confirmation link is hashed
-- everywhere in the database except in the body of the mail that carries it. A mail marked
-- secret when it is enqueued has its bodies replaced by a fixed notice in the statement that
-- records its delivery (or its final failure), so the outbox keeps who got what kind of mail and
-- when, but not the code.
ALTER TABLE mail_outbox ADD COLUMN secret boolean NOT NULL DEFAULT false;
COMMENT ON COLUMN mail_outbox.secret IS
    'The body carries a secret (activation code, confirmation link, enrolment link): text_body and html_body are replaced by ''[removed after delivery]'' once the mail is sent or has failed for good.';
COMMENT ON COLUMN mail_outbox.last_error IS
    'Short text of the latest failed attempt; cleared when a later attempt succeeds. Never the body, codes or SMTP credentials.';

-- The kinds that carried secrets before the flag existed: mark them, blank those already
-- delivered, and clear the stale errors of delivered mail.
UPDATE mail_outbox SET secret = true WHERE kind IN ('activation_code', 'case.contact_confirm');
UPDATE mail_outbox
SET text_body = '[removed after delivery]',
    html_body = CASE WHEN html_body IS NULL THEN NULL ELSE '[removed after delivery]' END
WHERE secret AND sent_at IS NOT NULL;
UPDATE mail_outbox SET last_error = NULL WHERE sent_at IS NOT NULL AND last_error IS NOT NULL;

-- +goose Down
ALTER TABLE mail_outbox DROP COLUMN secret;
COMMENT ON COLUMN mail_outbox.last_error IS
    'Short text of the latest failed attempt, kept after a later success. Never the body, codes or SMTP credentials.';
