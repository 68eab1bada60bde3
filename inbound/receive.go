package inbound

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"mitidportal/blob"
	"mitidportal/fault"
	"mitidportal/support"
)

// ErrNoCase: the mail names no case, neither by In-Reply-To nor by [REF] in the subject. Receive
// opens a new case then; caseOf reports it.
var ErrNoCase = fault.New("inbound", fault.NotFound, "inbound.err.no_case")

// ReceiptOf returns the Message-ID of a case's receipt mail, or "" when it had none (a case
// opened by an agent): the first reply from support threads on it.
func ReceiptOf(ctx context.Context, q interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}, caseID int64) (string, error) {
	var id string
	err := q.QueryRow(ctx, `SELECT message_id FROM contact_receipt WHERE case_id = $1 ORDER BY message_id LIMIT 1`, caseID).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("receipt of case %d: %w", caseID, err)
	}
	return id, nil
}

// RecordReceipt records the Message-ID of a case's receipt mail in the caller's transaction
// (the one that queues the mail), so the citizen's answer to it finds the case.
func RecordReceipt(ctx context.Context, tx pgx.Tx, messageID string, caseID int64) error {
	_, err := tx.Exec(ctx, recordReceipt, messageID, caseID)
	if err != nil {
		return fmt.Errorf("record receipt: %w", err)
	}
	return nil
}

const recordReceipt = `INSERT INTO contact_receipt (message_id, case_id) VALUES ($1, $2)`

// QueueReceipt queues RecordReceipt's statement on b, to be sent with the receipt mail's row
// (mail.Outbox.EnqueueThreadedWith).
func QueueReceipt(b *pgx.Batch, messageID string, caseID int64) {
	b.Queue(recordReceipt, messageID, caseID)
}

// Mail is an incoming mail as Receive needs it.
type Mail struct {
	// From is the sender's address (the From header).
	From string
	// MessageID is the mail's own Message-ID; a mail delivered twice is recorded once.
	MessageID string
	// InReplyTo and References name the mails it answers.
	InReplyTo  string
	References []string
	Subject    string
	// Body is the text the citizen wrote, quoted text removed.
	Body string
	// Bounce is set for a mail with an empty envelope sender (MAIL FROM:<>): a delivery report.
	Bounce bool
	// AutoSubmitted, Precedence and Lang are the headers of those names (Lang:
	// Content-Language).
	AutoSubmitted, Precedence, Lang string
	// Attachments are the files kept (in the blob store); Refused the files that were not.
	Attachments []support.NewAttachment
	Refused     []Refusal
}

// Machine reports whether m was sent by a machine (an auto-reply, a bounce, a list), which is
// never answered: two auto-responders must not mail each other for ever (RFC 3834).
func (m Mail) Machine() bool {
	auto := strings.ToLower(strings.TrimSpace(strings.SplitN(m.AutoSubmitted, ";", 2)[0]))
	prec := strings.ToLower(strings.TrimSpace(m.Precedence))
	local := strings.ToLower(m.From)
	if a, err := mail.ParseAddress(m.From); err == nil {
		local, _, _ = strings.Cut(strings.ToLower(a.Address), "@")
	}
	return m.Bounce || (auto != "" && auto != "no") || prec == "bulk" || prec == "list" || prec == "junk" ||
		local == "mailer-daemon" || local == "postmaster"
}

// Receipt limits: a sender gets at most ReceiptLimit receipts in ReceiptWindow, so that nobody
// can make the desk mail an address (their own or a victim's, forged as the sender) again and
// again. The mails are kept as cases all the same.
const (
	ThrottleReceipt = "mail-receipt"
	ReceiptLimit    = 5
	ReceiptWindow   = time.Hour
)

// Throttle counts an attempt before the work it guards and refuses one over the bound with a
// fault.Throttled error, in one statement (identity.AddressThrottle).
type Throttle interface {
	Take(ctx context.Context, purpose, key string) error
}

// ReceiptFunc queues the receipt of case c, opened by a mail with Message-ID inReplyTo, in the
// transaction that opens it, threaded on that mail and recorded with RecordReceipt.
type ReceiptFunc func(ctx context.Context, tx pgx.Tx, c support.Case, inReplyTo string) error

// Receiver puts mails on their cases, or opens cases for them.
type Receiver struct {
	pool     *pgxpool.Pool
	cases    *support.Cases
	blobs    blob.Store
	throttle Throttle
	receipt  ReceiptFunc
}

// Option configures a Receiver.
type Option func(*Receiver)

// WithFiles keeps attachments in blobs; without it every attachment is refused (with a note).
func WithFiles(blobs blob.Store) Option { return func(r *Receiver) { r.blobs = blobs } }

