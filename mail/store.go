package mail

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"mitidportal/fault"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// ErrNotFound is returned when no stored mail has the requested id.
var ErrNotFound = fault.New("mail", fault.NotFound, "mail.err.not_found")

// Stored is a mail in the outbox with its delivery state.
type Stored struct {
	ID        int64
	To        string
	Subject   string
	Text      string
	HTML      string // "" when the mail has no HTML alternative
	Kind      string
	MessageID string // with angle brackets
	InReplyTo string // "" when the mail answers none
	CreatedAt time.Time
	SentAt    *time.Time // nil until the SMTP server accepted the mail
	Attempts  int
	LastError string // "" when no attempt has failed, or the last one succeeded
	// Secret marks a body that is replaced by RemovedNotice after delivery.
	Secret bool
	// ListUnsubscribe is the one-click unsubscribe URL, "" for none.
	ListUnsubscribe string
}

// storedColumns reads the nullable columns as "" so that Stored needs no pointers for them.
const storedColumns = `id, to_address, subject, text_body, coalesce(html_body, ''), kind, message_id,
	coalesce(in_reply_to, ''), created_at, sent_at, attempts, coalesce(last_error, ''), secret,
	coalesce(list_unsubscribe, '')`

func scanStored(row pgx.CollectableRow) (Stored, error) {
	var s Stored
	err := row.Scan(&s.ID, &s.To, &s.Subject, &s.Text, &s.HTML, &s.Kind, &s.MessageID,
		&s.InReplyTo, &s.CreatedAt, &s.SentAt, &s.Attempts, &s.LastError, &s.Secret, &s.ListUnsubscribe)
	return s, err
}

// Get returns the stored mail with id, or ErrNotFound.
func Get(ctx context.Context, pool *pgxpool.Pool, id int64) (Stored, error) {
	rows, _ := pool.Query(ctx, `SELECT `+storedColumns+` FROM mail_outbox WHERE id = $1`, id)
	s, err := pgx.CollectExactlyOneRow(rows, scanStored)
	if errors.Is(err, pgx.ErrNoRows) {
		return Stored{}, fmt.Errorf("mail %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Stored{}, fmt.Errorf("get mail %d: %w", id, err)
	}
	return s, nil
}

// Recent returns up to limit stored mails, newest first, for the demo mail view and tests. A
// non-empty to keeps only mails to that address (compared without regard to case); limit is
// clamped to 1..500 and defaults to 50.
func Recent(ctx context.Context, pool *pgxpool.Pool, to string, limit int) ([]Stored, error) {
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 500)
	var rows pgx.Rows
	if to == "" {
		rows, _ = pool.Query(ctx, `SELECT `+storedColumns+` FROM mail_outbox ORDER BY id DESC LIMIT $1`, limit)
	} else {
		rows, _ = pool.Query(ctx, `SELECT `+storedColumns+` FROM mail_outbox
			WHERE lower(to_address) = lower($1) ORDER BY id DESC LIMIT $2`, to, limit)
	}
	mails, err := pgx.CollectRows(rows, scanStored)
	if err != nil {
		return nil, fmt.Errorf("recent mails: %w", err)
	}
	return mails, nil
}

// blankSecret are the SET items that replace a secret mail's bodies with RemovedNotice (which
// holds no quote); markSent and markFailed put them in the statement that records the outcome,
// so there is no moment in which the mail is done and its secret still stored.
const blankSecret = `text_body = CASE WHEN secret THEN '` + RemovedNotice + `' ELSE text_body END,
	html_body = CASE WHEN secret AND html_body IS NOT NULL THEN '` + RemovedNotice + `' ELSE html_body END`

// markSent records a successful delivery, clears the error of an earlier failed attempt and
// blanks a secret body. The sent_at IS NULL guard keeps the first delivery time if a rescued
// duplicate job also got through.
func markSent(ctx context.Context, pool *pgxpool.Pool, id int64) error {
	_, err := pool.Exec(ctx, `UPDATE mail_outbox SET sent_at = now(), attempts = attempts + 1,
		last_error = NULL, `+blankSecret+`
		WHERE id = $1 AND sent_at IS NULL`, id)
	if err != nil {
		return fmt.Errorf("mark mail %d sent: %w", id, err)
	}
	return nil
}

// maxErrorLen bounds last_error: enough for an SMTP reply line, too little to hold a body.
const maxErrorLen = 300

// markFailed records a failed attempt with msg, which must already be free of secrets. final
// says no attempt follows: a secret body is blanked then, since nothing will send it any more.
func markFailed(ctx context.Context, pool *pgxpool.Pool, id int64, msg string, final bool) error {
	if len(msg) > maxErrorLen {
		msg = msg[:maxErrorLen]
	}
	// An SMTP reply is bytes from a foreign server; PostgreSQL text takes neither NUL nor
	// invalid UTF-8 (which the cut above may also have made).
	msg = strings.ToValidUTF8(strings.ReplaceAll(msg, "\x00", ""), "")
	query := `UPDATE mail_outbox SET attempts = attempts + 1, last_error = $2 WHERE id = $1`
	if final {
		query = `UPDATE mail_outbox SET attempts = attempts + 1, last_error = $2, ` + blankSecret + `
			WHERE id = $1`
	}
	_, err := pool.Exec(ctx, query, id, msg)
	if err != nil {
		return fmt.Errorf("mark mail %d failed: %w", id, err)
	}
	return nil
}

// Archive reads what the outbox holds, for the demo mailbox (when no demo mail server runs).
type Archive struct{ pool *pgxpool.Pool }

// NewArchive returns an Archive on pool.
func NewArchive(pool *pgxpool.Pool) *Archive { return &Archive{pool: pool} }

// Recent is Recent on the archive's pool.
func (a *Archive) Recent(ctx context.Context, to string, limit int) ([]Stored, error) {
	return Recent(ctx, a.pool, to, limit)
}
