package handlers_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"mitidportal/app/apptest"
	"mitidportal/locales"
)

// TestJobQueuePage: an admin sees a failed job (kind, attempts, last error, next attempt), a
// job given up, and a mail waiting in the outbox with its age, in Danish and English; the GET
// writes nothing.
func TestJobQueuePage(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	ctx := context.Background()
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	// A queue no worker takes from, so River leaves the rows as written: one to be retried in an
	// hour after its third failure, one given up after its last.
	_, err = env.App.Pool.Exec(ctx, `
		INSERT INTO river_job (kind, queue, state, args, attempt, max_attempts, attempted_at, scheduled_at,
			finalized_at, errors, priority)
		VALUES
		('probe_retry', 'probe', 'retryable', '{}', 3, 25, now() - interval '2 minutes', now() + interval '1 hour',
			NULL, ARRAY['{"at": "2026-01-01T10:00:00Z", "attempt": 2, "error": "earlier failure"}'::jsonb,
				jsonb_build_object('at', now() - interval '2 minutes', 'attempt', 3, 'error', 'dial tcp: connection refused')], 1),
		('probe_dead', 'probe', 'discarded', '{}', 25, 25, now() - interval '1 hour', now() - interval '1 hour',
			now() - interval '1 hour', ARRAY[jsonb_build_object('at', now() - interval '1 hour', 'attempt', 25,
				'error', 'mailbox unavailable')], 1),
		('probe_wait', 'probe', 'available', '{}', 0, 25, NULL, now() - interval '3 hours', NULL, NULL, 1)`)
	if err != nil {
		t.Fatal(err)
	}
	// A mail that no job sends: it waits, as behind a mail server that is down.
	_, err = env.App.Pool.Exec(ctx, `INSERT INTO mail_outbox (to_address, subject, text_body, kind, message_id, created_at)
		VALUES ('venter@example.dk', 'Venter', 'tekst', 'probe', '<probe@example.dk>', now() - interval '90 minutes')`)
	if err != nil {
		t.Fatal(err)
	}
	admin, _, err := env.App.Server.Staff.Create(ctx, "drift@styrelsen.dk", "Dina Drift", []string{"admin"})
	if err != nil {
		t.Fatal(err)
	}
	a := staffSession(t, env, admin)

	if home := a.page(t, "/medarbejder"); !strings.Contains(home, `href="/medarbejder/admin/jobkoe"`) {
		t.Error("the admin's start page does not link to the job queue")
	}
	before := tableRows(t, env)
	for _, lang := range []string{"da", "en"} {
		t.Run(lang, func(t *testing.T) {
			tr := cat.For(lang)
			res, body := a.appGet(t, "/medarbejder/admin/jobkoe?lang="+lang, false)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("GET: %d", res.StatusCode)
			}
			for _, want := range []string{
				tr.T("jobqueue.heading"),
				"probe_retry", "dial tcp: connection refused",
				tr.T("jobqueue.age.attempts", map[string]any{"N": 3, "Max": 25}),
				"probe_dead", "mailbox unavailable", tr.T("jobqueue.given_up"),
				// The waiting job is three hours old, the mail 90 minutes.
				tr.T("jobqueue.age.hours", map[string]any{"N": 3}),
				tr.T("jobqueue.age.hours", map[string]any{"N": 1}),
			} {
				if !strings.Contains(body, want) {
					t.Errorf("the page lacks %q", want)
				}
			}
			if strings.Contains(body, "earlier failure") {
				t.Error("the page shows an earlier error, not the latest")
			}
			if !strings.Contains(body, `data-testid="outbox-unsent">1<`) {
				t.Error("the outbox's one waiting mail is not counted")
			}
		})
	}
	wantNoNewRows(t, "GET /medarbejder/admin/jobkoe", before, tableRows(t, env))

	// Once the mail is sent, the outbox is empty and says so.
	if _, err := env.App.Pool.Exec(ctx, `UPDATE mail_outbox SET sent_at = now() WHERE kind = 'probe'`); err != nil {
		t.Fatal(err)
	}
	if _, body := a.appGet(t, "/medarbejder/admin/jobkoe", false); !strings.Contains(body, `data-testid="outbox-unsent">0<`) {
		t.Errorf("a sent mail still counts as waiting")
	}
}
