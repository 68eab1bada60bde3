package support_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"

	"mitidportal/db/dbtest"
	"mitidportal/support"
)

// TestMailHooksShareTheTransaction: a receipt and a reply are handed to their hooks in the
// transaction of the case and the reply, and a failing hook leaves neither behind.
func TestMailHooksShareTheTransaction(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	ctx := context.Background()
	var receipts []string
	var replies []support.ReplyMail
	failReply := false
	hooks := support.Hooks{
		Receipt: func(_ context.Context, _ pgx.Tx, c support.Case) error {
			receipts = append(receipts, c.Ref)
			return nil
		},
		ReplyMail: func(ctx context.Context, tx pgx.Tx, c support.Case, m support.ReplyMail) (string, error) {
			if failReply {
				return "", errors.New("outbox down")
			}
			replies = append(replies, m)
			return "<reply-" + string(rune('a'+len(replies))) + "@example.org>", nil
		},
	}
	cases := support.NewCases(pool, support.DefaultSchedule(copenhagen(t)), support.WithHooks(hooks))
	if _, err := pool.Exec(ctx, `INSERT INTO staff_user (id, email, name, roles) VALUES (7, 'a@example.org', 'Agent', '{agent}')`); err != nil {
		t.Fatal(err)
	}
	c, err := cases.OpenWithReceipt(ctx, support.NewCase{Channel: support.ChannelWeb, System: support.SystemMitID,
		Category: support.CategoryLogin, Name: "Bo", Email: "bo@example.org", Lang: "da", Subject: "Hjælp", Message: "Kodeviser"})
	if err != nil {
		t.Fatal(err)
	}
	if len(receipts) != 1 || receipts[0] != c.Ref {
		t.Fatalf("receipts %v", receipts)
	}
	if _, err := cases.ReplyByMail(ctx, c.ID, 7, "bo@example.org", "Første svar", c.Version); err != nil {
		t.Fatal(err)
	}
	if _, err := cases.ReplyByMail(ctx, c.ID, 7, "bo@example.org", "Andet svar", c.Version+1); err != nil {
		t.Fatal(err)
	}
	if len(replies) != 2 || replies[0].InReplyTo != "" || replies[1].InReplyTo != "<reply-b@example.org>" {
		t.Errorf("replies thread wrong: %+v", replies)
	}
	failReply = true
	if _, err := cases.ReplyByMail(ctx, c.ID, 7, "bo@example.org", "Tredje svar", c.Version+2); err == nil {
		t.Fatal("a reply whose mail failed was recorded")
	}
	entries, err := cases.Timeline(ctx, c.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if e.Kind == support.EntryReply {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d replies on the timeline, want 2", n)
	}
	if _, err := cases.ReplyByMail(ctx, c.ID, 7, "", "Uden adresse", c.Version+2); !errors.Is(err, support.ErrContactRequired) {
		t.Errorf("reply without an address: %v", err)
	}
}
