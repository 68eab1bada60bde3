package resilience_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"mitidportal/app/apptest"
	"mitidportal/db"
	"mitidportal/locales"
	"mitidportal/mail"
	"mitidportal/mail/mailtest"
	"mitidportal/session"
	"mitidportal/support"
)

// TestPostgresRestartUnderLoad crashes the portal's PostgreSQL server while visitors read and
// write, keeps them at it while it is down, and starts it again. While it is down, pages that
// need it answer the friendly 503 page in the visitor's language with Retry-After and /readyz
// says 503; there is no 500 at all. Afterwards the portal recovers by itself: within seconds
// every page and form works again, /readyz says 200, the job queue delivers mails queued after
// the restart (at once, and scheduled for later), and every reply the portal acknowledged with
// its 303 is in the database.
func TestPostgresRestartUnderLoad(t *testing.T) {
	t.Parallel()
	pg := startCluster(t) // registered first, so it is stopped after the portal
	mails := mailtest.Start(t)
	env := apptest.New(t, apptest.Options{DatabaseURL: pg.URL, SMTPPort: mails.Port})
	ctx := context.Background()
	citizen := env.NewCitizen(t)
	cs, err := env.App.Cases.Open(ctx, support.NewCase{Channel: support.ChannelWeb, System: support.SystemMitID,
		Category: support.CategoryLogin, MitIDID: citizen.ID, Email: "borger@example.dk",
		Subject: "Kan ikke logge ind", Message: "Kodeviseren viser ingenting."})
	if err != nil {
		t.Fatal(err)
	}
	cookie := env.LoginAs(t, session.Subject{Kind: session.KindCitizen, ID: citizen.ID, Roles: []string{"citizen"},
		Level: "substantial", AuthenticatedAt: time.Now(), Name: citizen.Username})

	l := startLoad(t, env, cookie, cs.Ref)
	defer l.Stop() // before the portal's clean-up, on a failure too
	l.waitUntil(t, "replies acknowledged before the fault", 20*time.Second, func(rs []result) bool {
		return count(rs, "POST reply", http.StatusSeeOther) >= 5
	})

	down := time.Now()
	pg.Crash()
	downs := func(rs []result) []result { return between(rs, down, time.Time{}) }
	l.waitUntil(t, "503 from a page, a form and /readyz while the database is down", 20*time.Second, func(rs []result) bool {
		rs = downs(rs)
		return count(rs, "GET /readyz", 503) > 0 && count(rs, "GET /mitid", 503) > 0 && count(rs, "POST reply", 503) > 0
	})
	// Visitors keep coming for a while: the instance must stay up and keep answering.
	l.waitUntil(t, "a second of outage", 10*time.Second, func([]result) bool { return time.Since(down) > time.Second })

	pg.Start()
	up := time.Now()
	// Recovered: a page, a write and the probe, each sent after the restart, all succeeded.
	recovered := l.waitUntil(t, "recovery after the restart", 15*time.Second, func(rs []result) bool {
		rs = between(rs, up, time.Time{})
		return count(rs, "GET /mitid", 200) > 0 && count(rs, "POST reply", 303) > 0 && count(rs, "GET /readyz", 200) > 0
	})
	// The job queue works again: a mail queued now is delivered at once (its workers fetch
	// again), and one whose job waits for a later time is delivered when that time comes (the
	// elected leader's scheduler works again, which moves every retry later than a few seconds).
	now := queueMail(t, env, "Efter genstart", false)
	later := queueMail(t, env, "Efter genstart, planlagt", true)
	for _, m := range []struct{ what, msgID string }{{"queued", now}, {"scheduled a second ahead", later}} {
		deadline := time.Now().Add(30 * time.Second)
		for mails.ByMessageID()[m.msgID] == 0 {
			if time.Now().After(deadline) {
				t.Fatalf("the job queue delivered no mail %s after the restart within 30 s", m.what)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	l.waitUntil(t, "a second of load after recovery", 10*time.Second, func([]result) bool { return time.Since(recovered) > time.Second })
	l.Stop()

	rs := l.Results()
	t.Logf("down %s; recovered %s after the restart; %d requests:\n%s",
		up.Sub(down).Round(time.Millisecond), recovered.Sub(up).Round(time.Millisecond), len(rs), summary(rs))
	if recovered.Sub(up) > 10*time.Second {
		t.Errorf("recovery took %s after the restart, want at most 10 s", recovered.Sub(up))
	}
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		switch {
		case r.Status == 0:
			t.Errorf("%s: no answer: %s", r.What, r.Err)
		case r.Status >= 500 && r.Status != http.StatusServiceUnavailable:
			t.Errorf("%s (%s) at %s after the crash: %d:\n%.600s", r.What, r.Lang, r.Start.Sub(down), r.Status, r.Body)
		case r.Status == http.StatusServiceUnavailable:
			if r.RetryAfter == "" {
				t.Errorf("%s: 503 without Retry-After", r.What)
			}
			if r.Lang == "" {
				break // the probe answers text
			}
			title := cat.For(r.Lang).T("error.503.title")
			if !strings.Contains(r.Body, title) || !strings.Contains(r.Body, `lang="`+r.Lang+`"`) {
				t.Errorf("%s: the 503 page lacks %q in %s:\n%.400s", r.What, title, r.Lang, r.Body)
			}
		}
	}
	// Every request sent once the portal had recovered succeeded.
	for _, r := range between(rs, recovered, time.Time{}) {
		if !r.ok() {
			t.Errorf("%s (%s) %s after recovery: %d %s", r.What, r.Lang, r.Start.Sub(recovered), r.Status, r.Err)
		}
	}
	// No acknowledged write was lost.
	acked := l.Acked()
	var stored int
	if err := env.App.Pool.QueryRow(ctx, `SELECT count(*) FROM support_entry WHERE case_id = $1 AND body = ANY($2)`,
		cs.ID, acked).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d replies acknowledged, %d of them stored", len(acked), stored)
	if stored != len(acked) {
		t.Errorf("%d of %d acknowledged replies are in the database", stored, len(acked))
	}
}

// queueMail queues a mail, whose job waits a second in state scheduled when scheduled is set,
// and returns its Message-ID.
func queueMail(t *testing.T, env *apptest.Env, subject string, scheduled bool) string {
	t.Helper()
	ctx := context.Background()
	var msgID string
	err := db.Transact(ctx, env.App.Pool, func(tx pgx.Tx) error {
		id, err := env.App.Outbox.Enqueue(ctx, tx, mail.Message{To: "borger@example.dk", Subject: subject,
			Text: "Køen virker.", Kind: "test.after_restart"})
		if err != nil {
			return err
		}
		if scheduled {
			if _, err := tx.Exec(ctx, `UPDATE river_job SET state = 'scheduled', scheduled_at = now() + interval '1 second'
				WHERE kind = 'mail_send' AND (args->>'id')::bigint = $1`, id); err != nil {
				return err
			}
		}
		return tx.QueryRow(ctx, `SELECT message_id FROM mail_outbox WHERE id = $1`, id).Scan(&msgID)
	})
	if err != nil {
		t.Fatalf("queue a mail after the restart: %v", err)
	}
	return msgID
}

// between keeps the results of requests sent from from until to (zero: no end).
func between(rs []result, from, to time.Time) []result {
	var out []result
	for _, r := range rs {
		if !r.Start.Before(from) && (to.IsZero() || r.Start.Before(to)) {
			out = append(out, r)
		}
	}
	return out
}

// count is how many results of what got status.
func count(rs []result, what string, status int) int {
	n := 0
	for _, r := range rs {
		if r.What == what && r.Status == status {
			n++
		}
	}
	return n
}
