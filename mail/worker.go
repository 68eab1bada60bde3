package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
)

// maxAttempts is high so that a long mail-server outage loses nothing: Backoff's schedule
// (n⁴ seconds after the n-th failure) spreads 25 attempts over about 20 days.
const maxAttempts = 25

// sendArgs is the delivery job. It carries only the outbox row id: the body stays in
// mail_outbox, out of the job table's args and error history.
type sendArgs struct {
	ID int64 `json:"id"`
}

func (sendArgs) Kind() string { return "mail_send" }

func (sendArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: maxAttempts}
}

// AddWorkers registers the mail delivery worker, which sends with s, on w. The app builds one
// river.Workers for every job kind, then the client, then the Outbox.
func AddWorkers(w *river.Workers, pool *pgxpool.Pool, s *Sender, log *slog.Logger) {
	river.AddWorker(w, &sendWorker{pool: pool, sender: s, log: log.With("component", "mail")})
}

// sendWorker delivers one outbox row.
//
// Delivery is at least once. The row's sent_at is checked before sending, so a retry after a
// failure, or a job run again after its row was marked sent, sends nothing. But if the process
// dies (or the database is unreachable) after the SMTP server accepted the mail and before
// sent_at is written, the job is retried and the mail goes out twice; the same Message-ID lets
// the recipient's client recognise the copy. Losing a mail would be worse than a duplicate.
type sendWorker struct {
	river.WorkerDefaults[sendArgs]
	pool   *pgxpool.Pool
	sender *Sender
	log    *slog.Logger
}

func (w *sendWorker) Work(ctx context.Context, job *river.Job[sendArgs]) error {
	m, err := Get(ctx, w.pool, job.Args.ID)
	if errors.Is(err, ErrNotFound) {
		// Someone deleted the row; no retry can bring it back.
		return river.JobCancel(err)
	}
	if err != nil {
		return err
	}
	log := w.log.With("mail_id", m.ID, "kind", m.Kind, "to_domain", domainOf(m.To), "attempt", job.Attempt)
	if m.SentAt != nil {
		log.InfoContext(ctx, "mail already sent; skipping")
		return nil
	}
	if m.Secret && m.Text == RemovedNotice {
		// Blanked after its final failure: a job retried by hand would send the notice in
		// place of the code. The citizen asks for a new code instead.
		log.WarnContext(ctx, "secret mail already given up and blanked; not sending")
		return river.JobCancel(fmt.Errorf("mail %d: blanked after giving up", m.ID))
	}
	if err := w.sender.Send(ctx, m); err != nil {
		// Send's errors hold neither body nor password, so they may be stored and logged.
		final := job.Attempt >= job.MaxAttempts
		if merr := markFailed(ctx, w.pool, m.ID, err.Error(), final); merr != nil {
			log.WarnContext(ctx, "record mail failure", "error", merr.Error())
		}
		if final {
			log.ErrorContext(ctx, "mail not delivered; giving up", "error", err.Error())
		} else {
			log.WarnContext(ctx, "mail not delivered; will retry", "error", err.Error())
		}
		return fmt.Errorf("deliver mail %d: %w", m.ID, err)
	}
	if err := markSent(ctx, w.pool, m.ID); err != nil {
		// The server has the mail. Returning the error retries the job, which sends it again:
		// the at-least-once edge described on sendWorker.
		return err
	}
	log.InfoContext(ctx, "mail sent")
	return nil
}

// domainOf returns the part of addr after the last @: enough to see which provider a failing
// mail goes to without logging the person's address.
func domainOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return strings.ToLower(addr[i+1:])
	}
	return ""
}
