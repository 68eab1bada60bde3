package mail_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"mitidportal/db"
	"mitidportal/mail"
	"mitidportal/mail/mailtest"
)

func TestCommittedMailIsDelivered(t *testing.T) {
	t.Parallel()
	smtp := mailtest.Start(t)
	pool, outbox := newOutbox(t, smtp.Port)

	id := enqueue(t, pool, outbox, mail.Message{
		To: "Karen Jensen <Karen@Example.dk>", Subject: "Din adgangskode er ændret",
		Text: "Hej Karen,\nDin adgangskode til MitID blev ændret i dag.", Kind: "notification.password_changed",
	})

	msgs := smtp.WaitFor(1, 10*time.Second)
	row := waitRow(t, pool, id, "sent", sent)
	got := msgs[0]
	if got.Subject != "Din adgangskode er ændret" {
		t.Errorf("Subject = %q", got.Subject)
	}
	if len(got.To) != 1 || got.To[0] != "Karen@Example.dk" {
		t.Errorf("envelope recipients = %q, want the bare address", got.To)
	}
	if got.From != "no-reply@mitid.test" {
		t.Errorf("envelope sender = %q", got.From)
	}
	if h := got.Header.Get("To"); !strings.Contains(h, "Karen@Example.dk") {
		t.Errorf("To header = %q", h)
	}
	if got.Text != "Hej Karen,\nDin adgangskode til MitID blev ændret i dag." {
		t.Errorf("text body = %q", got.Text)
	}
	if got.HTML != "" {
		t.Errorf("a text-only mail got an HTML part: %q", got.HTML)
	}
	if h := got.Header.Get("Message-Id"); h != row.MessageID || !strings.HasSuffix(h, "@portal.test>") {
		t.Errorf("Message-ID header = %q, stored %q", h, row.MessageID)
	}
	if h := got.Header.Get("Auto-Submitted"); h != "auto-generated" {
		t.Errorf("Auto-Submitted = %q", h)
	}
	if got.Header.Get("In-Reply-To") != "" || got.Header.Get("References") != "" {
		t.Error("a first mail carries In-Reply-To or References")
	}
	if row.Attempts != 1 || row.LastError != "" || row.To != "Karen@Example.dk" {
		t.Errorf("row after delivery: attempts %d, last error %q, to %q", row.Attempts, row.LastError, row.To)
	}

	// The job carries only the row id; the body stays out of River's tables.
	if n := count(t, pool, fmt.Sprintf(`SELECT count(*) FROM river_job WHERE args = '{"id": %d}'`, id)); n != 1 {
		t.Errorf("the job's args are not just the row id")
	}

	recent, err := mail.Recent(t.Context(), pool, "karen@example.dk", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(recent) != 1 || recent[0].ID != id || recent[0].Kind != "notification.password_changed" {
		t.Errorf("Recent = %+v, want mail %d", recent, id)
	}
}

func TestRolledBackMailIsNeverSent(t *testing.T) {
	t.Parallel()
	smtp := mailtest.Start(t)
	pool, outbox := newOutbox(t, smtp.Port)

	errChange := errors.New("the change failed")
	err := db.Transact(t.Context(), pool, func(tx pgx.Tx) error {
		if _, err := outbox.Enqueue(t.Context(), tx, mail.Message{
			To: "a@example.dk", Subject: "Rolled back", Text: "never", Kind: "test.rollback",
		}); err != nil {
			return err
		}
		return errChange
	})
	if !errors.Is(err, errChange) {
		t.Fatalf("Transact = %v, want the change's error", err)
	}
	if n := count(t, pool, `SELECT count(*) FROM mail_outbox`); n != 0 {
		t.Errorf("%d outbox rows after rollback, want 0", n)
	}
	if n := count(t, pool, `SELECT count(*) FROM river_job`); n != 0 {
		t.Errorf("%d jobs after rollback, want 0", n)
	}

	// A committed mail enqueued afterwards arrives alone: the queue is working, and nothing of
	// the rolled-back one is left to send.
	id := enqueue(t, pool, outbox, mail.Message{To: "b@example.dk", Subject: "Committed", Text: "yes", Kind: "test.commit"})
	waitRow(t, pool, id, "sent", sent)
	if msgs := smtp.Messages(); len(msgs) != 1 || msgs[0].Subject != "Committed" {
		t.Errorf("SMTP server got %d messages (%+v), want only the committed one", len(msgs), msgs)
	}
}

func TestMailSurvivesSMTPOutage(t *testing.T) {
	t.Parallel()
	port, down := mailtest.RefusingPort(t) // the mail server is down until it "comes back"
	pool, outbox := newOutbox(t, port)

	body := "Din engangskode er 493817."
	id := enqueue(t, pool, outbox, mail.Message{To: "c@example.dk", Subject: "Kode", Text: body, Kind: "test.outage"})

	row := waitRow(t, pool, id, "retried", func(s mail.Stored) bool { return s.Attempts >= 2 && s.LastError != "" })
	if row.SentAt != nil {
		t.Fatal("mail marked sent while no SMTP server listened")
	}
	if strings.Contains(row.LastError, "493817") {
		t.Errorf("last_error holds the body: %q", row.LastError)
	}
	if n := count(t, pool, `SELECT count(*) FROM river_job WHERE state IN ('discarded', 'cancelled', 'completed')`); n != 0 {
		t.Errorf("the delivery job was given up during the outage")
	}
	// With River's default backoff, 25 attempts span about three weeks of outage.
	if n := count(t, pool, `SELECT count(*) FROM river_job WHERE max_attempts >= 25`); n != 1 {
		t.Errorf("the delivery job allows fewer than 25 attempts")
	}

	down()
	smtp := mailtest.StartOn(t, port)
	msgs := smtp.WaitFor(1, 10*time.Second)
	row = waitRow(t, pool, id, "sent", sent)
	if msgs[0].Text != body {
		t.Errorf("text body = %q", msgs[0].Text)
	}
	// River marks jobs completed in batches, a moment after Work returns.
	waitCount(t, pool, `SELECT count(*) FROM river_job WHERE state = 'completed'`, 1)
	// The job is completed and the row sent, so nothing can deliver it again.
	if n := len(smtp.Messages()); n != 1 {
		t.Errorf("mail arrived %d times, want once", n)
	}
	// The failed attempts are counted; their error is cleared by the success, so a delivered
	// mail does not look like a failing one.
	if row.Attempts < 3 || row.LastError != "" {
		t.Errorf("after recovery: attempts %d, last error %q; want the failures counted and the error cleared", row.Attempts, row.LastError)
	}
}

func TestHTMLAlternativeAndThreading(t *testing.T) {
	t.Parallel()
	smtp := mailtest.Start(t)
	pool, outbox := newOutbox(t, smtp.Port)

	first, err := outbox.Send(t.Context(), pool, mail.Message{
		To: "d@example.dk", Subject: "Sag 2026-17", Text: "Vi har modtaget din henvendelse.", Kind: "support.case_opened",
	})
	if err != nil {
		t.Fatal(err)
	}
	parent := waitRow(t, pool, first, "sent", sent)
	reply, err := outbox.Send(t.Context(), pool, mail.Message{
		To: "d@example.dk", Subject: "Re: Sag 2026-17", Kind: "support.case_reply",
		Text: "Svar på din henvendelse.", HTML: "<p>Svar på <b>din</b> henvendelse.</p>", InReplyTo: parent.MessageID,
	})
	if err != nil {
		t.Fatal(err)
	}
	waitRow(t, pool, reply, "sent", sent)

	msgs := smtp.WaitFor(2, 10*time.Second)
	got := msgs[1]
	if got.Subject != "Re: Sag 2026-17" {
		t.Fatalf("second message is %q", got.Subject)
	}
	if got.HTML != "<p>Svar på <b>din</b> henvendelse.</p>" {
		t.Errorf("HTML part = %q", got.HTML)
	}
	if got.Text != "Svar på din henvendelse." {
		t.Errorf("text part = %q", got.Text)
	}
	if ct := got.Header.Get("Content-Type"); !strings.HasPrefix(ct, "multipart/alternative") {
		t.Errorf("Content-Type = %q, want multipart/alternative", ct)
	}
	if h := got.Header.Get("In-Reply-To"); h != parent.MessageID {
		t.Errorf("In-Reply-To = %q, want %q", h, parent.MessageID)
	}
	if h := got.Header.Get("References"); h != parent.MessageID {
		t.Errorf("References = %q, want %q", h, parent.MessageID)
	}
	if msgs[0].Header.Get("Message-Id") == got.Header.Get("Message-Id") {
		t.Error("two mails share a Message-ID")
	}
}

func TestEnqueueRejectsInvalidMessages(t *testing.T) {
	t.Parallel()
	pool, outbox := newOutbox(t, refusedPort(t))
	valid := mail.Message{To: "e@example.dk", Subject: "S", Text: "T", Kind: "test.valid"}
	tests := []struct {
		name string
		edit func(*mail.Message)
		want error
	}{
		{"no address", func(m *mail.Message) { m.To = "" }, mail.ErrInvalidAddress},
		{"no at sign", func(m *mail.Message) { m.To = "karen.example.dk" }, mail.ErrInvalidAddress},
		{"two addresses", func(m *mail.Message) { m.To = "a@example.dk, b@example.dk" }, mail.ErrInvalidAddress},
		{"header injection", func(m *mail.Message) { m.To = "a@example.dk\r\nBcc: b@example.dk" }, mail.ErrInvalidAddress},
		{"no kind", func(m *mail.Message) { m.Kind = "" }, mail.ErrInvalidMessage},
		{"no subject", func(m *mail.Message) { m.Subject = " " }, mail.ErrInvalidMessage},
		{"subject line break", func(m *mail.Message) { m.Subject = "S\r\nBcc: b@example.dk" }, mail.ErrInvalidMessage},
		{"no text", func(m *mail.Message) { m.Text = "" }, mail.ErrInvalidMessage},
		{"bad in-reply-to", func(m *mail.Message) { m.InReplyTo = "<a@b>\r\nBcc: x@y" }, mail.ErrInvalidMessage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := valid
			tt.edit(&m)
			if _, err := outbox.Send(t.Context(), pool, m); !errors.Is(err, tt.want) {
				t.Errorf("Send = %v, want %v", err, tt.want)
			}
		})
	}
	if n := count(t, pool, `SELECT count(*) FROM mail_outbox`); n != 0 {
		t.Errorf("%d rows stored from invalid messages", n)
	}
}

