// Package audit keeps the portal's audit log (DESIGN.md §5): an append-only, hash-chained record
// of every staff look-up of a citizen, every staff action and other security events. Each entry's
// hash covers its content and the previous entry's hash, so a changed, deleted or reordered
// entry breaks the chain, which Log.Verify (and `portal audit verify`) detects. The table refuses
// UPDATE, DELETE and TRUNCATE (migrations/00006_audit.sql); this package only ever inserts.
//
// Never put a secret (password, code, activation code) into an entry's Detail: the log is read
// by staff and kept for ever.
package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Action says what happened. The display name of a listed action is message Action.MsgID().
type Action string

// Actions the portal records. Detail keys are listed beside each; a new action needs its name in
// locales/audit.*.toml and a place in Actions.
const (
	ActionCitizenLookup          Action = "citizen_lookup"           // via (cpr, username, case)
	ActionBlockMitID             Action = "block_mitid"              // reason, case
	ActionBlockMeans             Action = "block_means"              // means_id, kind, reason, case
	ActionLiftBlock              Action = "lift_block"               // case
	ActionIssueTemporaryPassword Action = "issue_temporary_password" // case, expires
	ActionIssueActivationCode    Action = "issue_activation_code"    // case, expires
	ActionOrderToken             Action = "order_token"              // kind, case
	ActionVerifyCaller           Action = "verify_caller"            // result, case
	ActionStaffCreated           Action = "staff_created"            // roles
	ActionStaffEnrolled          Action = "staff_enrolled"           // (none)
	ActionStaffLogin             Action = "staff_login"              // (none)
	ActionStaffLoginFailed       Action = "staff_login_failed"       // cause
	ActionStaffDisabled          Action = "staff_disabled"           // (none)
	ActionRoleChanged            Action = "role_changed"             // from, to
	ActionStaffUnlocked          Action = "staff_unlocked"           // via, cleared
)

// Actions lists every action with a display name.
var Actions = []Action{
	ActionCitizenLookup, ActionBlockMitID, ActionBlockMeans, ActionLiftBlock,
	ActionIssueTemporaryPassword, ActionIssueActivationCode, ActionOrderToken, ActionVerifyCaller,
	ActionStaffCreated, ActionStaffEnrolled, ActionStaffLogin, ActionStaffLoginFailed,
	ActionStaffDisabled, ActionRoleChanged, ActionStaffUnlocked,
}

// MsgID is the message ID of the action's display name.
func (a Action) MsgID() string { return "audit.action." + string(a) }

// ActorSystem is the actor of entries the portal writes on its own behalf.
const ActorSystem = "system"

// Staff names a member of staff as actor or subject: "staff:12".
func Staff(id int64) string { return "staff:" + strconv.FormatInt(id, 10) }

// MitID names a citizen's MitID as subject: "mitid:7".
func MitID(id int64) string { return "mitid:" + strconv.FormatInt(id, 10) }

// Case names a support case by its reference code as subject: "case:ABCDEF".
func Case(ref string) string { return "case:" + ref }

// Entry is what a caller records. Actor and Action are required; Subject may be empty for an
// event about nothing in particular.
type Entry struct {
	Actor   string
	Action  Action
	Subject string
	// Detail is stored as a JSON object; after a round trip its numbers are float64.
	Detail map[string]any
}

// Record is a stored entry.
type Record struct {
	ID int64
	At time.Time
	Entry
}

// lockKey is the pg_advisory_xact_lock key that serialises appends ("audit" in ASCII). Advisory
// locks are per database, so only the portal's own database shares it.
const lockKey int64 = 0x6175646974

// ErrIsolation is returned by Append in a transaction that is not READ COMMITTED: a REPEATABLE
// READ or SERIALIZABLE snapshot may predate the last entry, and the new one would not link to it.
var ErrIsolation = errors.New("audit: Append needs a READ COMMITTED transaction")

// Log reads and appends the audit log.
type Log struct{ pool *pgxpool.Pool }

// NewLog returns a Log on pool.
func NewLog(pool *pgxpool.Pool) *Log { return &Log{pool: pool} }

