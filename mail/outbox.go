// Package mail is the portal's durable e-mail outbox. A mail is stored in PostgreSQL in the same
// transaction as the change it reports, together with a job-queue job, and a worker delivers it
// over SMTP with retries: a mail exists exactly when its change commits, and nothing is lost
// while the mail server is down.
package mail

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"mitidportal/db"
)

// ErrInvalidAddress is returned by Enqueue when the recipient is not a valid e-mail address.
var ErrInvalidAddress = errors.New("invalid e-mail address")

// ErrInvalidMessage is returned by Enqueue when a Message misses a required field or carries a
// malformed header value; it is a programming error, not user input.
var ErrInvalidMessage = errors.New("invalid mail message")

// Message is a mail to be sent. To, Subject, Text and Kind are required; HTML, InReplyTo and
// Secret are optional.
type Message struct {
	// To is one recipient. A display name ("Name <a@b.dk>") is accepted and dropped.
	To      string
	Subject string
	// Text is the text/plain body; every mail has one, so every client can read it.
	Text string
	// HTML, when set, is sent as an alternative to Text.
	HTML string
	// Kind names what the mail reports, e.g. "notification.password_changed".
	Kind string
	// InReplyTo is the MessageID (with angle brackets) of the mail this one answers, so mail
	// clients show a conversation as one thread.
	InReplyTo string
	// Secret says that the body carries a secret: an activation code, a confirmation or
	// enrolment link, a temporary password. Such a body is hashed nowhere else, so the outbox
	// replaces it with RemovedNotice once the mail is delivered or has failed for good. The
	// subject is kept, so it must never hold the secret.
	Secret bool
	// ListUnsubscribe, when set, is the https URL of a one-click unsubscribe (RFC 8058): the
	// mail gets List-Unsubscribe: <URL> and List-Unsubscribe-Post: List-Unsubscribe=One-Click,
	// so mail clients offer an unsubscribe button that POSTs to it.
	ListUnsubscribe string
}

// RemovedNotice replaces the text and HTML bodies of a secret mail after delivery.
const RemovedNotice = "[removed after delivery]"

// Outbox stores mails for delivery. It is safe for concurrent use.
type Outbox struct {
	client *river.Client[pgx.Tx]
	domain string
}

// NewOutbox returns an Outbox that inserts delivery jobs with client and generates Message-IDs
// in domain (the portal's host name). The client needs the workers from AddWorkers.
func NewOutbox(client *river.Client[pgx.Tx], domain string) *Outbox {
	if domain == "" {
		domain = "localhost"
	}
	return &Outbox{client: client, domain: domain}
}

// Enqueue stores m and its delivery job in tx and returns the row id. Because both are written
// in the caller's transaction, the mail is sent if and only if the caller commits.
func (o *Outbox) Enqueue(ctx context.Context, tx pgx.Tx, m Message) (int64, error) {
	id, _, err := o.EnqueueThreaded(ctx, tx, m)
	return id, err
}

// EnqueueThreaded is Enqueue that also returns the mail's Message-ID (with angle brackets), so
// the caller can record it in the same transaction and thread the answer to it (a reply from
// support on a case, and the citizen's reply back).
func (o *Outbox) EnqueueThreaded(ctx context.Context, tx pgx.Tx, m Message) (int64, string, error) {
	return o.EnqueueThreadedWith(ctx, tx, m, nil)
}

