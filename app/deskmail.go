package app

import (
	"context"

	"github.com/jackc/pgx/v5"

	"mitidportal/inbound"
	"mitidportal/locales"
	"mitidportal/mail"
	"mitidportal/support"
)

// deskMail writes what the support desk tells citizens by e-mail into the outbox, in the
// transaction of the change it reports (support.Hooks and the contact form's confirmation).
type deskMail struct {
	outbox       *mail.Outbox
	catalog      *locales.Catalog
	baseURL      string
	supportPhone string
}

// receipt queues the receipt of case c and records its Message-ID, so that the citizen's answer
// to it lands on the case.
func (d *deskMail) receipt(ctx context.Context, tx pgx.Tx, c support.Case) error {
	tr := d.catalog.For(c.Lang)
	data := map[string]any{"Ref": c.Ref, "Subject": c.Subject, "Name": c.Name,
		"URL": d.baseURL + "/mitid/sager", "Phone": d.supportPhone}
	text := tr.T("citizencases.mail.receipt_text", data)
	if c.MitIDID != 0 {
		text += "\n\n" + tr.T("citizencases.mail.receipt_mycases", data)
	}
	// The receipt's Message-ID is recorded on the round trip that stores the mail.
	_, _, err := d.outbox.EnqueueThreadedWith(ctx, tx, mail.Message{To: c.Email,
		Subject: tr.T("citizencases.mail.receipt_subject", data), Text: text, Kind: "case.receipt"},
		func(b *pgx.Batch, msgID string) { inbound.QueueReceipt(b, msgID, c.ID) })
	return err
}

// reply queues an agent's reply, threaded on the case's newest mail or, before any, on its
// receipt.
func (d *deskMail) reply(ctx context.Context, tx pgx.Tx, c support.Case, m support.ReplyMail) (string, error) {
	inReplyTo := m.InReplyTo
	if inReplyTo == "" {
		var err error
		if inReplyTo, err = inbound.ReceiptOf(ctx, tx, c.ID); err != nil {
			return "", err
		}
	}
	tr := d.catalog.For(c.Lang)
	_, msgID, err := d.outbox.EnqueueThreaded(ctx, tx, mail.Message{To: m.To, InReplyTo: inReplyTo,
		Subject: tr.T("desk.mail.subject", map[string]any{"Ref": c.Ref, "Subject": c.Subject}),
		Text:    m.Body + "\n\n-- \n" + tr.T("desk.mail.footer", map[string]any{"Ref": c.Ref}),
		Kind:    "case_reply"})
	return msgID, err
}

// contactConfirm queues the mail with the confirmation link of an anonymous submission.
func (d *deskMail) contactConfirm(ctx context.Context, tx pgx.Tx, s inbound.Submission, token string) error {
	tr := d.catalog.For(s.Lang)
	data := map[string]any{"Name": s.Name, "Subject": s.Subject, "URL": d.baseURL + "/kontakt/bekraeft/" + token}
	_, err := d.outbox.Enqueue(ctx, tx, mail.Message{To: s.Email,
		Subject: tr.T("citizencases.mail.confirm_subject"), Text: tr.T("citizencases.mail.confirm_text", data),
		Kind: "case.contact_confirm", Secret: true}) // the link opens the case: blanked once sent
	return err
}
