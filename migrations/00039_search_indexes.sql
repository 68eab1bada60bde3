-- +goose Up
-- Search and the dashboard at a million cases (issue 13 item 2).
--
-- Operators: on a database with many cases, CREATE INDEX locks support_case and support_entry
-- against writes while it builds (minutes at a million cases), and goose runs this file in one
-- transaction (db.Migrate at start-up or `portal migrate`), where CONCURRENTLY is not allowed.
-- So before deploying the release that carries this file, build each index below by hand with
-- the same name and CREATE INDEX CONCURRENTLY IF NOT EXISTS (one statement at a time, outside
-- a transaction, e.g. in psql), check that none is left INVALID (\d support_case; drop and
-- rebuild one that is), then deploy: the statements here find the indexes and do nothing.

-- The subject alone as Danish words: the search ranks the cases whose subject has the words
-- before the rest (support/search_text.go), whether they are new or old, and finds them through
-- this index when they are few among the matches.
CREATE INDEX IF NOT EXISTS support_case_subject_search ON support_case
    USING gin (to_tsvector('danish'::regconfig, subject));

-- The desk's look-ups by e-mail address and phone number on full indexes. The partial ones
-- they replace (00020: WHERE ... <> '') had no statistics on their expressions, so the planner
-- took every address for 0.5 % of the rows: at a million MitIDs it joined a person found by
-- e-mail to a sequential scan of mitid (2 s), and a generic plan of a query that did not repeat
-- the predicate could not use them at all.
CREATE INDEX IF NOT EXISTS person_email_lower ON person (lower(email));
CREATE INDEX IF NOT EXISTS support_case_email_key ON support_case (lower(contact_email), id DESC);
CREATE INDEX IF NOT EXISTS support_case_phone_key ON support_case (contact_phone_key, id DESC);
DROP INDEX IF EXISTS person_email;
DROP INDEX IF EXISTS support_case_contact_email;
DROP INDEX IF EXISTS support_case_contact_phone;

-- The dashboard and its exports: cases opened, answered, resolved and due in a period. The
-- partial ones cost nothing while a case has no such time.
CREATE INDEX IF NOT EXISTS support_case_created ON support_case (created_at);
CREATE INDEX IF NOT EXISTS support_case_resolved ON support_case (resolved_at) WHERE resolved_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS support_case_first_response ON support_case (first_response_at)
    WHERE first_response_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS support_case_first_response_due ON support_case (first_response_due)
    WHERE first_response_due IS NOT NULL;
CREATE INDEX IF NOT EXISTS support_case_resolution_due ON support_case (resolution_due)
    WHERE resolution_due IS NOT NULL;

-- Timeline entries of one kind in a period (the blocks per day of identity theft).
CREATE INDEX IF NOT EXISTS support_entry_kind_at ON support_entry (kind, at);

-- +goose Down
CREATE INDEX support_case_contact_phone ON support_case (contact_phone_key, id DESC) WHERE contact_phone_key <> '';
CREATE INDEX support_case_contact_email ON support_case (lower(contact_email), id DESC) WHERE contact_email <> '';
CREATE INDEX person_email ON person (lower(email)) WHERE email IS NOT NULL;
DROP INDEX support_case_phone_key;
DROP INDEX support_case_email_key;
DROP INDEX person_email_lower;
DROP INDEX support_entry_kind_at;
DROP INDEX support_case_resolution_due;
DROP INDEX support_case_first_response_due;
DROP INDEX support_case_first_response;
DROP INDEX support_case_resolved;
DROP INDEX support_case_created;
DROP INDEX support_case_subject_search;
