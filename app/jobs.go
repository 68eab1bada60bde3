package app

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"mitidportal/audit"
	"mitidportal/campaign/newsletter"
	"mitidportal/db"
	"mitidportal/identity"
	"mitidportal/inbound"
	"mitidportal/session"
)

// sessionCleanupArgs is the periodic job that deletes expired sessions, throttle entries past
// their window, login failure counts quiet for a day, contact forms never confirmed and forms'
// one-time keys used a day ago (db.PruneFormKeys). It runs through the job queue so that one
// instance runs it, not every instance.
type sessionCleanupArgs struct{}

func (sessionCleanupArgs) Kind() string { return "session_cleanup" }

type sessionCleanupWorker struct {
	river.WorkerDefaults[sessionCleanupArgs]
	sessions *session.Store
	throttle *identity.AddressThrottle
	lockouts *identity.Lockouts
	contacts *inbound.Pending
	formKeys *pgxpool.Pool // where db.Once keeps forms' keys
	log      *slog.Logger
}

func (w *sessionCleanupWorker) Work(ctx context.Context, _ *river.Job[sessionCleanupArgs]) error {
	n, err := w.sessions.DeleteExpired(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		w.log.InfoContext(ctx, "deleted expired sessions", "count", n)
	}
	if n, err = w.throttle.Prune(ctx); err != nil {
		return err
	}
	if n > 0 {
		w.log.InfoContext(ctx, "pruned throttle entries", "count", n)
	}
	if n, err = w.lockouts.Prune(ctx); err != nil {
		return err
	}
	if n > 0 {
		w.log.InfoContext(ctx, "pruned quiet login failure counts", "count", n)
	}
	if n, err = w.contacts.Prune(ctx); err != nil {
		return err
	}
	if n > 0 {
		w.log.InfoContext(ctx, "pruned unconfirmed contact forms", "count", n)
	}
	if n, err = db.PruneFormKeys(ctx, w.formKeys, time.Now()); err != nil {
		return err
	}
	if n > 0 {
		w.log.InfoContext(ctx, "pruned used form keys", "count", n)
	}
	return nil
}

func sessionCleanupJob() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(15*time.Minute),
		func() (river.JobArgs, *river.InsertOpts) { return sessionCleanupArgs{}, nil },
		&river.PeriodicJobOpts{RunOnStart: true})
}

// auditAnchorArgs is the periodic job that records the audit chain's head outside the database:
// a log line "audit anchor" (for the log shipper) and, when configured, a line in the anchor
// file. Through the job queue, one instance writes each anchor.
type auditAnchorArgs struct{}

func (auditAnchorArgs) Kind() string { return "audit_anchor" }

type auditAnchorWorker struct {
	river.WorkerDefaults[auditAnchorArgs]
	chain *audit.Chain
	file  string
	log   *slog.Logger
}

func (w *auditAnchorWorker) Work(ctx context.Context, _ *river.Job[auditAnchorArgs]) error {
	// Seal first, so the anchor covers every entry committed until now.
	if _, err := w.chain.Seal(ctx); err != nil {
		return err
	}
	a, err := w.chain.Anchor(ctx)
	if err != nil {
		return err
	}
	w.log.InfoContext(ctx, "audit anchor", "seq", a.Seq, "count", a.Count, "hash", fmt.Sprintf("%x", a.Hash),
		"at", a.At, "key_id", a.KeyID, "mac", fmt.Sprintf("%x", a.MAC))
	if w.file != "" {
		return audit.AppendAnchorFile(w.file, a)
	}
	return nil
}

func auditAnchorJob(every time.Duration) *river.PeriodicJob {
	if every <= 0 {
		every = time.Minute
	}
	return river.NewPeriodicJob(river.PeriodicInterval(every),
		func() (river.JobArgs, *river.InsertOpts) { return auditAnchorArgs{}, nil },
		&river.PeriodicJobOpts{RunOnStart: true})
}

// unfinishedCleanupArgs is the periodic job that deletes MitIDs whose creation never finished
// (no means beside the password, ever), made more than a day ago, whose person has no live
// creation code: nobody can log in with them, and a new letter starts over anyway.
type unfinishedCleanupArgs struct{}

func (unfinishedCleanupArgs) Kind() string { return "unfinished_mitid_cleanup" }

// unfinishedAge is how long a MitID may wait for its first means before the job deletes it.
const unfinishedAge = 24 * time.Hour

type unfinishedCleanupWorker struct {
	river.WorkerDefaults[unfinishedCleanupArgs]
	identity *identity.Store // set once app.New has built it
	log      *slog.Logger
}

func (w *unfinishedCleanupWorker) Work(ctx context.Context, _ *river.Job[unfinishedCleanupArgs]) error {
	n, err := w.identity.DeleteUnfinished(ctx, unfinishedAge)
	if n > 0 {
		w.log.InfoContext(ctx, "deleted unfinished MitIDs", "count", n)
	}
	return err
}

func unfinishedCleanupJob() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
		func() (river.JobArgs, *river.InsertOpts) { return unfinishedCleanupArgs{}, nil },
		&river.PeriodicJobOpts{RunOnStart: true})
}

// newsletterArgs is the job that sends the newsletter issues being sent, in batches, and ends
// expired pending subscriptions. It runs every minute (which resumes a send an instance died
// in) and once more when an editor sends an issue. Any number of instances may run it at once:
// the batches are shared out under row locks and nobody gets an issue twice.
type newsletterArgs struct{}

func (newsletterArgs) Kind() string { return "newsletter_send" }

type newsletterWorker struct {
	river.WorkerDefaults[newsletterArgs]
	news *newsletter.Newsletter // set once app.New has built it
	log  *slog.Logger
}

func (w *newsletterWorker) Work(ctx context.Context, _ *river.Job[newsletterArgs]) error {
	if n, err := w.news.Prune(ctx); err != nil {
		return err
	} else if n > 0 {
		w.log.InfoContext(ctx, "ended expired newsletter subscriptions", "count", n)
	}
	n, err := w.news.Run(ctx)
	if n > 0 {
		w.log.InfoContext(ctx, "queued newsletter mails", "count", n)
	}
	return err
}

func newsletterJob() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(time.Minute),
		func() (river.JobArgs, *river.InsertOpts) { return newsletterArgs{}, nil },
		&river.PeriodicJobOpts{RunOnStart: true})
}
