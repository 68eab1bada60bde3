package inbound

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"mitidportal/support"
)

// Contacts is the web form's way to a case for a citizen who is not logged in: the submission
// waits until its e-mail address is confirmed by the link in a mail, and the confirmation opens
// the case and queues its receipt. Each step is one transaction.
type Contacts struct {
	pending *Pending
	cases   *support.Cases
	// confirmMail queues the mail with the confirmation link, in the transaction that stores
	// the submission.
	confirmMail func(ctx context.Context, tx pgx.Tx, s Submission, token string) error
}

// NewContacts returns the contact-form flow on pool; confirmMail is wired in app/.
func NewContacts(pool *pgxpool.Pool, cases *support.Cases,
	confirmMail func(ctx context.Context, tx pgx.Tx, s Submission, token string) error) *Contacts {
	return &Contacts{pending: NewPending(pool), cases: cases, confirmMail: confirmMail}
}

// Submit stores an anonymous submission and queues its confirmation mail.
func (c *Contacts) Submit(ctx context.Context, s Submission) error {
	return c.pending.Create(ctx, s, func(tx pgx.Tx, token string) error {
		return c.confirmMail(ctx, tx, s, token)
	})
}

// Lookup returns the submission of a confirmation token without spending it (the page with
// the button).
func (c *Contacts) Lookup(ctx context.Context, token string) (Submission, error) {
	return c.pending.Lookup(ctx, token)
}

// Confirm spends the token and opens the case with its receipt, in one transaction.
func (c *Contacts) Confirm(ctx context.Context, token string) (support.Case, error) {
	var cs support.Case
	err := c.pending.Confirm(ctx, token, func(tx pgx.Tx, s Submission) error {
		var err error
		cs, err = c.cases.OpenWithReceiptTx(ctx, tx, support.NewCase{
			Channel: support.ChannelWeb, System: s.System, Category: s.Category, Name: s.Name,
			Email: s.Email, Lang: s.Lang, Subject: s.Subject, Message: s.Message, Attachments: s.Attachments,
		})
		return err
	})
	return cs, err
}
