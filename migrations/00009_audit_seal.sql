-- +goose Up
-- The audit log becomes a keyed chain that appends do not serialise on (issue 12, item 4).
--
-- Until now Log.Append chained each entry itself under one advisory lock held until the caller's
-- transaction committed, so every audited transaction in the portal ran one after the other, and
-- the chain was a plain SHA-256 that anyone able to write the table could recompute. Now:
--
-- * Log.Append only inserts the entry (audit_log) and a marker (audit_pending) in the caller's
--   transaction: no lock, no read of the chain's head.
-- * The sealer (audit.Chain.Seal, run every second by every instance, one at a time under a
--   short advisory lock) takes committed entries from audit_pending in id order and appends one
--   row per entry to audit_seal: chain order is audit_seal.seq, not audit_log.id. Each seal's
--   hash is an HMAC-SHA256 with a key from AUDIT_KEYS over the entry's content, its seq, the key
--   id and the previous seal's hash (encoding in audit/seal_hash.go).
-- * The head of audit_seal is anchored outside the database (audit anchor job); `portal audit
--   verify` checks the chain with the keys and the newest anchor.

-- The unkeyed hash columns of 00006 are no longer written: new entries leave them NULL. The rows
-- written before this migration keep their old values, which nothing checks any more; those
-- entries are sealed like every other entry (they are all pending below), so the keyed chain
-- covers them from its first link. Run the previous release's `portal audit verify` before
-- upgrading if the history before the upgrade must be proven unchanged.
ALTER TABLE audit_log ALTER COLUMN prev_hash DROP NOT NULL;
ALTER TABLE audit_log ALTER COLUMN hash DROP NOT NULL;
COMMENT ON COLUMN audit_log.prev_hash IS 'Unkeyed chain of migration 00006; NULL since 00009, not checked any more (audit_seal is the chain).';
COMMENT ON COLUMN audit_log.hash IS 'Unkeyed chain of migration 00006; NULL since 00009, not checked any more (audit_seal is the chain).';

-- Entries committed but not sealed yet. Append inserts the marker in the caller's transaction, so
-- the entry and its marker become visible together; the sealer deletes it in the transaction that
-- seals the entry. Deleting a marker by hand leaves the entry unsealed for ever, which `portal
-- audit verify` reports once the entry is older than its grace period.
CREATE TABLE audit_pending (
    entry_id bigint PRIMARY KEY REFERENCES audit_log (id)
);
COMMENT ON TABLE audit_pending IS 'Audit entries waiting for the sealer (package audit); rows live about a second.';

-- The chain. seq counts from 1 without gaps (the sealer assigns seq = head + 1 under its lock),
-- so a missing seq is a deleted seal. UNIQUE entry_id: an entry is sealed once; UNIQUE
-- prev_hash: the chain cannot fork even if a second sealer ran without the lock.
CREATE TABLE audit_seal (
    seq       bigint PRIMARY KEY CHECK (seq > 0),
    entry_id  bigint NOT NULL UNIQUE REFERENCES audit_log (id),
    -- which AUDIT_KEYS key made hash (rotation: old seals keep their key id).
    key_id    text NOT NULL CHECK (key_id ~ '^[A-Za-z0-9._-]{1,32}$'),
    -- hash of the seal before this one; 32 zero bytes for seq 1.
    prev_hash bytea NOT NULL UNIQUE CHECK (octet_length(prev_hash) = 32),
    hash      bytea NOT NULL CHECK (octet_length(hash) = 32)
);
COMMENT ON TABLE audit_seal IS 'Keyed hash chain over audit_log in seal order; append-only; checked by `portal audit verify`.';

INSERT INTO audit_pending (entry_id) SELECT id FROM audit_log;

-- Append-only like audit_log, with the same limits (see 00006: the table owner or a superuser can
-- disable the trigger; the keyed chain and the anchor outside the database make that visible).
CREATE TRIGGER audit_seal_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_seal
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();

-- +goose Down
DROP TABLE audit_seal;
DROP TABLE audit_pending;
