package app

import (
	"context"
	"log/slog"
	"net/url"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"mitidportal/campaign"
	"mitidportal/locales"
	"mitidportal/mail"
)

// unsubscribePath is where a pack notice's one-click unsubscribe link points (a GET shows a
// button, the POST unsubscribes; handlers/routes.go).
const unsubscribePath = "/abonnement/afmeld/"

// packMail writes pack notices into the outbox, in the transaction that marks the item
// notified (campaign.Notices).
type packMail struct {
	outbox  *mail.Outbox
	catalog *locales.Catalog
	baseURL string
}

// notice queues one member's mail about a released item or a new version, in the member's
// language, with the pack's link, the change note and a one-click unsubscribe (RFC 8058).
func (p *packMail) notice(ctx context.Context, tx pgx.Tx, n campaign.Notice) error {
	tr := p.catalog.For(n.Lang)
	unsubscribe := p.baseURL + unsubscribePath + url.PathEscape(n.Unsubscribe)
	data := map[string]any{"Pack": n.Pack.Title(n.Lang), "Item": n.Item.Title, "Version": n.Item.Current.Version,
		"URL": p.baseURL + "/kommunikation/" + n.Pack.Slug, "Unsubscribe": unsubscribe}
	subject, text := "campaignsubs.mail.version_subject", "campaignsubs.mail.version_text"
	if n.New {
		subject, text = "campaignsubs.mail.new_subject", "campaignsubs.mail.new_text"
	}
	body := tr.T(text, data)
	if note := n.Item.Current.ChangeNote; note != "" {
		body += "\n\n" + tr.T("campaignsubs.mail.note", map[string]any{"Note": note})
	}
	body += "\n\n" + tr.T("campaignsubs.mail.unsubscribe", data)
	_, err := p.outbox.Enqueue(ctx, tx, mail.Message{To: n.Email, Subject: tr.T(subject, data), Text: body,
		Kind: "pack.notice", ListUnsubscribe: unsubscribe})
	return err
}

// packNoticeArgs is the periodic job that sends the pack notices due (campaign.Notices.Run).
// Any number of instances may run it at once: the items are shared out under row locks.
type packNoticeArgs struct{}

func (packNoticeArgs) Kind() string { return "pack_notices" }

type packNoticeWorker struct {
	river.WorkerDefaults[packNoticeArgs]
	notices *campaign.Notices // set once app.New has built it
	log     *slog.Logger
}

func (w *packNoticeWorker) Work(ctx context.Context, _ *river.Job[packNoticeArgs]) error {
	n, err := w.notices.Run(ctx)
	if n > 0 {
		w.log.InfoContext(ctx, "queued pack notices", "count", n)
	}
	return err
}

func packNoticeJob() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(time.Minute),
		func() (river.JobArgs, *river.InsertOpts) { return packNoticeArgs{}, nil },
		&river.PeriodicJobOpts{RunOnStart: true})
}

// SendPackNotices sends the pack notices due now, as the periodic job does (tests and the
// demo need not wait for the minute).
func (a *App) SendPackNotices(ctx context.Context) (int, error) { return a.Notices.Run(ctx) }
