// Package jobqueue reads the state of the background work for operators: River's job queue
// (river_job) by queue and kind, its latest failures, and the mail outbox's backlog. It only
// reads; River and package mail own the rows.
package jobqueue

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// FailureLimit is how many of the latest failures Overview returns.
const FailureLimit = 20

// errorTextMax bounds the error text shown per failure: a worker's error is a line, and a long
// one (a wrapped SMTP transcript) must not make the page unreadable.
const errorTextMax = 300

// Counts are the jobs of one queue and kind in each state an operator watches. Completed and
// cancelled jobs are left out: they are done, and River deletes them after a while.
type Counts struct {
	Queue, Kind                                       string
	Available, Scheduled, Running, Retryable, Discard int64
	// OldestWaiting is when the oldest available job became due (nil when none waits): its
	// age says how far the workers are behind.
	OldestWaiting *time.Time
}

// Failure is a job whose latest attempt failed: retried later (NextAttempt set) or given up
// (discarded).
type Failure struct {
	ID          int64
	Queue, Kind string
	State       string
	Attempts    int
	MaxAttempts int
	// Error is the latest error's text, cut to a readable length.
	Error string
	// At is when the latest attempt failed.
	At time.Time
	// NextAttempt is when River tries again; nil for a discarded job.
	NextAttempt *time.Time
}

// Outbox is the mail outbox's backlog: mails not yet accepted by the mail server (waiting,
// retrying or failed for good).
type Outbox struct {
	Unsent int64
	// OldestUnsent is when the oldest unsent mail was written; nil when none waits.
	OldestUnsent *time.Time
}

// Overview is what the operator's page shows.
type Overview struct {
	Counts   []Counts
	Failures []Failure
	Outbox   Outbox
}

// Reader reads the overview from the database.
type Reader struct {
	pool *pgxpool.Pool
}

// NewReader returns a Reader over pool.
func NewReader(pool *pgxpool.Pool) *Reader { return &Reader{pool: pool} }

// Overview reads the counts, the latest failures and the outbox's backlog; now decides which
// available jobs are already due.
func (r *Reader) Overview(ctx context.Context, now time.Time) (Overview, error) {
	var o Overview
	var err error
	if o.Counts, err = r.counts(ctx, now); err != nil {
		return o, err
	}
	if o.Failures, err = r.failures(ctx); err != nil {
		return o, err
	}
	err = r.pool.QueryRow(ctx, `SELECT count(*), min(created_at) FROM mail_outbox WHERE sent_at IS NULL`).
		Scan(&o.Outbox.Unsent, &o.Outbox.OldestUnsent)
	if err != nil {
		return o, fmt.Errorf("outbox backlog: %w", err)
	}
	return o, nil
}

func (r *Reader) counts(ctx context.Context, now time.Time) ([]Counts, error) {
	// The state filter keeps the scan to unfinished and discarded jobs (River's state index).
	rows, err := r.pool.Query(ctx, `
		SELECT queue, kind,
			count(*) FILTER (WHERE state = 'available'),
			count(*) FILTER (WHERE state = 'scheduled'),
			count(*) FILTER (WHERE state = 'running'),
			count(*) FILTER (WHERE state = 'retryable'),
			count(*) FILTER (WHERE state = 'discarded'),
			min(scheduled_at) FILTER (WHERE state = 'available' AND scheduled_at <= $1)
		FROM river_job
		WHERE state IN ('available', 'scheduled', 'running', 'retryable', 'discarded')
		GROUP BY queue, kind
		ORDER BY queue, kind`, now)
	if err != nil {
		return nil, fmt.Errorf("job counts: %w", err)
	}
	cs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Counts, error) {
		var c Counts
		err := row.Scan(&c.Queue, &c.Kind, &c.Available, &c.Scheduled, &c.Running, &c.Retryable, &c.Discard,
			&c.OldestWaiting)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("job counts: %w", err)
	}
	return cs, nil
}

func (r *Reader) failures(ctx context.Context) ([]Failure, error) {
	// errors is River's jsonb[] of attempts' errors, oldest first: the last element is the
	// latest failure.
	rows, err := r.pool.Query(ctx, `
		SELECT id, queue, kind, state::text, attempt, max_attempts,
			coalesce(errors[array_length(errors, 1)]->>'error', ''),
			coalesce((errors[array_length(errors, 1)]->>'at')::timestamptz, attempted_at, created_at),
			CASE WHEN state = 'retryable' THEN scheduled_at END
		FROM river_job
		WHERE state IN ('retryable', 'discarded')
		ORDER BY coalesce(finalized_at, attempted_at, created_at) DESC, id DESC
		LIMIT $1`, FailureLimit)
	if err != nil {
		return nil, fmt.Errorf("job failures: %w", err)
	}
	fs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Failure, error) {
		var f Failure
		err := row.Scan(&f.ID, &f.Queue, &f.Kind, &f.State, &f.Attempts, &f.MaxAttempts, &f.Error, &f.At,
			&f.NextAttempt)
		f.Error = cut(f.Error, errorTextMax)
		return f, err
	})
	if err != nil {
		return nil, fmt.Errorf("job failures: %w", err)
	}
	return fs, nil
}

// cut shortens s to at most n runes, marking the cut with an ellipsis.
func cut(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
