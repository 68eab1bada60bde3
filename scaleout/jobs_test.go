package scaleout

import (
	"bufio"
	"context"
	"net/http"
	"net/url"
	"os"
	"testing"
	"time"

	"mitidportal/identity"
)

// waitMailQuiet waits until every mail in the outbox is sent and no delivery job is left to
// run, so that a second delivery would already have arrived.
func (c *cluster) waitMailQuiet(t *testing.T) {
	t.Helper()
	poll(t, 60*time.Second, "every mail sent and no mail job pending", func() bool {
		return c.count(t, `SELECT count(*) FROM mail_outbox WHERE sent_at IS NULL`) == 0 &&
			c.count(t, `SELECT count(*) FROM river_job WHERE kind = 'mail_send'
				AND state NOT IN ('completed', 'cancelled', 'discarded')`) == 0
	})
}

// checkMailOnce asserts that the SMTP server received every mail of the outbox exactly once,
// and nothing else.
func (c *cluster) checkMailOnce(t *testing.T) {
	t.Helper()
	c.waitMailQuiet(t)
	rows, err := c.pool.Query(context.Background(), `SELECT message_id FROM mail_outbox`)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	got, total := c.smtp.ByMessageID(), len(c.smtp.Messages())
	for _, id := range ids {
		if got[id] != 1 {
			t.Errorf("mail %s arrived %d times, want once", id, got[id])
		}
	}
	if total != len(ids) {
		t.Errorf("the SMTP server received %d messages; the outbox holds %d mails", total, len(ids))
	}
}

func (c *cluster) testMailOnce(t *testing.T) {
	// Two citizens per instance block their MitID there: each block's notification is written
	// to the outbox by the instance that blocked, and any of the three may deliver it.
	const perInstance = 2
	for _, in := range c.instances {
		for range perInstance {
			b := c.login(t, c.newCitizen(t))
			form := url.Values{"reason": {string(identity.BlockChoices[0])}, "csrf_token": {csrfToken}}
			if st, _, _ := b.do(t, in, http.MethodPost, "/mitid/spaer", form); st != http.StatusOK {
				t.Fatalf("block on %s: %d", in.name, st)
			}
		}
	}
	c.checkMailOnce(t)
	if n := c.count(t, `SELECT count(*) FROM mail_outbox WHERE kind LIKE '%mitid_blocked%'`); n < 3*perInstance {
		t.Errorf("%d block notifications in the outbox, want at least %d", n, 3*perInstance)
	}
}

func (c *cluster) testPeriodicOnce(t *testing.T) {
	// Every instance has the periodic jobs configured; only the job queue's leader inserts
	// them. Three inserting would give three jobs per interval (and three at start).
	poll(t, 30*time.Second, "four audit anchors", func() bool {
		return c.count(t, `SELECT count(*) FROM river_job WHERE kind = 'audit_anchor' AND state = 'completed'`) >= 4
	})
	elapsed := time.Since(c.started)
	rows, err := c.pool.Query(context.Background(),
		`SELECT created_at FROM river_job WHERE kind = 'audit_anchor' ORDER BY created_at`)
	if err != nil {
		t.Fatal(err)
	}
	var times []time.Time
	for rows.Next() {
		var at time.Time
		if err := rows.Scan(&at); err != nil {
			t.Fatal(err)
		}
		times = append(times, at)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(times); i++ {
		if gap := times[i].Sub(times[i-1]); gap < anchorInterval/2 {
			t.Errorf("audit anchor jobs %d and %d inserted %s apart; the interval is %s", i, i+1, gap, anchorInterval)
		}
	}
	if max := int(elapsed/anchorInterval) + 2; len(times) > max {
		t.Errorf("%d audit anchor jobs in %s; once per %s is at most %d", len(times), elapsed.Round(time.Millisecond), anchorInterval, max)
	}
	// The jobs that run at start and then every 15 minutes or hourly: once, by the leader.
	for _, kind := range []string{"session_cleanup", "unfinished_mitid_cleanup"} {
		if n := c.count(t, `SELECT count(*) FROM river_job WHERE kind = $1`, kind); n != 1 {
			t.Errorf("%d %s jobs after the start of three instances, want 1", n, kind)
		}
	}
	// The clean-up did all its parts (sessions, throttles, lock-outs, contact forms, form keys):
	// a part that fails leaves the job to be retried.
	poll(t, 30*time.Second, "the clean-up completed", func() bool {
		return c.count(t, `SELECT count(*) FROM river_job WHERE kind = 'session_cleanup' AND state = 'completed'`) == 1
	})
	// Each anchor job ran once: one line in the anchor file per completed job.
	done := c.count(t, `SELECT count(*) FROM river_job WHERE kind = 'audit_anchor' AND state = 'completed'`)
	f, err := os.Open(c.anchors)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	lines := 0
	for sc := bufio.NewScanner(f); sc.Scan(); {
		lines++
	}
	if lines < done || lines > done+1 { // +1: a job that wrote its line and is completing now
		t.Errorf("%d lines in the anchor file for %d completed anchor jobs", lines, done)
	}
}
