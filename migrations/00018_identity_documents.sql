-- +goose Up
-- Registration in person at borgerservice (DESIGN.md §3.4 path 2): every identity document a
-- registration officer checks, passed or refused. Only what the check needs is kept: the kind,
-- number and expiry of the document and the outcome, never the MRZ lines themselves or an
-- image of the document.
CREATE TABLE identity_document_check (
    id            bigserial PRIMARY KEY,
    at            timestamptz NOT NULL DEFAULT now(),
    staff_id      bigint NOT NULL REFERENCES staff_user (id),
    cpr           text NOT NULL REFERENCES person (cpr),
    kind          text NOT NULL CHECK (kind IN ('passport', 'driving_licence')),
    -- Empty when a refused MRZ's document number could not be read.
    number        text NOT NULL CHECK (length(number) <= 40),
    expires_on    date,
    result        text NOT NULL CHECK (result IN ('passed', 'mrz_refused', 'expired',
                      'name_mismatch', 'birth_mismatch', 'deceased')),
    -- The activation code handed over on the spot; exactly the passed checks have one.
    activation_id bigint REFERENCES activation_code (id),
    CHECK ((result = 'passed') = (activation_id IS NOT NULL))
);
CREATE INDEX identity_document_check_cpr ON identity_document_check (cpr, at);
COMMENT ON TABLE identity_document_check IS
    'Identity documents checked in person by a registration officer; the audit log has an entry for each.';

-- +goose Down
DROP TABLE identity_document_check;
