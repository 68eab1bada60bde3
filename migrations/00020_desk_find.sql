-- +goose Up
-- Finding the caller (issue 9 items 1 and 2): the desk's one search box looks up citizens in
-- the CPR register and cases by their caller's name, e-mail address and phone number, and a
-- case can be linked to a citizen after it was opened (support/citizens.go).

-- The caller's name as words (no stemming: names are not Danish words), and the phone number
-- as its last eight digits, which is how a Danish number is said whatever the +45, spaces or
-- dashes around it. Generated columns follow an edit of the contact and were filled for every
-- existing case when they were added.
ALTER TABLE support_case
    ADD COLUMN contact_words tsvector GENERATED ALWAYS AS (to_tsvector('simple', contact_name)) STORED,
    ADD COLUMN contact_phone_key text GENERATED ALWAYS AS
        (right(regexp_replace(contact_phone, '[^0-9]', '', 'g'), 8)) STORED;
CREATE INDEX support_case_contact_words ON support_case USING gin (contact_words);
CREATE INDEX support_case_contact_phone ON support_case (contact_phone_key, id DESC) WHERE contact_phone_key <> '';
CREATE INDEX support_case_contact_email ON support_case (lower(contact_email), id DESC) WHERE contact_email <> '';

-- Citizens by CPR number, revoked MitIDs included (mitid_cpr covers only the one in use).
CREATE INDEX mitid_cpr_all ON mitid (cpr);

-- Citizens by name (every word a prefix of a given or family name) and by e-mail address.
CREATE INDEX person_name_words ON person USING gin (to_tsvector('simple', given_name || ' ' || family_name));
CREATE INDEX person_email ON person (lower(email)) WHERE email IS NOT NULL;

-- A case linked (or relinked) to a citizen's MitID by an agent: detail has "from" and "to",
-- the MitID ids (0 for none).
ALTER TABLE support_entry DROP CONSTRAINT support_entry_kind_check;
ALTER TABLE support_entry ADD CONSTRAINT support_entry_kind_check CHECK (kind IN ('message', 'reply',
    'internal_note', 'call_log', 'verification', 'action', 'status_change', 'assignment',
    'priority_change', 'tags_change', 'citizen_link'));

-- +goose Down
ALTER TABLE support_entry DROP CONSTRAINT support_entry_kind_check;
ALTER TABLE support_entry ADD CONSTRAINT support_entry_kind_check CHECK (kind IN ('message', 'reply',
    'internal_note', 'call_log', 'verification', 'action', 'status_change', 'assignment',
    'priority_change', 'tags_change'));
DROP INDEX person_email;
DROP INDEX support_case_contact_email;
DROP INDEX mitid_cpr_all;
DROP INDEX person_name_words;
ALTER TABLE support_case DROP COLUMN contact_phone_key, DROP COLUMN contact_words;
