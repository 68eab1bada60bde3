package resilience_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"mitidportal/app/apptest"
	"mitidportal/mail"
	"mitidportal/mail/mailtest"
)

// retryUnit runs the production retry schedule (mail.Backoff, in seconds in the app) in
// hundredths of a second: the third retry waits 0.81 s instead of 81 s.
const retryUnit = 10 * time.Millisecond

// TestMailWaitsOutSMTPOutage takes the mail server down, queues mails meanwhile and brings the
// server back on the same port: the mails wait in the outbox, each failed attempt is retried on
// the documented schedule (mail.Backoff: n⁴ units after the n-th failure), and once the server
// is back each mail arrives exactly once (by Message-ID) and the outbox shows it sent.
func TestMailWaitsOutSMTPOutage(t *testing.T) {
	t.Parallel()
	mails := mailtest.Start(t)
	env := apptest.New(t, apptest.Options{SMTPPort: mails.Port, MailRetry: mail.Backoff{Unit: retryUnit}})
	ctx := context.Background()
	pool := env.App.Pool
	send := func(i int) int64 {
		id, err := env.App.Outbox.Send(ctx, pool, mail.Message{To: fmt.Sprintf("borger%d@example.dk", i),
			Subject: fmt.Sprintf("Besked %d", i), Text: "Din sag er opdateret.", Kind: "test.outage"})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	// The server works before the outage.
	before := send(0)
	waitQuery(t, env, "the mail before the outage sent", `SELECT sent_at IS NOT NULL FROM mail_outbox WHERE id = $1`, before)

	mails.Stop()
	const n = 10
	for i := 1; i <= n; i++ {
		send(i)
	}
	// Every mail fails three times while the server is down, and waits.
	waitQuery(t, env, "three failed attempts of every mail", `SELECT count(*) = $1 FROM river_job
		WHERE kind = 'mail_send' AND state IN ('available', 'retryable') AND cardinality(errors) >= 3`, n)
	rows, err := pool.Query(ctx, `SELECT o.id, o.sent_at IS NULL, o.attempts, coalesce(o.last_error, ''), j.max_attempts,
			cardinality(j.errors), j.scheduled_at - (j.errors[cardinality(j.errors)]->>'at')::timestamptz
		FROM mail_outbox o JOIN river_job j ON j.kind = 'mail_send' AND (j.args->>'id')::bigint = o.id
		WHERE o.id <> $1 ORDER BY o.id`, before)
	if err != nil {
		t.Fatal(err)
	}
	var waiting int
	for rows.Next() {
		var (
			id                          int64
			unsent                      bool
			attempts, maxAttempts, errs int
			lastError                   string
			wait                        time.Duration
		)
		if err := rows.Scan(&id, &unsent, &attempts, &lastError, &maxAttempts, &errs, &wait); err != nil {
			t.Fatal(err)
		}
		waiting++
		if !unsent || attempts < 3 || lastError == "" {
			t.Errorf("mail %d during the outage: unsent %v, attempts %d, last error %q; want it waiting with its failures recorded",
				id, unsent, attempts, lastError)
		}
		if maxAttempts != mail.MaxAttempts {
			t.Errorf("mail %d: %d attempts allowed, want %d", id, maxAttempts, mail.MaxAttempts)
		}
		// The wait after the latest failure is the documented schedule's (written out here, not
		// taken from mail.Backoff, so a change of the schedule shows), give or take its tenth
		// of jitter. River records a failure at the start of its attempt, so the wait measured
		// from there also holds the attempt itself (reading the row, the refused connection,
		// recording the failure): up to a few hundred milliseconds on a busy machine.
		want := time.Duration(errs*errs*errs*errs) * retryUnit
		if wait < want*9/10 || wait > want*11/10+300*time.Millisecond {
			t.Errorf("mail %d: waits %s after failure %d, want %s ± 10 %%", id, wait, errs, want)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if waiting != n {
		t.Fatalf("%d mails with a delivery job wait in the outbox, want %d", waiting, n)
	}

	mails.Restart()
	waitQuery(t, env, "every mail sent after the outage", `SELECT count(*) = 0 FROM mail_outbox WHERE sent_at IS NULL`)
	// Completed jobs cannot run again, so no later copy can arrive.
	waitQuery(t, env, "every delivery job completed", `SELECT count(*) = $1 FROM river_job WHERE kind = 'mail_send' AND state = 'completed'`, n+1)
	ids, err := pool.Query(ctx, `SELECT message_id FROM mail_outbox`)
	if err != nil {
		t.Fatal(err)
	}
	got := mails.ByMessageID()
	var total int
	for ids.Next() {
		var msgID string
		if err := ids.Scan(&msgID); err != nil {
			t.Fatal(err)
		}
		total++
		if got[msgID] != 1 {
			t.Errorf("mail %s arrived %d times, want once", msgID, got[msgID])
		}
	}
	if err := ids.Err(); err != nil {
		t.Fatal(err)
	}
	if total != n+1 || len(got) != total {
		t.Errorf("%d mails in the outbox, %d distinct Message-IDs arrived; want %d of each", total, len(got), n+1)
	}
	var failing int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM mail_outbox WHERE last_error IS NOT NULL OR attempts < 1`).Scan(&failing); err != nil {
		t.Fatal(err)
	}
	if failing != 0 {
		t.Errorf("%d sent mails still show an error", failing)
	}
}

// waitQuery polls a query that answers one boolean until it is true, failing the test after
// 20 s.
func waitQuery(t *testing.T, env *apptest.Env, what, query string, args ...any) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		var done bool
		if err := env.App.Pool.QueryRow(context.Background(), query, args...).Scan(&done); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if done {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("not within 20 s: %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