// EnqueueThreadedWith is EnqueueThreaded that sends what also queues, made from the new mail's
// Message-ID, to PostgreSQL together with the mail's row: a caller that records the Message-ID
// (a case's receipt) waits for the database once less.
func (o *Outbox) EnqueueThreadedWith(ctx context.Context, tx pgx.Tx, m Message, also func(b *pgx.Batch, messageID string)) (int64, string, error) {
	to, err := validate(m)
	if err != nil {
		return 0, "", err
	}
	var html, inReplyTo, unsubscribe *string
	if m.HTML != "" {
		html = &m.HTML
	}
	if m.InReplyTo != "" {
		inReplyTo = &m.InReplyTo
	}
	if m.ListUnsubscribe != "" {
		unsubscribe = &m.ListUnsubscribe
	}
	var id int64
	msgID := o.newMessageID()
	b := &pgx.Batch{}
	b.Queue(`
		INSERT INTO mail_outbox (to_address, subject, text_body, html_body, kind, message_id, in_reply_to, secret, list_unsubscribe)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		RETURNING id`,
		to, m.Subject, m.Text, html, m.Kind, msgID, inReplyTo, m.Secret, unsubscribe).QueryRow(func(row pgx.Row) error {
		return row.Scan(&id)
	})
	if also != nil {
		also(b, msgID)
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return 0, "", fmt.Errorf("store mail %s: %w", m.Kind, err)
	}
	if _, err := o.client.InsertTx(ctx, tx, sendArgs{ID: id}, nil); err != nil {
		return 0, "", fmt.Errorf("queue mail %d: %w", id, err)
	}
	return id, msgID, nil
}

// Send stores m in a transaction of its own, for mails that report no other change (a test
// mail, a reminder). When the mail reports a change, use Enqueue in that change's transaction.
func (o *Outbox) Send(ctx context.Context, pool *pgxpool.Pool, m Message) (int64, error) {
	var id int64
	err := db.Transact(ctx, pool, func(tx pgx.Tx) error {
		var err error
		id, err = o.Enqueue(ctx, tx, m)
		return err
	})
	return id, err
}

// messageIDPattern is a conservative Message-ID: angle brackets around a left and right part
// without spaces, brackets or line breaks, so it cannot inject a header.
var messageIDPattern = regexp.MustCompile(`^<[^<>@\s]+@[^<>@\s]+>$`)

// unsubscribePattern is an http(s) URL without spaces, brackets or commas, so that it fits in
// List-Unsubscribe's angle brackets and cannot inject a header. RFC 8058 wants https; plain
// http is let through for a portal run on localhost in development and tests.
var unsubscribePattern = regexp.MustCompile(`^https?://[^\s<>,]+$`)

// validate checks m and returns the bare recipient address.
func validate(m Message) (string, error) {
	addr, err := mail.ParseAddress(strings.TrimSpace(m.To))
	if err != nil {
		// The address itself stays out of the error: errors end up in logs.
		return "", fmt.Errorf("mail recipient: %w", ErrInvalidAddress)
	}
	switch {
	case m.Kind == "":
		return "", fmt.Errorf("%w: no kind", ErrInvalidMessage)
	case strings.TrimSpace(m.Subject) == "" || strings.ContainsAny(m.Subject, "\r\n"):
		return "", fmt.Errorf("%w: subject is empty or has a line break (kind %s)", ErrInvalidMessage, m.Kind)
	case m.Text == "":
		return "", fmt.Errorf("%w: no text body (kind %s)", ErrInvalidMessage, m.Kind)
	case m.InReplyTo != "" && !messageIDPattern.MatchString(m.InReplyTo):
		return "", fmt.Errorf("%w: InReplyTo is not a <id@domain> Message-ID (kind %s)", ErrInvalidMessage, m.Kind)
	case m.ListUnsubscribe != "" && !unsubscribePattern.MatchString(m.ListUnsubscribe):
		return "", fmt.Errorf("%w: ListUnsubscribe is not an http(s) URL (kind %s)", ErrInvalidMessage, m.Kind)
	}
	return addr.Address, nil
}

// newMessageID returns "<random@domain>". It is made here rather than by the SMTP library so
// that it is known (and stored) before delivery, and stays the same across retries.
func (o *Outbox) newMessageID() string {
	return "<" + strings.ToLower(rand.Text()) + "@" + o.domain + ">"
}
