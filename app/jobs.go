package app

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"mitidportal/identity"
	"mitidportal/inbound"
	"mitidportal/session"
)

// sessionCleanupArgs is the periodic job that deletes expired sessions, throttle entries past
// their window, login failure counts quiet for a day and contact forms never confirmed. It runs through the job queue so that one instance runs it, not every
// instance.
type sessionCleanupArgs struct{}

func (sessionCleanupArgs) Kind() string { return "session_cleanup" }

type sessionCleanupWorker struct {
	river.WorkerDefaults[sessionCleanupArgs]
	sessions *session.Store
	throttle *identity.AddressThrottle
	lockouts *identity.Lockouts
	contacts *inbound.Pending
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
	return nil
}

func sessionCleanupJob() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(15*time.Minute),
		func() (river.JobArgs, *river.InsertOpts) { return sessionCleanupArgs{}, nil },
		&river.PeriodicJobOpts{RunOnStart: true})
}