// WithReceipts sends the receipt of a case opened by mail, at most ReceiptLimit per sender in
// ReceiptWindow counted on t (purpose ThrottleReceipt); without it no receipt is sent.
func WithReceipts(t Throttle, send ReceiptFunc) Option {
	return func(r *Receiver) { r.throttle, r.receipt = t, send }
}

// NewReceiver returns a Receiver for the cases in pool.
func NewReceiver(pool *pgxpool.Pool, cases *support.Cases, opts ...Option) *Receiver {
	r := &Receiver{pool: pool, cases: cases}
	for _, o := range opts {
		o(r)
	}
	return r
}

// Read reads a raw mail, storing its files (parse.go).
func (r *Receiver) Read(ctx context.Context, raw io.Reader) (Mail, error) {
	return readMail(ctx, raw, r.blobs)
}

// refInSubject is a reference code in brackets, as the portal's mails put it in the subject.
var refInSubject = regexp.MustCompile(`\[([A-Za-z]{6})\]`)

// Receive finds the case m answers, by In-Reply-To or References (a reply or receipt of the
// case) or else by "[REF]" in the subject, and adds m's text as a message from the citizen
// (which reopens a case waiting for them and marks it unread). A mail that names no case opens
// a new one (with a receipt); so does a mail from another address than the case's contact, or
// on a closed case, with a note naming the case it referred to: nothing is lost and nobody
// writes on another's case. A mail delivered twice is recorded once. Files refused are noted
// on the timeline. A support error when the mail cannot be a case (no usable sender).
func (r *Receiver) Receive(ctx context.Context, m Mail) (support.Case, error) {
	msgID := strings.TrimSpace(m.MessageID)
	if !messageIDPattern.MatchString(msgID) {
		msgID = "" // recorded without one rather than refused
	}
	m.MessageID = msgID
	if msgID != "" {
		// Delivered before: nothing more to do (the case may be one this mail opened).
		if c, err := r.cases.ByMessageID(ctx, msgID); err == nil {
			return c, nil
		} else if !errors.Is(err, support.ErrNotFound) {
			return support.Case{}, err
		}
	}
	c, err := r.caseOf(ctx, m)
	if errors.Is(err, ErrNoCase) {
		return r.open(ctx, m, nil)
	}
	if err != nil {
		return c, err
	}
	// A case merged into another is closed, but what is written to it belongs on the survivor
	// (support.Cases.AddMessage takes it there); the sender is checked against the case the
	// mail answers.
	open := c
	if s, err := r.cases.MergedInto(ctx, c.ID); err == nil {
		open = s
	} else if !errors.Is(err, support.ErrNotFound) {
		return c, err
	}
	from, err := mail.ParseAddress(m.From)
	if err != nil || c.Email == "" || !strings.EqualFold(from.Address, c.Email) || open.Status == support.StatusClosed {
		return r.open(ctx, m, &c)
	}
	body := m.Body
	if body == "" {
		body = filesOnly(m)
	}
	e, err := r.cases.AddMessage(ctx, support.NewMessage{CaseID: c.ID, Body: body, MessageID: msgID,
		Attachments: m.Attachments})
	if errors.Is(err, support.ErrClosed) { // closed in the meantime
		return r.open(ctx, m, &c)
	}
	if err != nil {
		return c, err
	}
	return c, r.noteRefused(ctx, e.CaseID, m)
}

// messageIDPattern is the Message-ID form support accepts.
var messageIDPattern = regexp.MustCompile(`^<[^<>@\s]+@[^<>@\s]+>$`)

func (r *Receiver) caseOf(ctx context.Context, m Mail) (support.Case, error) {
	for _, id := range append([]string{m.InReplyTo}, m.References...) {
		id = strings.TrimSpace(id)
		if !messageIDPattern.MatchString(id) {
			continue
		}
		c, err := r.cases.ByMessageID(ctx, id)
		if err == nil || !errors.Is(err, support.ErrNotFound) {
			return c, err
		}
		var caseID int64
		err = r.pool.QueryRow(ctx, `SELECT case_id FROM contact_receipt WHERE message_id = $1`, id).Scan(&caseID)
		if err == nil {
			return r.cases.Get(ctx, caseID)
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return support.Case{}, fmt.Errorf("receipt of mail: %w", err)
		}
	}
	if ref := refInSubject.FindStringSubmatch(m.Subject); ref != nil {
		c, err := r.cases.ByRef(ctx, ref[1])
		if err == nil || !errors.Is(err, support.ErrNotFound) {
			return c, err
		}
	}
	return support.Case{}, ErrNoCase
}
