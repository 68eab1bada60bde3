package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"mitidportal/inbound"
	"mitidportal/mail"
	"mitidportal/support"
)

// mailReceipt queues the receipt of a case opened by a mail, threaded on that mail (so the
// citizen's client shows it as the answer), and records its Message-ID so that the answer to
// the receipt finds the case (inbound.ReceiptFunc).
func (d *deskMail) mailReceipt(ctx context.Context, tx pgx.Tx, c support.Case, inReplyTo string) error {
	tr := d.catalog.For(c.Lang)
	data := map[string]any{"Ref": c.Ref, "Subject": c.Subject, "Name": c.Name, "Phone": d.supportPhone}
	_, msgID, err := d.outbox.EnqueueThreaded(ctx, tx, mail.Message{To: c.Email, InReplyTo: inReplyTo,
		Subject: tr.T("citizencases.mail.receipt_subject", data), Text: tr.T("citizencases.mail.receipt_text", data),
		Kind: "case.receipt"})
	if err != nil {
		return err
	}
	return inbound.RecordReceipt(ctx, tx, msgID, c.ID)
}

// citizenWrote tells the assignee of c that the citizen wrote again: the reference and a link,
// never what the citizen wrote (the mail leaves the portal). Staff have no language of their
// own, so the mail is in Danish and English. An assignee without an address gets nothing.
func (d *deskMail) citizenWrote(ctx context.Context, tx pgx.Tx, c support.Case) error {
	var to string
	err := tx.QueryRow(ctx, `SELECT email FROM staff_user WHERE id = $1 AND disabled_at IS NULL`, c.AssigneeID).Scan(&to)
	if errors.Is(err, pgx.ErrNoRows) || err == nil && to == "" {
		return nil
	}
	if err != nil {
		return fmt.Errorf("assignee's address: %w", err)
	}
	data := map[string]any{"Ref": c.Ref, "URL": d.baseURL + "/medarbejder/sager/" + c.Ref}
	da, en := d.catalog.For("da"), d.catalog.For("en")
	_, err = d.outbox.Enqueue(ctx, tx, mail.Message{To: to,
		Subject: da.T("mailin.notify.subject", data) + " / " + en.T("mailin.notify.subject", data),
		Text:    da.T("mailin.notify.text", data) + "\n\n---\n\n" + en.T("mailin.notify.text", data),
		Kind:    "case.citizen_wrote"})
	return err
}
