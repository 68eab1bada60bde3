-- +goose Up
-- The auditor role (DESIGN.md §4, issue 9 item 7): reads the whole audit log and nothing else.
-- Supervisors and admins read it too; every other staff role sees only its own actions there.
ALTER TABLE staff_user DROP CONSTRAINT staff_user_roles_check;
ALTER TABLE staff_user ADD CONSTRAINT staff_user_roles_check CHECK (cardinality(roles) > 0 AND
    roles <@ ARRAY['agent', 'supervisor', 'ra_officer', 'fulfilment', 'campaign_editor', 'auditor', 'admin']);

-- The audit log page filters by action and by time besides actor and subject (00006 indexes
-- those two); a page of one action, or of a period, is read newest first by id.
CREATE INDEX audit_log_action ON audit_log (action, id);
CREATE INDEX audit_log_at ON audit_log (at);

-- +goose Down
DROP INDEX audit_log_at;
DROP INDEX audit_log_action;
ALTER TABLE staff_user DROP CONSTRAINT staff_user_roles_check;
ALTER TABLE staff_user ADD CONSTRAINT staff_user_roles_check CHECK (cardinality(roles) > 0 AND
    roles <@ ARRAY['agent', 'supervisor', 'ra_officer', 'fulfilment', 'campaign_editor', 'admin']);