// A job that runs again after its row was marked sent (the process died after the update but
// before River recorded the job as completed) must not send the mail a second time.
func TestAlreadySentMailIsSkipped(t *testing.T) {
	t.Parallel()
	smtp := mailtest.Start(t)
	pool, outbox := newOutbox(t, smtp.Port)

	err := db.Transact(t.Context(), pool, func(tx pgx.Tx) error {
		id, err := outbox.Enqueue(t.Context(), tx, mail.Message{To: "f@example.dk", Subject: "S", Text: "T", Kind: "test.sent"})
		if err != nil {
			return err
		}
		_, err = tx.Exec(t.Context(), `UPDATE mail_outbox SET sent_at = now() WHERE id = $1`, id)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	waitCount(t, pool, `SELECT count(*) FROM river_job WHERE state = 'completed'`, 1)
	if n := len(smtp.Messages()); n != 0 {
		t.Errorf("a mail already marked sent was sent again (%d messages)", n)
	}
}

// TestEnqueueThreadedReturnsTheSentMessageID checks that the Message-ID EnqueueThreaded hands
// back is the one the mail goes out with, so a case can thread the citizen's answer to it.
func TestEnqueueThreadedReturnsTheSentMessageID(t *testing.T) {
	t.Parallel()
	smtp := mailtest.Start(t)
	pool, outbox := newOutbox(t, smtp.Port)
	var msgID string
	err := db.Transact(t.Context(), pool, func(tx pgx.Tx) error {
		var err error
		_, msgID, err = outbox.EnqueueThreaded(t.Context(), tx, mail.Message{
			To: "e@example.dk", Subject: "Svar på sag ABCEGH", Text: "Hej", Kind: "support.case_reply"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	got := smtp.WaitFor(1, 10*time.Second)[0]
	if h := got.Header.Get("Message-Id"); h != msgID || !strings.HasPrefix(msgID, "<") {
		t.Errorf("sent Message-Id %q, EnqueueThreaded returned %q", h, msgID)
	}
}

// refusedPort is a port where a mail server is down for the whole test.
func refusedPort(t *testing.T) int {
	port, _ := mailtest.RefusingPort(t)
	return port
}
