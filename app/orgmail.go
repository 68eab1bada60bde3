package app

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"mitidportal/campaign"
	"mitidportal/locales"
	"mitidportal/mail"
)

// orgMail writes an organisation's invitations into the outbox, in the transaction that stores
// the invitation (campaign.Hooks.Invite), in the invitee's language.
type orgMail struct {
	outbox  *mail.Outbox
	catalog *locales.Catalog
	baseURL string
	loc     *time.Location
}

// invite queues the mail with an invitation's single-use link. The token exists only here and
// in the mail: the database keeps its hash, and the outbox blanks the text once it is sent.
func (m *orgMail) invite(ctx context.Context, tx pgx.Tx, inv campaign.Invitation) error {
	tr := m.catalog.For(inv.Lang)
	data := map[string]any{
		"Org":     inv.Org.Name,
		"Role":    tr.T("campaignorgs.role_as." + string(inv.Role)),
		"URL":     m.baseURL + "/organisationer/invitation/" + inv.Token,
		"Expires": inv.Expires.In(m.loc).Format("02.01.2006 15.04"),
	}
	_, err := m.outbox.Enqueue(ctx, tx, mail.Message{To: inv.Email,
		Subject: tr.T("campaignorgs.mail.invite_subject", data), Text: tr.T("campaignorgs.mail.invite_text", data),
		Kind: "org.invitation", Secret: true})
	return err
}