// Append adds e to the log in tx, so that an action and its entry commit or roll back together.
// It takes a transaction-scoped advisory lock that every append waits for, so appends from many
// transactions form one chain; the lock is held until tx ends, so call Append as the last step
// of a transaction. A rolled-back append leaves a gap in the ids, which Verify accepts.
func (l *Log) Append(ctx context.Context, tx pgx.Tx, e Entry) error {
	if e.Actor == "" || e.Action == "" {
		return fmt.Errorf("audit: entry without actor or action: %q %q", e.Actor, e.Action)
	}
	if e.Detail == nil {
		e.Detail = map[string]any{}
	}
	raw, err := json.Marshal(e.Detail)
	if err != nil {
		return fmt.Errorf("audit: detail: %w", err)
	}
	// Two statements in one round trip: the lock, then the read of the chain's head. In READ
	// COMMITTED each statement takes a new snapshot, so the second sees every entry committed by
	// the previous holder of the lock. The id is drawn under the lock, so id order is chain
	// order. The detail comes back as PostgreSQL stores it, which is what Verify will hash.
	b := &pgx.Batch{}
	b.Queue(`SELECT pg_advisory_xact_lock($1)`, lockKey)
	b.Queue(`
		SELECT current_setting('transaction_isolation'), nextval('audit_log_id_seq'), clock_timestamp(),
		       $1::jsonb::text, (SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1)`, string(raw))
	br := tx.SendBatch(ctx, b)
	var (
		isolation, detail string
		id                int64
		at                time.Time
		prev              []byte
	)
	if _, err := br.Exec(); err != nil {
		br.Close()
		return fmt.Errorf("audit: lock: %w", err)
	}
	err = br.QueryRow().Scan(&isolation, &id, &at, &detail, &prev)
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("audit: chain head: %w", err)
	}
	if isolation != "read committed" {
		return ErrIsolation
	}
	if prev == nil {
		prev = genesis[:]
	}
	canon, err := canonicalJSON([]byte(detail))
	if err != nil {
		return err
	}
	hash := entryHash(id, at, e.Actor, string(e.Action), e.Subject, canon, prev)
	_, err = tx.Exec(ctx, `
		INSERT INTO audit_log (id, at, actor, action, subject, detail, prev_hash, hash)
		VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8)`,
		id, at, e.Actor, string(e.Action), e.Subject, detail, prev, hash)
	if err != nil {
		return fmt.Errorf("audit: append: %w", err)
	}
	return nil
}

// AppendNow adds e to the log in a transaction of its own.
func (l *Log) AppendNow(ctx context.Context, e Entry) error {
	// Explicitly READ COMMITTED (not db.Transact's server default), which Append needs.
	return pgx.BeginTxFunc(ctx, l.pool, pgx.TxOptions{IsoLevel: pgx.ReadCommitted}, func(tx pgx.Tx) error {
		return l.Append(ctx, tx, e)
	})
}

// Filter selects entries for List. Empty fields match everything.
type Filter struct {
	Subject string
	Actor   string
	// Before lists entries older than this id (0: from the newest); the next page starts before
	// the last entry's ID.
	Before int64
	// Limit is the page size: DefaultLimit when 0, at most MaxLimit.
	Limit int
}

// Page sizes of List.
const (
	DefaultLimit = 50
	MaxLimit     = 200
)

// List returns entries matching f, newest first.
func (l *Log) List(ctx context.Context, f Filter) ([]Record, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	limit = min(limit, MaxLimit)
	// Conditions are added only when used, so that the planner sees a plain indexed query.
	var where []string
	args := []any{limit}
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if f.Subject != "" {
		add("subject = $%d", f.Subject)
	}
	if f.Actor != "" {
		add("actor = $%d", f.Actor)
	}
	if f.Before > 0 {
		add("id < $%d", f.Before)
	}
	q := `SELECT id, at, actor, action, subject, detail FROM audit_log`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	rows, err := l.pool.Query(ctx, q+` ORDER BY id DESC LIMIT $1`, args...)
	if err != nil {
		return nil, fmt.Errorf("audit: list: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Record, error) {
		var r Record
		err := row.Scan(&r.ID, &r.At, &r.Actor, &r.Action, &r.Subject, &r.Detail)
		return r, err
	})
	if err != nil {
		return nil, fmt.Errorf("audit: list: %w", err)
	}
	return list, nil
}
