package support

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Cases keeps support cases and their timelines. Every public method runs in one transaction,
// and every change of a case writes its timeline entry and recomputes the case's deadlines in
// that transaction. It is safe for concurrent use.
type Cases struct {
	pool     *pgxpool.Pool
	schedule Schedule
	now      func() time.Time
	newRef   func() (string, error)
	hooks    Hooks
	// cannedAudit audits changes of canned replies (WithCannedAudit).
	cannedAudit func(ctx context.Context, tx pgx.Tx, e CannedEvent) error
	lookup      LookupHook
	sizes       searchSizes // of a text search: defaultSearchSizes but in tests
}

// Option configures Cases.
type Option func(*Cases)

// WithClock sets the clock the store stamps cases and entries with and counts deadlines from;
// the default is time.Now. Tests move it across evenings, weekends and holidays.
func WithClock(now func() time.Time) Option { return func(c *Cases) { c.now = now } }

// NewCases returns the case store on pool, counting deadlines in schedule's opening hours.
func NewCases(pool *pgxpool.Pool, schedule Schedule, opts ...Option) *Cases {
	c := &Cases{pool: pool, schedule: schedule, now: time.Now, newRef: NewRef, sizes: defaultSearchSizes}
	for _, o := range opts {
		o(c)
	}
	return c
}

// Limits on what a case and an entry may hold, in characters.
const (
	MaxSubject = 200
	MaxBody    = 20000
	MaxName    = 200
)

// assignable is the condition on staff_user that a case's assignee meets: an agent or a
// supervisor whose account is not disabled. Opening, assigning, the assign select and the
// per-agent figures all use it.
const assignable = `disabled_at IS NULL AND roles && ARRAY['agent', 'supervisor']`

// checkAssignee refuses a member of staff who does not exist, is disabled or is neither agent
// nor supervisor.
func checkAssignee(ctx context.Context, tx pgx.Tx, staffID int64) error {
	var ok bool
	err := tx.QueryRow(ctx, `
		SELECT `+assignable+` FROM staff_user WHERE id = $1`, staffID).Scan(&ok)
	if errors.Is(err, pgx.ErrNoRows) || err == nil && !ok {
		return ErrAssigneeInvalid
	}
	if err != nil {
		return fmt.Errorf("check assignee: %w", err)
	}
	return nil
}

// Get returns the case with that id, or ErrNotFound.
func (s *Cases) Get(ctx context.Context, id int64) (Case, error) {
	return getCase(ctx, s.pool, `id = $1`, id)
}

// ByRef returns the case with a reference code as a person typed or dictated it
// (NormalizeRef), or ErrNotFound.
func (s *Cases) ByRef(ctx context.Context, ref string) (Case, error) {
	ref, ok := NormalizeRef(ref)
	if !ok {
		return Case{}, ErrNotFound
	}
	return getCase(ctx, s.pool, `ref = $1`, ref)
}

// ByMessageID returns the case a mail belongs to: the one whose timeline has a reply or
// message with that Message-ID (an incoming mail's In-Reply-To), or ErrNotFound.
func (s *Cases) ByMessageID(ctx context.Context, messageID string) (Case, error) {
	return getCase(ctx, s.pool, `id = (SELECT case_id FROM support_entry WHERE message_id = $1)`, messageID)
}

// ForCitizen returns the cases of a MitID, newest first (at most 200), for "my cases" and the
// citizen card.
func (s *Cases) ForCitizen(ctx context.Context, mitidID int64) ([]Case, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT `+caseColumns+` FROM support_case WHERE mitid_id = $1 ORDER BY id DESC LIMIT 200`, mitidID)
	if err != nil {
		return nil, fmt.Errorf("cases of citizen: %w", err)
	}
	return pgx.CollectRows(rows, collectCase)
}

// querier is a pool or a transaction.
type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// caseColumns are read by scanCase in this order.
const caseColumns = `id, ref, channel, system, category, priority, status, coalesce(assignee_id, 0),
	tags, coalesce(mitid_id, 0), contact_name, contact_email, contact_phone, lang, subject,
	created_at, updated_at, version, first_response_at, first_response_due, first_response_warn,
	first_response_left, resolved_at, resolution_due, resolution_warn, resolution_left, next_due, unread_since`

func getCase(ctx context.Context, q querier, where string, arg any) (Case, error) {
	c, err := scanCase(q.QueryRow(ctx, `SELECT `+caseColumns+` FROM support_case WHERE `+where, arg))
	if errors.Is(err, pgx.ErrNoRows) {
		return Case{}, ErrNotFound
	}
	return c, err
}

// lockCase reads a case for a change, holding its row lock until the transaction ends.
func lockCase(ctx context.Context, tx pgx.Tx, id int64) (Case, error) {
	c, err := scanCase(tx.QueryRow(ctx, `SELECT `+caseColumns+` FROM support_case WHERE id = $1 FOR UPDATE`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return Case{}, ErrNotFound
	}
	return c, err
}

func collectCase(row pgx.CollectableRow) (Case, error) { return scanCase(row) }

func scanCase(row pgx.Row) (Case, error) {
	var (
		c                                        Case
		frAt, frDue, frWarn, resAt, resDue, resW *time.Time
		next, unread                             *time.Time
		frLeft, resLeft                          *time.Duration
	)
	err := row.Scan(&c.ID, &c.Ref, &c.Channel, &c.System, &c.Category, &c.Priority, &c.Status,
		&c.AssigneeID, &c.Tags, &c.MitIDID, &c.Name, &c.Email, &c.Phone, &c.Lang, &c.Subject,
		&c.CreatedAt, &c.UpdatedAt, &c.Version, &frAt, &frDue, &frWarn, &frLeft, &resAt, &resDue,
		&resW, &resLeft, &next, &unread)
	if err != nil {
		return Case{}, err
	}
	span := TargetsFor(c.Priority)
	c.FirstResponse = storedDeadline(span.FirstResponse, frDue, frWarn, frLeft, frAt)
	c.Resolution = storedDeadline(span.Resolution, resDue, resW, resLeft, resAt)
	if next != nil {
		c.NextDue = *next
	}
	if unread != nil {
		c.UnreadSince = *unread
	}
	return c, nil
}

func storedDeadline(span time.Duration, due, warn *time.Time, left *time.Duration, met *time.Time) Deadline {
	d := Deadline{Span: span}
	if due != nil {
		d.Due = *due
	}
	if warn != nil {
		d.Warn = *warn
	}
	if left != nil {
		d.Left = *left
	}
	if met != nil {
		d.Met = *met
	}
	return d
}

func nullID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func foreignKey(err error, constraint string) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23503" && pgErr.ConstraintName == constraint
}
