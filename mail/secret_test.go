package mail_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"mitidportal/db"
	"mitidportal/mail"
	"mitidportal/mail/mailtest"
)

// TestSecretBodiesAreBlankedAfterDelivery: a mail marked secret reaches the SMTP server whole,
// and then its outbox row holds neither the code nor the link; a mail without the mark keeps
// its body (the demo and support read what was sent).
func TestSecretBodiesAreBlankedAfterDelivery(t *testing.T) {
	t.Parallel()
	smtp := mailtest.Start(t)
	pool, outbox := newOutbox(t, smtp.Port)
	tests := []struct {
		name   string
		msg    mail.Message
		secret string // what must not stay in the row
		kept   bool   // the body stays after delivery
	}{
		{"text only", mail.Message{To: "g@example.dk", Subject: "Aktiveringskode", Kind: "test.code",
			Text: "Din aktiveringskode er QWER-TYUP-ASDF.", Secret: true}, "QWER-TYUP-ASDF", false},
		{"text and HTML", mail.Message{To: "h@example.dk", Subject: "Bekræft", Kind: "test.link",
			Text: "Følg https://portal.test/kontakt/bekraeft/Zx9Tok", HTML: `<a href="https://portal.test/kontakt/bekraeft/Zx9Tok">Bekræft</a>`,
			Secret: true}, "Zx9Tok", false},
		{"not secret", mail.Message{To: "i@example.dk", Subject: "Ændring", Kind: "test.notice",
			Text: "Din adgangskode er ændret.", HTML: "<p>Din adgangskode er ændret.</p>"}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := enqueue(t, pool, outbox, tt.msg)
			row := waitRow(t, pool, id, "sent", sent)
			var got *mailtest.Message
			for _, m := range smtp.Messages() {
				if m.To[0] == tt.msg.To {
					got = &m
				}
			}
			if got == nil {
				t.Fatalf("the SMTP server has no mail to %s", tt.msg.To)
			}
			if got.Text != tt.msg.Text || got.HTML != tt.msg.HTML {
				t.Errorf("delivered text %q, HTML %q; want the bodies as enqueued", got.Text, got.HTML)
			}
			if row.Secret != tt.msg.Secret {
				t.Errorf("row secret = %v, want %v", row.Secret, tt.msg.Secret)
			}
			if tt.kept {
				if row.Text != tt.msg.Text || row.HTML != tt.msg.HTML {
					t.Errorf("a mail without secret lost its body: %q / %q", row.Text, row.HTML)
				}
				return
			}
			if strings.Contains(row.Text+row.HTML, tt.secret) {
				t.Errorf("the sent row still holds %q: text %q, HTML %q", tt.secret, row.Text, row.HTML)
			}
			wantHTML := ""
			if tt.msg.HTML != "" {
				wantHTML = mail.RemovedNotice
			}
			if row.Text != mail.RemovedNotice || row.HTML != wantHTML {
				t.Errorf("row bodies %q / %q, want the notice", row.Text, row.HTML)
			}
			if row.Subject != tt.msg.Subject || row.Kind != tt.msg.Kind {
				t.Errorf("subject or kind changed: %q %q", row.Subject, row.Kind)
			}
		})
	}
}

// TestSecretBlankedWhenGivenUp: a secret mail whose last attempt failed is blanked too (nothing
// will send it any more), and a job retried afterwards does not send the notice in its place.
func TestSecretBlankedWhenGivenUp(t *testing.T) {
	t.Parallel()
	pool, outbox := newOutbox(t, refusedPort(t)) // the server refuses: every attempt fails
	var id int64
	err := db.Transact(t.Context(), pool, func(tx pgx.Tx) error {
		var err error
		id, err = outbox.Enqueue(t.Context(), tx, mail.Message{To: "j@example.dk", Subject: "Kode",
			Text: "Koden er ZXCV-BNMA-SDFG.", Kind: "test.code", Secret: true})
		if err != nil {
			return err
		}
		// Two attempts instead of 25, so the job gives up within the test.
		_, err = tx.Exec(t.Context(), `UPDATE river_job SET max_attempts = 2 WHERE args->>'id' = $1`, fmt.Sprint(id))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	waitCount(t, pool, `SELECT count(*) FROM river_job WHERE state = 'discarded'`, 1)
	row := waitRow(t, pool, id, "given up", func(s mail.Stored) bool { return s.Attempts == 2 })
	if row.Text != mail.RemovedNotice || strings.Contains(row.Text, "ZXCV") {
		t.Errorf("body after the final failure = %q, want the notice", row.Text)
	}
	if row.SentAt != nil || row.LastError == "" {
		t.Errorf("given-up row: sent %v, last error %q; want unsent with its error", row.SentAt, row.LastError)
	}

	// Retried by hand, the blanked mail is cancelled rather than tried again (a try would fail
	// on the closed port and leave the job retryable).
	if _, err := pool.Exec(t.Context(), `UPDATE river_job SET state = 'available', max_attempts = 5,
		scheduled_at = now(), finalized_at = NULL WHERE args->>'id' = $1`, fmt.Sprint(id)); err != nil {
		t.Fatal(err)
	}
	waitCount(t, pool, `SELECT count(*) FROM river_job WHERE state = 'cancelled'`, 1)
	if row, err := mail.Get(t.Context(), pool, id); err != nil || row.Attempts != 2 {
		t.Errorf("after the retry by hand: attempts %d (%v), want no new attempt", row.Attempts, err)
	}
}
