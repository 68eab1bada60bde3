-- +goose Up
-- A pairing code shown by the creation flow (/opret/app) may only add the MitID's first means:
-- when the phone uses it, the MitID must still be unable to log in, or the browser that created
-- it (perhaps abandoned on a shared computer) could add a phone to a MitID in use.
ALTER TABLE app_pairing ADD COLUMN first_means boolean NOT NULL DEFAULT false;

-- The clean-up job looks for MitIDs whose creation never finished, by age.
CREATE INDEX mitid_created ON mitid (created_at) WHERE status = 'active';

-- +goose Down
DROP INDEX mitid_created;
ALTER TABLE app_pairing DROP COLUMN first_means;
