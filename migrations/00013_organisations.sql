-- +goose Up
-- Stakeholder organisations of the campaign (DESIGN.md §6): interest organisations, schools,
-- libraries, citizen service centres, accountants, business centres, partner channels and
-- brokers that download communication packs and take part in the stakeholder forum. Package
-- campaign owns these tables.

-- An organisation applies with its CVR number; a campaign editor approves or rejects the
-- application. A rejected organisation may apply again (the CVR is unique among the pending and
-- approved ones only).
CREATE TABLE organisation (
    id            bigserial PRIMARY KEY,
    cvr           text NOT NULL CHECK (cvr ~ '^[0-9]{8}$'),
    name          text NOT NULL CHECK (name <> '' AND length(name) <= 200),
    kind          text NOT NULL CHECK (kind IN ('interest_organisation', 'association', 'school',
                      'citizen_service', 'library', 'accountant_lawyer', 'business_centre',
                      'partner_channel', 'broker')),
    status        text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    -- Members of forum organisations see items in review and take part in feedback rounds.
    forum_member  boolean NOT NULL DEFAULT false,
    contact_name  text NOT NULL CHECK (contact_name <> '' AND length(contact_name) <= 200),
    contact_email text NOT NULL CHECK (contact_email <> '' AND length(contact_email) <= 254),
    lang          text NOT NULL CHECK (lang IN ('da', 'en')),
    applied_at    timestamptz NOT NULL,
    decided_at    timestamptz,
    -- The campaign editor who decided; no foreign key, like the audit log, so a staff account
    -- can be removed without rewriting history.
    decided_by    bigint,
    decision_note text NOT NULL DEFAULT '' CHECK (length(decision_note) <= 1000),
    CHECK ((status = 'pending') = (decided_at IS NULL))
);
CREATE UNIQUE INDEX organisation_cvr_live ON organisation (cvr) WHERE status <> 'rejected';
CREATE INDEX organisation_pending ON organisation (applied_at) WHERE status = 'pending';

-- A citizen's membership: members log in with their own MitID. An organisation keeps at least
-- one admin (package campaign checks it under a lock on the organisation's row).
CREATE TABLE organisation_member (
    organisation_id bigint NOT NULL REFERENCES organisation (id) ON DELETE CASCADE,
    mitid_id        bigint NOT NULL REFERENCES mitid (id) ON DELETE CASCADE,
    role            text NOT NULL CHECK (role IN ('admin', 'member')),
    -- The address the invitation went to: where pack news is mailed.
    email           text NOT NULL CHECK (email <> ''),
    lang            text NOT NULL CHECK (lang IN ('da', 'en')),
    joined_at       timestamptz NOT NULL,
    PRIMARY KEY (organisation_id, mitid_id)
);
CREATE INDEX organisation_member_mitid ON organisation_member (mitid_id);

-- An invitation to join an organisation, mailed as a link. Single use and expiring: accepting
-- is one UPDATE that succeeds only for an unused, unexpired invitation.
CREATE TABLE organisation_invitation (
    id              bigserial PRIMARY KEY,
    -- SHA-256 of the token in the link; the token itself is only in the mail.
    token_hash      bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    organisation_id bigint NOT NULL REFERENCES organisation (id) ON DELETE CASCADE,
    email           text NOT NULL CHECK (email <> ''),
    role            text NOT NULL CHECK (role IN ('admin', 'member')),
    lang            text NOT NULL CHECK (lang IN ('da', 'en')),
    -- Who invited: a member (an admin of the organisation) or, for the first admin, the editor
    -- who approved the application.
    invited_by      text NOT NULL,
    created_at      timestamptz NOT NULL,
    expires_at      timestamptz NOT NULL,
    accepted_at     timestamptz,
    accepted_by     bigint REFERENCES mitid (id) ON DELETE SET NULL,
    CHECK (expires_at > created_at)
);
CREATE INDEX organisation_invitation_org ON organisation_invitation (organisation_id, created_at);

-- +goose Down
DROP TABLE organisation_invitation;
DROP TABLE organisation_member;
DROP TABLE organisation;
