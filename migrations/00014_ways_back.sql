-- +goose Up
-- Every way back in (DESIGN.md §3.4–§3.6): an activation code may also lift a block, and staff
-- may hold the fulfilment role (sends ordered code devices).
ALTER TABLE activation_code DROP CONSTRAINT activation_code_purpose_check;
ALTER TABLE activation_code ADD CONSTRAINT activation_code_purpose_check
    CHECK (purpose IN ('create', 'recover', 'lift'));

ALTER TABLE staff_user DROP CONSTRAINT staff_user_roles_check;
ALTER TABLE staff_user ADD CONSTRAINT staff_user_roles_check CHECK (cardinality(roles) > 0 AND
    roles <@ ARRAY['agent', 'supervisor', 'ra_officer', 'fulfilment', 'campaign_editor', 'admin']);

-- +goose Down
ALTER TABLE staff_user DROP CONSTRAINT staff_user_roles_check;
ALTER TABLE staff_user ADD CONSTRAINT staff_user_roles_check CHECK (cardinality(roles) > 0 AND
    roles <@ ARRAY['agent', 'supervisor', 'ra_officer', 'campaign_editor', 'admin']);
ALTER TABLE activation_code DROP CONSTRAINT activation_code_purpose_check;
ALTER TABLE activation_code ADD CONSTRAINT activation_code_purpose_check
    CHECK (purpose IN ('create', 'recover'));
