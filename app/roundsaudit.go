package app

import (
	"context"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"mitidportal/audit"
	"mitidportal/campaign"
	"mitidportal/locales"
	"mitidportal/mail"
)

// roundsHooks audits editors' changes of feedback rounds and mails forum members a new round,
// both in the change's transaction (campaign.RoundHooks).
type roundsHooks struct {
	log     *audit.Log
	outbox  *mail.Outbox
	catalog *locales.Catalog
	baseURL string
	loc     *time.Location
}

func (h roundsHooks) audit(ctx context.Context, tx pgx.Tx, e campaign.RoundEvent) error {
	return h.log.Append(ctx, tx, audit.Entry{Actor: audit.Staff(e.StaffID), Action: audit.Action(e.Action),
		Subject: "feedback_round:" + strconv.FormatInt(e.RoundID, 10), Detail: e.Detail})
}

// opened queues one forum member's notice of a new round, in the language of their membership.
func (h roundsHooks) opened(ctx context.Context, tx pgx.Tx, n campaign.RoundNotice) error {
	tr := h.catalog.For(n.Lang)
	data := map[string]any{"Title": n.Round.Title,
		"Deadline": n.Round.Deadline.In(h.loc).Format("02-01-2006 15:04"),
		"URL":      h.baseURL + "/forum/feedback/" + strconv.FormatInt(n.Round.ID, 10)}
	_, err := h.outbox.Enqueue(ctx, tx, mail.Message{To: n.Email, Subject: tr.T("rounds.mail.subject", data),
		Text: tr.T("rounds.mail.text", data), Kind: "round.opened"})
	return err
}
