// Package newsletter is the campaign's newsletter (DESIGN.md §6): double opt-in subscriptions
// by e-mail address and language, one-click unsubscribe (RFC 8058), issues written by campaign
// editors in Markdown, and a batched send that resumes after a crash without mailing anyone
// twice. It owns its rules and SQL; app/ wires its hooks to the outbox and the audit log.
package newsletter

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"mitidportal/fault"
)

// Limits and timings.
const (
	// PendingLifetime is how long a confirmation link works; the job deletes subscriptions
	// never confirmed after that.
	PendingLifetime = 7 * 24 * time.Hour
	// MaxSubject is the longest subject, in characters.
	MaxSubject = 200
	// MaxEmail is the longest address (RFC 5321's path limit).
	MaxEmail = 254
	// Batch is how many recipients one transaction of a send takes: their delivery rows and
	// mails commit together, so a crash loses at most one batch's work, which the next run
	// redoes.
	Batch = 200
)

// Subscribing and asking for an unsubscribe link are counted per client address and per
// address typed: Limit in Window under the throttle purpose ThrottleSubscribe (app/ adds the
// rule), so that nobody can mail an address again and again.
const (
	ThrottleSubscribe = "newsletter"
	Limit             = 5
	Window            = time.Hour
)

// Errors of this package; each carries the message ID a handler shows.
var (
	ErrEmailInvalid    = fault.New("newsletter", fault.Invalid, "newsletter.err.email_invalid")
	ErrLangInvalid     = fault.New("newsletter", fault.Invalid, "newsletter.err.lang_invalid")
	ErrTokenInvalid    = fault.New("newsletter", fault.NotFound, "newsletter.err.token_invalid")
	ErrSubjectRequired = fault.New("newsletter", fault.Invalid, "newsletter.err.subject_required")
	ErrSubjectTooLong  = fault.New("newsletter", fault.Invalid, "newsletter.err.subject_too_long")
	ErrBodyRequired    = fault.New("newsletter", fault.Invalid, "newsletter.err.body_required")
	ErrBodyTooLong     = fault.New("newsletter", fault.Invalid, "newsletter.err.body_too_long")
	ErrNotDraft        = fault.New("newsletter", fault.Conflict, "newsletter.err.not_draft")
	ErrNotFound        = fault.New("newsletter", fault.NotFound, "newsletter.err.not_found")
)

// MessageIDs lists the message IDs the package hands to handlers, for the locale test.
func MessageIDs() []string {
	var ids []string
	for _, e := range []*fault.Error{ErrEmailInvalid, ErrLangInvalid, ErrTokenInvalid, ErrSubjectRequired,
		ErrSubjectTooLong, ErrBodyRequired, ErrBodyTooLong, ErrNotDraft, ErrNotFound} {
		ids = append(ids, e.MsgID)
	}
	for _, s := range []Status{Draft, Sending, Sent} {
		ids = append(ids, s.MsgID())
	}
	return ids
}

// Audited actions of editors (audit/audit.go names them too).
const (
	EventIssueCreated = "newsletter_issue_created"
	EventIssueUpdated = "newsletter_issue_updated"
	EventIssueSent    = "newsletter_issue_sent"
)

// Event is an editor's change of an issue, audited in its transaction.
type Event struct {
	StaffID int64
	Action  string
	IssueID int64
	Detail  map[string]any
}

// Mail kinds handed to Hooks.Mail.
const (
	MailConfirm     = "confirm"     // the confirmation link of a new subscription
	MailAlready     = "already"     // a subscribe for an address already active: its unsubscribe link
	MailUnsubscribe = "unsubscribe" // the unsubscribe link asked for on the page
)

// Mail is a mail about a subscription, in the subscriber's language. Token is the
// confirmation token (MailConfirm) or the unsubscribe token; this is the only place a
// confirmation token exists in clear.
type Mail struct {
	Kind    string
	Email   string
	Lang    string
	Token   string
	Expires time.Time
}

// IssueMail is one issue to one subscriber, in their language.
type IssueMail struct {
	IssueID      int64
	SubscriberID int64
	Email        string
	Lang         string
	Subject      string
	Body         string // Markdown
	Unsubscribe  string // the token of the one-click unsubscribe link
}

// Hooks are what the package hands the rest of the portal, each inside the transaction of the
// change (a failing hook rolls it back). app/ wires them; nil hooks do nothing.
type Hooks struct {
	Audit func(ctx context.Context, tx pgx.Tx, e Event) error
	Mail  func(ctx context.Context, tx pgx.Tx, m Mail) error
	Issue func(ctx context.Context, tx pgx.Tx, m IssueMail) error
	// Queue starts the send job of an issue now (the periodic job would pick it up anyway).
	Queue func(ctx context.Context, tx pgx.Tx, issueID int64) error
	// Compose renders an issue mail as it is sent; Preview shows it to the editor.
	Compose func(m IssueMail) Rendered
}

// Rendered is an issue mail as sent: its subject, HTML document and text part, and the
// unsubscribe URL. Content is the HTML document's body, for a preview inside a page.
type Rendered struct {
	Subject, HTML, Content, Text, Unsubscribe string
}

// Throttle counts attempts per purpose and key (identity.AddressThrottle).
type Throttle interface {
	Take(ctx context.Context, purpose, key string) error
}

// Newsletter reads and writes subscribers and issues.
type Newsletter struct {
	pool     *pgxpool.Pool
	hooks    Hooks
	key      []byte
	throttle Throttle
	now      func() time.Time
}

// New returns a Newsletter on pool that signs unsubscribe links with a key derived from key
// (at least 32 bytes) and counts subscriptions on throttle (nil: not counted).
func New(pool *pgxpool.Pool, key []byte, throttle Throttle, hooks Hooks) (*Newsletter, error) {
	if len(key) < 32 {
		return nil, errors.New("newsletter: the unsubscribe key needs at least 32 bytes")
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("mitidportal newsletter unsubscribe"))
	return &Newsletter{pool: pool, hooks: hooks, key: mac.Sum(nil), throttle: throttle, now: time.Now}, nil
}

// SetClock replaces the clock (tests move time past a link's expiry).
func (n *Newsletter) SetClock(now func() time.Time) { n.now = now }

func (n *Newsletter) audit(ctx context.Context, tx pgx.Tx, e Event) error {
	if n.hooks.Audit == nil {
		return nil
	}
	return n.hooks.Audit(ctx, tx, e)
}

func (n *Newsletter) mail(ctx context.Context, tx pgx.Tx, m Mail) error {
	if n.hooks.Mail == nil {
		return nil
	}
	return n.hooks.Mail(ctx, tx, m)
}
