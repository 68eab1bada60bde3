-- +goose Up
-- The move from NemID to MitID (issue 11, docs/campaign.md "NemID to MitID"), kept in the
-- register stand-in because it is a fact about the person, not about one MitID.
--
-- has_nemid: the person's NemID is still open. A person selected at a bank login already has
-- a MitID in this portal (they log in with it); the move is finished when the NemID is closed,
-- which sets has_nemid to false. So "selected" is has_nemid with nemid_selected_at set, and
-- "done" is nemid_selected_at set with has_nemid false.
--
-- nemid_deadline is a date, not a moment: the last Copenhagen day on which the move can be
-- finished (the selection's Copenhagen date + 30 days), so the days left are a difference of
-- dates and never shift by an hour at a daylight-saving change.
--
-- The one extension: when it was granted and by how many days (the configured number then).
ALTER TABLE person
    ADD COLUMN has_nemid            boolean NOT NULL DEFAULT false,
    ADD COLUMN nemid_selected_at    timestamptz,
    ADD COLUMN nemid_deadline       date,
    ADD COLUMN nemid_extended_at    timestamptz,
    ADD COLUMN nemid_extension_days integer CHECK (nemid_extension_days > 0),
    ADD CONSTRAINT person_nemid_deadline CHECK ((nemid_selected_at IS NULL) = (nemid_deadline IS NULL)),
    ADD CONSTRAINT person_nemid_extension CHECK ((nemid_extended_at IS NULL) = (nemid_extension_days IS NULL)),
    ADD CONSTRAINT person_nemid_extended_selected CHECK (nemid_extended_at IS NULL OR nemid_selected_at IS NOT NULL);

-- +goose Down
ALTER TABLE person
    DROP CONSTRAINT person_nemid_extended_selected,
    DROP CONSTRAINT person_nemid_extension,
    DROP CONSTRAINT person_nemid_deadline,
    DROP COLUMN nemid_extension_days,
    DROP COLUMN nemid_extended_at,
    DROP COLUMN nemid_deadline,
    DROP COLUMN nemid_selected_at,
    DROP COLUMN has_nemid;
