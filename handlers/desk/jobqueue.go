package desk

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"mitidportal/handlers/web"
	"mitidportal/locales"
	"mitidportal/views"
)

// JobQueuePage shows admins the job queue by queue and kind, its latest failures and the mail
// outbox's backlog (package jobqueue). It only reads: River's own web UI cannot be installed
// here, and an operator needs these figures more than its buttons.
func (s *Handlers) JobQueuePage(c echo.Context) error {
	now := s.Now()
	o, err := s.JobQueue.Overview(c.Request().Context(), now)
	if err != nil {
		return err
	}
	tr := web.StateOf(c).Tr
	n := func(v int64) string { return strconv.FormatInt(v, 10) }
	ago := func(t time.Time) string {
		return tr.T("jobqueue.age.ago", map[string]any{"Age": age(tr, now.Sub(t)), "When": s.When(t)})
	}
	v := views.JobQueueView{OutboxUnsent: n(o.Outbox.Unsent), Checked: s.When(now)}
	if o.Outbox.OldestUnsent != nil {
		v.OutboxOldest = ago(*o.Outbox.OldestUnsent)
	}
	for _, r := range o.Counts {
		row := views.JobQueueRow{Queue: r.Queue, Kind: r.Kind, Available: n(r.Available), Scheduled: n(r.Scheduled),
			Running: n(r.Running), Retryable: n(r.Retryable), Discarded: n(r.Discard)}
		if r.OldestWaiting != nil {
			row.OldestWaiting = ago(*r.OldestWaiting)
		}
		v.Rows = append(v.Rows, row)
	}
	for _, f := range o.Failures {
		row := views.JobFailureRow{Kind: f.Kind, Queue: f.Queue, Error: f.Error, At: s.When(f.At),
			Attempts: tr.T("jobqueue.age.attempts", map[string]any{"N": f.Attempts, "Max": f.MaxAttempts}),
			Next:     tr.T("jobqueue.given_up")}
		if f.NextAttempt != nil {
			row.Next = s.When(*f.NextAttempt)
		}
		v.Failures = append(v.Failures, row)
	}
	s.staffNav(c)
	return s.Render(c, http.StatusOK, views.JobQueue(v))
}

// age says how long d is in the largest whole unit that fits (seconds up to days).
func age(tr *locales.Translator, d time.Duration) string {
	d = max(d, 0)
	switch {
	case d < time.Minute:
		return tr.T("jobqueue.age.seconds", map[string]any{"N": int(d / time.Second)})
	case d < time.Hour:
		return tr.T("jobqueue.age.minutes", map[string]any{"N": int(d / time.Minute)})
	case d < 48*time.Hour:
		return tr.T("jobqueue.age.hours", map[string]any{"N": int(d / time.Hour)})
	default:
		return tr.T("jobqueue.age.days", map[string]any{"N": int(d / (24 * time.Hour))})
	}
}
