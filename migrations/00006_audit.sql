-- +goose Up
-- The audit log (DESIGN.md §5, issue 4 item 9): every staff look-up of a citizen, every staff
-- action and other security events, append-only and hash-chained. Package audit writes it
-- (Log.Append) and checks it (Log.Verify, `portal audit verify`); the canonical encoding that
-- `hash` covers is documented in audit/verify.go.
--
-- actor and subject are text ("staff:12", "mitid:7", "case:ABCDEF"), not foreign keys: the log
-- must outlive and never block the deletion of what it names.
CREATE TABLE audit_log (
    id        bigserial PRIMARY KEY,
    at        timestamptz NOT NULL,
    actor     text NOT NULL CHECK (actor <> ''),
    action    text NOT NULL CHECK (action <> ''),
    subject   text NOT NULL,
    detail    jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(detail) = 'object'),
    -- hash of the entry before this one in id order; 32 zero bytes for the first entry.
    -- UNIQUE: two entries can never claim the same predecessor, so even an insert that bypassed
    -- Log.Append's advisory lock could not fork the chain.
    prev_hash bytea NOT NULL UNIQUE CHECK (octet_length(prev_hash) = 32),
    -- SHA-256 over (id, at, actor, action, subject, detail, prev_hash).
    hash      bytea NOT NULL CHECK (octet_length(hash) = 32)
);
COMMENT ON TABLE audit_log IS 'Append-only, hash-chained audit log; written by package audit only, checked by `portal audit verify`.';
-- Staff read the log per citizen/case/staff account (subject) and per member of staff (actor),
-- newest first.
CREATE INDEX audit_log_subject ON audit_log (subject, id);
CREATE INDEX audit_log_actor ON audit_log (actor, id);

-- Nobody edits the log through the application: UPDATE, DELETE and TRUNCATE are refused for
-- every role. This is a guard against mistakes and against the application being misused, not
-- against the database's operators: a superuser or the table's owner (the role that runs the
-- migrations; the portal's own role unless a deployment separates them) can still
-- `ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only` or set
-- session_replication_role = replica and then change rows. The hash chain is what makes such a
-- change visible: `portal audit verify` reports the first changed or missing entry.
-- +goose StatementBegin
CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
-- +goose StatementEnd
CREATE TRIGGER audit_log_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();

-- +goose Down
DROP TABLE audit_log;
DROP FUNCTION audit_log_refuse_change();
