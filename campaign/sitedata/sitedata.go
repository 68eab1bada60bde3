// Package sitedata keeps the campaign site's structured content (DESIGN.md §6, issue 11): the
// questions and answers with their categories and search, the certified brokers that service
// providers choose between, the campaign's timeline, and short texts of those pages. Editors
// change them through the portal; every change is audited in its own transaction through
// Hooks.Audit. Visitors read them in their language; nothing a visitor does writes.
package sitedata

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"mitidportal/db"
	"mitidportal/fault"
)

// Limits of what editors write, in characters; the migration's checks say the same.
const (
	MaxName     = 200
	MaxQuestion = 200
	MaxAnswer   = 8000
	MaxURL      = 300
	MaxBlurb    = 500
	MaxText     = 8000
	// MaxQuery is the longest search a visitor may type; longer is refused, never cut silently.
	MaxQuery = 200
)

// Errors of this package; each carries the message ID a handler shows.
var (
	ErrNotFound         = fault.New("sitedata", fault.NotFound, "sitedata.err.not_found")
	ErrNameRequired     = fault.New("sitedata", fault.Invalid, "sitedata.err.name_required")
	ErrTooLong          = fault.New("sitedata", fault.Invalid, "sitedata.err.too_long")
	ErrQuestionRequired = fault.New("sitedata", fault.Invalid, "sitedata.err.question_required")
	ErrAnswerRequired   = fault.New("sitedata", fault.Invalid, "sitedata.err.answer_required")
	ErrCategoryInvalid  = fault.New("sitedata", fault.Invalid, "sitedata.err.category_invalid")
	ErrURLInvalid       = fault.New("sitedata", fault.Invalid, "sitedata.err.url_invalid")
	ErrAudienceInvalid  = fault.New("sitedata", fault.Invalid, "sitedata.err.audience_invalid")
	ErrMonthInvalid     = fault.New("sitedata", fault.Invalid, "sitedata.err.month_invalid")
	ErrMonthOrder       = fault.New("sitedata", fault.Invalid, "sitedata.err.month_order")
	ErrQueryTooLong     = fault.New("sitedata", fault.Invalid, "sitedata.err.query_too_long")
)

// Event actions, audited by the hook (app/sitedataaudit.go).
const (
	EventCategorySaved = "qa_category_saved"
	EventEntrySaved    = "qa_entry_saved"
	EventEntryShown    = "qa_entry_visibility"
	EventMoved         = "sitedata_moved"
	EventBrokerSaved   = "broker_saved"
	EventActivitySaved = "timeline_saved"
	EventActivityGone  = "timeline_deleted"
	EventTextSaved     = "site_text_saved"
)

// MessageIDs lists every message ID this package hands to handlers, for the locale test.
func MessageIDs() []string {
	ids := []string{}
	for _, e := range []*fault.Error{ErrNotFound, ErrNameRequired, ErrTooLong, ErrQuestionRequired,
		ErrAnswerRequired, ErrCategoryInvalid, ErrURLInvalid, ErrAudienceInvalid, ErrMonthInvalid,
		ErrMonthOrder, ErrQueryTooLong} {
		ids = append(ids, e.MsgID)
	}
	for _, a := range Audiences {
		ids = append(ids, a.MsgID())
	}
	return ids
}

// Event is an editor's change, audited inside its transaction. Subject is "qa_entry:12" and
// the like.
type Event struct {
	StaffID int64
	Action  string
	Subject string
	Detail  map[string]any
}

// Hooks are what the store tells the rest of the portal inside a change's transaction.
type Hooks struct {
	// Audit records an editor's change; without it every change is refused.
	Audit func(ctx context.Context, tx pgx.Tx, e Event) error
}

// Store reads and changes the structured content.
type Store struct {
	pool  *pgxpool.Pool
	hooks Hooks
	now   func() time.Time
}

// New returns the store.
func New(pool *pgxpool.Pool, hooks Hooks) *Store {
	return &Store{pool: pool, hooks: hooks, now: time.Now}
}

// SetClock sets the clock the store reads (the app's clock; tests move it).
func (s *Store) SetClock(now func() time.Time) { s.now = now }

// Now is the store's clock.
func (s *Store) Now() time.Time { return s.now() }

// change runs fn and audits e in one transaction; fn may fill e's subject and detail.
func (s *Store) change(ctx context.Context, staffID int64, e *Event, fn func(tx pgx.Tx) error) error {
	if s.hooks.Audit == nil {
		return errors.New("sitedata: no audit hook: editors' changes are refused")
	}
	return db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		e.StaffID = staffID
		return s.hooks.Audit(ctx, tx, *e)
	})
}

// text trims v and checks it against max characters; required names the error of an empty one.
func text(v string, max int, required *fault.Error) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" && required != nil {
		return v, required
	}
	if utf8.RuneCountInString(v) > max {
		return v, ErrTooLong
	}
	return v, nil
}

// movable are the lists an editor reorders: the table and the column that scopes its order.
var movable = map[string]string{"qa_category": "", "qa_entry": "category_id", "broker": ""}

// move swaps row id of table with its neighbour (delta -1 up, +1 down) within its scope and
// numbers the scope 1..n; at an end it changes nothing. An advisory lock per table orders
// concurrent moves, so two editors cannot interleave their renumbering.
func move(ctx context.Context, tx pgx.Tx, table string, id int64, delta int) error {
	scope, ok := movable[table]
	if !ok || (delta != -1 && delta != 1) {
		return ErrNotFound
	}
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext($1))`, "sitedata:"+table); err != nil {
		return fmt.Errorf("move: %w", err)
	}
	where := "true"
	if scope != "" {
		where = fmt.Sprintf("%s = (SELECT %s FROM %s WHERE id = $1)", scope, scope, table)
	}
	rows, err := tx.Query(ctx, fmt.Sprintf(`SELECT id FROM %s WHERE %s AND $1::bigint IS NOT NULL ORDER BY position, id`,
		table, where), id)
	if err != nil {
		return fmt.Errorf("move: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return fmt.Errorf("move: %w", err)
	}
	i := slices.Index(ids, id)
	if i < 0 {
		return ErrNotFound
	}
	if j := i + delta; j >= 0 && j < len(ids) {
		ids[i], ids[j] = ids[j], ids[i]
	}
	_, err = tx.Exec(ctx, fmt.Sprintf(`UPDATE %s SET position = o.n FROM unnest($1::bigint[]) WITH ORDINALITY AS o(id, n)
		WHERE %s.id = o.id`, table, table), ids)
	if err != nil {
		return fmt.Errorf("move: %w", err)
	}
	return nil
}

// Move moves a category, an entry (within its category) or a broker one place up or down.
func (s *Store) Move(ctx context.Context, staffID int64, table string, id int64, delta int) error {
	e := Event{Action: EventMoved, Subject: table + ":" + fmt.Sprint(id), Detail: map[string]any{"delta": delta}}
	return s.change(ctx, staffID, &e, func(tx pgx.Tx) error { return move(ctx, tx, table, id, delta) })
}

// notFound turns no rows into ErrNotFound.
func notFound(err error, what string) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return ErrNotFound
	}
	return fmt.Errorf("%s: %w", what, err)
}

// pick is the text of lang ("en" or anything else for Danish).
func pick(lang, da, en string) string {
	if lang == "en" {
		return en
	}
	return da
}
