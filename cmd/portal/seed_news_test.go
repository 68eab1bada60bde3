package main

import (
	"bytes"
	"context"
	"testing"

	"mitidportal/db/dbtest"
)

// TestSeedNews: the demo seed makes two confirmed subscribers, a sent issue mailed to each of
// them with its unsubscribe link, and a draft; a second run adds nothing.
func TestSeedNews(t *testing.T) {
	// Not parallel: t.Chdir changes the directory of the whole process.
	pool, dbURL := dbtest.NewWithURL(t)
	t.Chdir(t.TempDir())
	env := envOf(map[string]string{"DATABASE_URL": dbURL, "PORTAL_DEMO": "true"})
	ctx := context.Background()
	counts := func() [4]int {
		var c [4]int
		if err := pool.QueryRow(ctx, `SELECT
			(SELECT count(*) FROM newsletter_subscriber WHERE status = 'active'),
			(SELECT count(*) FROM newsletter_issue WHERE status = 'sent'),
			(SELECT count(*) FROM newsletter_issue WHERE status = 'draft'),
			(SELECT count(*) FROM mail_outbox WHERE kind = 'news.issue' AND list_unsubscribe LIKE '%/nyhedsbrev/afmeld/%')`).
			Scan(&c[0], &c[1], &c[2], &c[3]); err != nil {
			t.Fatal(err)
		}
		return c
	}
	for i := range 2 {
		var out bytes.Buffer
		if err := run(ctx, []string{"seed"}, env, &out, &out); err != nil {
			t.Fatalf("seed %d: %v\n%s", i, err, out.String())
		}
		if got := counts(); got != [4]int{2, 1, 1, 2} {
			t.Errorf("after seed %d: subscribers, sent, drafts, mails = %v, want [2 1 1 2]", i+1, got)
		}
	}
}
