package support

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"mitidportal/db"
	"mitidportal/fault"
)

// CannedReply is a reply an agent starts from and edits before sending, in Danish and English.
// A shared reply (OwnerID 0) is written by supervisors and admins and offered to every agent; a
// personal one belongs to one agent, who alone sees and edits it. Bodies carry placeholders
// (FillCanned). A retired reply is no longer offered but stays readable.
type CannedReply struct {
	ID      int64
	OwnerID int64 // 0: shared
	CannedText
	Version   int
	UpdatedAt time.Time
	UpdatedBy int64     // 0: seeded by the migration
	RetiredAt time.Time // zero while offered
}

// CannedText is what a person writes: a title and a body in each language.
type CannedText struct {
	TitleDA, BodyDA, TitleEN, BodyEN string
}

// Shared reports whether the reply is offered to every agent.
func (r CannedReply) Shared() bool { return r.OwnerID == 0 }

// Retired reports whether the reply is no longer offered.
func (r CannedReply) Retired() bool { return !r.RetiredAt.IsZero() }

// Title is the title in lang (Danish unless lang is "en").
func (r CannedReply) Title(lang string) string {
	if lang == "en" {
		return r.TitleEN
	}
	return r.TitleDA
}

// Body is the body in lang (Danish unless lang is "en"), placeholders unfilled.
func (r CannedReply) Body(lang string) string {
	if lang == "en" {
		return r.BodyEN
	}
	return r.BodyDA
}

// CannedEditor is who reads or changes canned replies: a member of staff, and whether their
// roles (supervisor, admin) let them manage the shared replies. The web layer decides the
// latter from the session's roles; this package decides what it allows.
type CannedEditor struct {
	StaffID       int64
	ManagesShared bool
}

// CannedAction is what a change did, for the audit hook.
type CannedAction string

// The changes of a canned reply.
const (
	CannedCreated CannedAction = "created"
	CannedUpdated CannedAction = "updated"
	CannedRetired CannedAction = "retired"
)

// CannedEvent is one change of a canned reply, handed to the audit hook in its transaction.
type CannedEvent struct {
	StaffID int64
	Action  CannedAction
	ReplyID int64
	Version int
	Shared  bool
}

// WithCannedAudit sets the hook that audits every change of a canned reply in the change's
// transaction (wired to the audit log in app/): the change and its entry commit together.
func WithCannedAudit(h func(ctx context.Context, tx pgx.Tx, e CannedEvent) error) Option {
	return func(c *Cases) { c.cannedAudit = h }
}

// Refusals of canned replies.
var (
	ErrCannedForbidden = fault.New("support", fault.Forbidden, "deskcanned.err.forbidden")
	ErrCannedStale     = fault.New("support", fault.Conflict, "deskcanned.err.stale")
	ErrCannedRetired   = fault.New("support", fault.Conflict, "deskcanned.err.retired")
	ErrCannedTooMany   = fault.New("support", fault.Conflict, "deskcanned.err.too_many")
)

// Limits of canned replies. The counts bound what one person can make the desk store.
const (
	MaxCannedPersonal = 50  // live personal replies per agent
	MaxCannedShared   = 200 // live shared replies
)

// CannedReplies keeps the canned replies (Cases.Canned).
type CannedReplies struct{ cases *Cases }

// Canned returns the canned replies, kept in the cases' database.
func (s *Cases) Canned() *CannedReplies { return &CannedReplies{cases: s} }

const cannedColumns = `id, coalesce(owner_id, 0), title_da, body_da, title_en, body_en, version, updated_at,
	coalesce(updated_by, 0), coalesce(retired_at, 'epoch'::timestamptz)`

func scanCanned(row pgx.Row) (CannedReply, error) {
	var r CannedReply
	err := row.Scan(&r.ID, &r.OwnerID, &r.TitleDA, &r.BodyDA, &r.TitleEN, &r.BodyEN, &r.Version, &r.UpdatedAt,
		&r.UpdatedBy, &r.RetiredAt)
	if r.RetiredAt.Unix() == 0 {
		r.RetiredAt = time.Time{}
	}
	return r, err
}

