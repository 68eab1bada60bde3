package inbound

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"mitidportal/fault"
	"mitidportal/support"
)

// Errors of Receive; the SMTP server answers them with a permanent refusal.
var (
	// ErrNoCase: the mail names no case, neither by In-Reply-To nor by [REF] in the subject.
	ErrNoCase = fault.New("inbound", fault.NotFound, "inbound.err.no_case")
	// ErrSender: the sender is not the case's contact address.
	ErrSender = fault.New("inbound", fault.Forbidden, "inbound.err.sender")
)

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
	_, err := tx.Exec(ctx, `INSERT INTO contact_receipt (message_id, case_id) VALUES ($1, $2)`, messageID, caseID)
	if err != nil {
		return fmt.Errorf("record receipt: %w", err)
	}
	return nil
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
}

// Receiver puts mail replies on their cases.
type Receiver struct {
	pool  *pgxpool.Pool
	cases *support.Cases
}

// NewReceiver returns a Receiver for the cases in pool.
func NewReceiver(pool *pgxpool.Pool, cases *support.Cases) *Receiver {
	return &Receiver{pool: pool, cases: cases}
}

// refInSubject is a reference code in brackets, as the portal's mails put it in the subject.
var refInSubject = regexp.MustCompile(`\[([A-Za-z]{6})\]`)

// Receive finds the case m answers, by In-Reply-To or References (a reply or receipt of the
// case) or else by "[REF]" in the subject, checks that m comes from the case's contact address
// and adds m's text as a message from the citizen (which reopens a case waiting for them).
// ErrNoCase, ErrSender, or a support error (support.ErrClosed, support.ErrBodyRequired...).
func (r *Receiver) Receive(ctx context.Context, m Mail) (support.Case, error) {
	c, err := r.caseOf(ctx, m)
	if err != nil {
		return support.Case{}, err
	}
	from, err := mail.ParseAddress(m.From)
	if err != nil || c.Email == "" || !strings.EqualFold(from.Address, c.Email) {
		return c, ErrSender
	}
	msgID := strings.TrimSpace(m.MessageID)
	if !messageIDPattern.MatchString(msgID) {
		msgID = "" // recorded without one rather than refused
	}
	_, err = r.cases.AddMessage(ctx, support.NewMessage{CaseID: c.ID, Body: m.Body, MessageID: msgID})
	return c, err
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
