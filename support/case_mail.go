package support

import (
	"context"

	"github.com/jackc/pgx/v5"

	"mitidportal/db"
)

// Hooks are what the desk tells citizens by e-mail, each in the transaction of the change it
// reports, so that a case and its receipt, or a reply and its mail, commit together or not at
// all. app/ wires them to the outbox; nil hooks send nothing.
type Hooks struct {
	// Receipt queues the receipt of a newly opened case, which carries its reference code.
	Receipt func(ctx context.Context, tx pgx.Tx, c Case) error
	// ReplyMail queues an agent's reply to a citizen and returns the mail's Message-ID.
	ReplyMail func(ctx context.Context, tx pgx.Tx, c Case, m ReplyMail) (messageID string, err error)
	// Audit writes a staff action on cases to the audit log (case_merge.go); required for
	// merges, links and bulk changes, which are refused without it.
	Audit func(ctx context.Context, tx pgx.Tx, a StaffAction) error
	// CitizenWrote tells the assignee of c that the citizen wrote again (no citizen content in
	// it); called only for an assigned case.
	CitizenWrote func(ctx context.Context, tx pgx.Tx, c Case) error
}

// ReplyMail is a reply on its way to the citizen.
type ReplyMail struct {
	To, Body string
	// InReplyTo is the Message-ID of the case's newest mail ("" when the case has none yet):
	// the reply threads on it.
	InReplyTo string
}

// WithHooks sets the hooks that mail citizens.
func WithHooks(h Hooks) Option { return func(c *Cases) { c.hooks = h } }

// OpenWithReceipt opens a case (Open) and, when it has an e-mail address, queues its receipt
// in the same transaction.
func (s *Cases) OpenWithReceipt(ctx context.Context, n NewCase) (Case, error) {
	var c Case
	err := db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		c, err = s.OpenWithReceiptTx(ctx, tx, n)
		return err
	})
	return c, err
}

// OpenWithReceiptTx is OpenWithReceipt in the caller's transaction (a confirmed contact form).
func (s *Cases) OpenWithReceiptTx(ctx context.Context, tx pgx.Tx, n NewCase) (Case, error) {
	c, err := s.OpenTx(ctx, tx, n)
	if err != nil || c.Email == "" || s.hooks.Receipt == nil {
		return c, err
	}
	return c, s.hooks.Receipt(ctx, tx, c)
}

// ReplyByMail records an agent's reply on the timeline and mails it to to, threaded on the
// case's newest mail, in one transaction: a reply is on the timeline exactly when its mail is
// in the outbox. ErrContactRequired when there is no address to send it to. The reply is
// written on case version expectVersion (ReplyAndSetStatus).
func (s *Cases) ReplyByMail(ctx context.Context, caseID, staffID int64, to, body string, expectVersion int) (Entry, error) {
	return s.ReplyAndSetStatus(ctx, caseID, staffID, to, body, "", expectVersion)
}