// List returns the replies ed may see: every shared one and ed's own personal ones, shared
// first, each group oldest first; retired ones only when withRetired.
func (c *CannedReplies) List(ctx context.Context, ed CannedEditor, withRetired bool) ([]CannedReply, error) {
	rows, err := c.cases.pool.Query(ctx, `
		SELECT `+cannedColumns+` FROM support_canned
		WHERE (owner_id IS NULL OR owner_id = $1) AND ($2 OR retired_at IS NULL)
		ORDER BY owner_id NULLS FIRST, id`, ed.StaffID, withRetired)
	if err != nil {
		return nil, fmt.Errorf("canned replies: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (CannedReply, error) { return scanCanned(r) })
}

// Get returns the reply with that id if ed may see it; another agent's personal reply is
// ErrNotFound, as if it did not exist.
func (c *CannedReplies) Get(ctx context.Context, ed CannedEditor, id int64) (CannedReply, error) {
	r, err := scanCanned(c.cases.pool.QueryRow(ctx, `SELECT `+cannedColumns+` FROM support_canned WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) || err == nil && !r.Shared() && r.OwnerID != ed.StaffID {
		return CannedReply{}, ErrNotFound
	}
	if err != nil {
		return CannedReply{}, fmt.Errorf("canned reply: %w", err)
	}
	return r, nil
}

// mayChange refuses a change of r by ed: shared replies are the managers', personal ones
// their owner's alone (not even a supervisor sees another agent's).
func mayChange(ed CannedEditor, r CannedReply) error {
	switch {
	case !r.Shared() && r.OwnerID != ed.StaffID:
		return ErrNotFound
	case r.Shared() && !ed.ManagesShared:
		return ErrCannedForbidden
	}
	return nil
}

// formKeyCanned is the purpose of the new-reply form's keys.
const formKeyCanned = "canned_new"

// Create saves a new reply: shared (for managers only) or ed's personal one. formKey is the
// one-time key of the form (db.Once; "" for none): the same form sent again saves nothing and
// returns the reply it saved.
func (c *CannedReplies) Create(ctx context.Context, ed CannedEditor, shared bool, t CannedText, formKey string) (CannedReply, error) {
	t, problems := CheckCannedText(t)
	if len(problems) > 0 {
		return CannedReply{}, problems[0].Err
	}
	if shared && !ed.ManagesShared {
		return CannedReply{}, ErrCannedForbidden
	}
	var r CannedReply
	err := db.Transact(ctx, c.cases.pool, func(tx pgx.Tx) error {
		now := c.cases.now()
		id, made, err := db.Once(ctx, tx, formKeyCanned, ed.StaffID, formKey, now, func() (int64, error) {
			var err error
			r, err = c.create(ctx, tx, ed, shared, t, now)
			return r.ID, err
		})
		if err != nil || made {
			return err
		}
		r, err = scanCanned(tx.QueryRow(ctx, `SELECT `+cannedColumns+` FROM support_canned WHERE id = $1`, id))
		if err != nil {
			return fmt.Errorf("canned reply: %w", err)
		}
		return nil
	})
	return r, err
}

// create inserts a new reply in tx, within the limits of its owner.
func (c *CannedReplies) create(ctx context.Context, tx pgx.Tx, ed CannedEditor, shared bool, t CannedText, now time.Time) (CannedReply, error) {
	var owner *int64
	limit := MaxCannedShared
	if !shared {
		owner, limit = &ed.StaffID, MaxCannedPersonal
	}
	// One creator at a time per owner (or for the shared replies), so the count below holds
	// under parallel requests. The count is a statement of its own: a statement reads the
	// snapshot taken when it began, so a count beside the lock would not see the rows of the
	// creators it waited for.
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('support_canned:' || coalesce($1::bigint, 0), 0))`,
		owner); err != nil {
		return CannedReply{}, fmt.Errorf("lock canned replies: %w", err)
	}
	var n int
	err := tx.QueryRow(ctx, `SELECT count(*) FROM support_canned WHERE owner_id IS NOT DISTINCT FROM $1 AND retired_at IS NULL`,
		owner).Scan(&n)
	if err != nil {
		return CannedReply{}, fmt.Errorf("count canned replies: %w", err)
	}
	if n >= limit {
		return CannedReply{}, ErrCannedTooMany
	}
	r, err := scanCanned(tx.QueryRow(ctx, `
		INSERT INTO support_canned (owner_id, title_da, body_da, title_en, body_en, created_at, created_by,
			updated_at, updated_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $6, $7) RETURNING `+cannedColumns,
		owner, t.TitleDA, t.BodyDA, t.TitleEN, t.BodyEN, now, ed.StaffID))
	if err != nil {
		return CannedReply{}, fmt.Errorf("create canned reply: %w", err)
	}
	return r, c.saved(ctx, tx, ed, r, CannedCreated)
}

// Update replaces the text of a reply ed may change. version is the version the editor
// started from: when someone saved in between, the save is refused with ErrCannedStale and
// nothing is lost. A retired reply cannot be changed.
func (c *CannedReplies) Update(ctx context.Context, ed CannedEditor, id int64, version int, t CannedText) (CannedReply, error) {
	t, problems := CheckCannedText(t)
	if len(problems) > 0 {
		return CannedReply{}, problems[0].Err
	}
	return c.change(ctx, ed, id, version, CannedUpdated, `
		UPDATE support_canned SET title_da = $4, body_da = $5, title_en = $6, body_en = $7,
			version = version + 1, updated_at = $3, updated_by = $8
		WHERE id = $1 AND version = $2 AND retired_at IS NULL RETURNING `+cannedColumns,
		t.TitleDA, t.BodyDA, t.TitleEN, t.BodyEN, ed.StaffID)
}

// Retire stops offering a reply ed may change; it stays readable. version is as for Update.
func (c *CannedReplies) Retire(ctx context.Context, ed CannedEditor, id int64, version int) (CannedReply, error) {
	return c.change(ctx, ed, id, version, CannedRetired, `
		UPDATE support_canned SET version = version + 1, retired_at = $3, retired_by = $4,
			updated_at = $3, updated_by = $4
		WHERE id = $1 AND version = $2 AND retired_at IS NULL RETURNING `+cannedColumns, ed.StaffID)
}

// change runs one conditional UPDATE ($1 id, $2 version, $3 now, then args): of parallel
// changes from the same version exactly one matches, the others find the version moved on.
func (c *CannedReplies) change(ctx context.Context, ed CannedEditor, id int64, version int, action CannedAction,
	update string, args ...any) (CannedReply, error) {
	var r CannedReply
	err := db.Transact(ctx, c.cases.pool, func(tx pgx.Tx) error {
		cur, err := scanCanned(tx.QueryRow(ctx, `SELECT `+cannedColumns+` FROM support_canned WHERE id = $1`, id))
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("canned reply: %w", err)
		}
		if err := mayChange(ed, cur); err != nil {
			return err
		}
		r, err = scanCanned(tx.QueryRow(ctx, update, append([]any{id, version, c.cases.now()}, args...)...))
		if errors.Is(err, pgx.ErrNoRows) {
			// The row was read before the UPDATE waited for a parallel change: read it again.
			var retired bool
			if err := tx.QueryRow(ctx, `SELECT retired_at IS NOT NULL FROM support_canned WHERE id = $1`, id).Scan(&retired); err != nil {
				return fmt.Errorf("canned reply: %w", err)
			}
			if retired {
				return ErrCannedRetired
			}
			return ErrCannedStale
		}
		if err != nil {
			return fmt.Errorf("change canned reply: %w", err)
		}
		return c.saved(ctx, tx, ed, r, action)
	})
	return r, err
}

// saved keeps the version just written and hands the change to the audit hook, in tx.
func (c *CannedReplies) saved(ctx context.Context, tx pgx.Tx, ed CannedEditor, r CannedReply, action CannedAction) error {
	_, err := tx.Exec(ctx, `
		INSERT INTO support_canned_version (canned_id, version, title_da, body_da, title_en, body_en, saved_at, saved_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		r.ID, r.Version, r.TitleDA, r.BodyDA, r.TitleEN, r.BodyEN, r.UpdatedAt, ed.StaffID)
	if err != nil {
		return fmt.Errorf("canned reply version: %w", err)
	}
	if c.cases.cannedAudit == nil {
		return nil
	}
	return c.cases.cannedAudit(ctx, tx, CannedEvent{StaffID: ed.StaffID, Action: action, ReplyID: r.ID,
		Version: r.Version, Shared: r.Shared()})
}
