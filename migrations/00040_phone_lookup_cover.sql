-- +goose Up
-- The desk's look-up of citizens by phone number (issue 13 item 2) reads the MitIDs of the
-- cases that gave the number. support_case_phone_key found the cases, and each case's row was
-- then read from the table for its mitid_id: a number's cases lie scattered over a big table,
-- so a look-up read a table page per case. This index carries mitid_id, so the look-up reads
-- the index alone (an index-only scan where the table's visibility map allows it), and
-- replaces the old one: the table keeps its count of indexes, and a new case costs what it did.
--
-- Operators: on a database with many cases, build it first by hand, outside a transaction,
-- with CREATE INDEX CONCURRENTLY IF NOT EXISTS and the same name and definition, check that it
-- is not INVALID (\d support_case), then deploy: this file finds it and drops the old one.
CREATE INDEX IF NOT EXISTS support_case_phone_cover ON support_case (contact_phone_key, id DESC) INCLUDE (mitid_id);
DROP INDEX IF EXISTS support_case_phone_key;

-- +goose Down
CREATE INDEX IF NOT EXISTS support_case_phone_key ON support_case (contact_phone_key, id DESC);
DROP INDEX IF EXISTS support_case_phone_cover;
