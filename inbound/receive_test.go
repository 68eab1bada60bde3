package inbound_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/smtp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"mitidportal/audit"
	"mitidportal/blob"
	"mitidportal/db/dbtest"
	"mitidportal/identity"
	"mitidportal/inbound"
	"mitidportal/support"
)

// mailEnv is a real inbound SMTP listener on a test database, with receipts recorded (as app/
// records them) and counted per address.
type mailEnv struct {
	pool     *pgxpool.Pool
	cases    *support.Cases
	srv      *inbound.Server
	mu       sync.Mutex
	receipts map[string]int
	n        atomic.Int64
}

func newMailEnv(t *testing.T) *mailEnv {
	t.Helper()
	pool := dbtest.New(t)
	loc, err := time.LoadLocation("Europe/Copenhagen")
	if err != nil {
		t.Fatal(err)
	}
	files, err := blob.NewDisk(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	log := audit.NewLog(pool)
	env := &mailEnv{pool: pool, cases: support.NewCases(pool, support.DefaultSchedule(loc), support.WithHooks(support.Hooks{
		Audit: func(ctx context.Context, tx pgx.Tx, a support.StaffAction) error {
			return log.Append(ctx, tx, audit.Entry{Actor: audit.Staff(a.StaffID), Action: audit.Action(a.Action),
				Subject: audit.Case(a.Ref), Detail: a.Detail})
		}})), receipts: map[string]int{}}
	throttle := identity.NewAddressThrottle(pool, map[string]identity.ThrottleRule{
		inbound.ThrottleReceipt: {Max: inbound.ReceiptLimit, Window: inbound.ReceiptWindow}})
	receipt := func(ctx context.Context, tx pgx.Tx, c support.Case, inReplyTo string) error {
		env.mu.Lock()
		env.receipts[c.Email]++
		env.mu.Unlock()
		return inbound.RecordReceipt(ctx, tx, fmt.Sprintf("<receipt%d@localhost>", env.n.Add(1)), c.ID)
	}
	recv := inbound.NewReceiver(pool, env.cases, inbound.WithFiles(files), inbound.WithReceipts(throttle, receipt))
	env.srv = inbound.NewServer(recv, "localhost", slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := env.srv.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { env.srv.Close() })
	return env
}

func (e *mailEnv) receiptsTo(addr string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.receipts[addr]
}

// send delivers a raw mail with envelope sender from ("" for a bounce).
func (e *mailEnv) send(from, raw string) error {
	return smtp.SendMail(e.srv.Addr(), nil, from, []string{"support@localhost"}, []byte(raw))
}

// mailText is a plain mail; extra holds more header lines, each ending in \r\n.
func mailText(from, subject, msgID, extra, body string) string {
	return "From: " + from + "\r\nTo: support@localhost\r\nSubject: " + subject + "\r\nMessage-ID: " + msgID +
		"\r\n" + extra + "Content-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n"
}

// caseOf returns the case a mail with Message-ID msgID landed on.
func (e *mailEnv) caseOf(t *testing.T, msgID string) support.Case {
	t.Helper()
	c, err := e.cases.ByMessageID(context.Background(), msgID)
	if err != nil {
		t.Fatalf("mail %s is on no case: %v", msgID, err)
	}
	return c
}

func (e *mailEnv) notes(t *testing.T, caseID int64) []string {
	t.Helper()
	tl, err := e.cases.Timeline(context.Background(), caseID, true)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, en := range tl {
		if en.Kind == support.EntryNote {
			out = append(out, en.Body)
		}
	}
	return out
}

// TestMailOpensCase: a mail without a reference opens an e-mail case with a receipt; the
// answer to the receipt lands on that case, reopens it and marks it unread; a stranger's mail
// naming the case is kept as a case of its own with a note naming the first; mails sent by
// machines are kept but never answered.
func TestMailOpensCase(t *testing.T) {
	env := newMailEnv(t)
	ctx := context.Background()
	if err := env.send("anna@example.dk", mailText(`"Anna Hansen" <anna@example.dk>`, "Min kodeviser virker ikke",
		"<m1@example.dk>", "Content-Language: en-GB\r\n", "Hjælp")); err != nil {
		t.Fatal(err)
	}
	first := env.caseOf(t, "<m1@example.dk>")
	want := support.Case{Channel: support.ChannelEmail, System: support.SystemMitID, Category: support.CategoryOther,
		Priority: support.PriorityNormal, Status: support.StatusNew, Name: "Anna Hansen", Email: "anna@example.dk",
		Lang: "en", Subject: "Min kodeviser virker ikke"}
	got := support.Case{Channel: first.Channel, System: first.System, Category: first.Category, Priority: first.Priority,
		Status: first.Status, Name: first.Name, Email: first.Email, Lang: first.Lang, Subject: first.Subject}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("case %+v, want %+v", got, want)
	}
	if n := env.receiptsTo("anna@example.dk"); n != 1 {
		t.Errorf("%d receipts, want 1", n)
	}
	receipt, err := inbound.ReceiptOf(ctx, env.pool, first.ID)
	if err != nil || receipt == "" {
		t.Fatalf("no receipt recorded: %v", err)
	}
	// The desk waits for the citizen; their answer reopens the case and marks it unread.
	if _, err := env.cases.SetStatus(ctx, first.ID, 0, support.StatusWaiting, first.Version); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name, envelope, raw, msgID string
		// own: the mail opens a case of its own (else it lands on first)
		own      bool
		receipts int    // receipts to the sender after the mail
		note     string // a note the mail's case must have
	}{
		{"answer to the receipt", "anna@example.dk", mailText("anna@example.dk", "Re: kvittering", "<m2@example.dk>",
			"In-Reply-To: "+receipt+"\r\nReferences: "+receipt+"\r\n", "Tak, nu virker den"), "<m2@example.dk>", false, 1, ""},
		{"stranger naming the case", "mallory@example.org", mailText("mallory@example.org", "Sag ["+first.Ref+"]",
			"<m3@example.org>", "", "Spær alt"), "<m3@example.org>", true, 1, "Mailen henviste til sag " + first.Ref},
		{"auto-reply", "bob@example.dk", mailText("bob@example.dk", "Out of office", "<m4@example.dk>",
			"Auto-Submitted: auto-replied\r\n", "Jeg er på ferie"), "<m4@example.dk>", true, 0, ""},
		{"auto-submitted no is a person", "carl@example.dk", mailText("carl@example.dk", "Hej", "<m5@example.dk>",
			"Auto-Submitted: no\r\n", "Et spørgsmål"), "<m5@example.dk>", true, 1, ""},
		{"list mail", "dora@example.dk", mailText("dora@example.dk", "Nyhedsbrev", "<m6@example.dk>",
			"Precedence: bulk\r\n", "Nyt"), "<m6@example.dk>", true, 0, ""},
		{"bounce", "", mailText("eve@example.dk", "Undeliverable", "<m7@example.dk>", "", "Kunne ikke leveres"),
			"<m7@example.dk>", true, 0, ""},
		{"mailer-daemon", "mailer-daemon@example.dk", mailText("MAILER-DAEMON@example.dk", "Failure", "<m8@example.dk>", "",
			"Delivery failed"), "<m8@example.dk>", true, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := env.send(tt.envelope, tt.raw); err != nil {
				t.Fatalf("refused: %v", err)
			}
			c := env.caseOf(t, tt.msgID)
			if (c.ID != first.ID) != tt.own {
				t.Errorf("case %s, the first is %s: own case %v, want %v", c.Ref, first.Ref, c.ID != first.ID, tt.own)
			}
			if n := env.receiptsTo(c.Email); n != tt.receipts {
				t.Errorf("%d receipts to %s, want %d", n, c.Email, tt.receipts)
			}
			if !tt.own && c.UnreadSince.IsZero() {
				t.Error("the case is not marked unread") // a new case is in the queue of new ones instead
			}
			if tt.note != "" && !strings.Contains(strings.Join(env.notes(t, c.ID), "\n"), tt.note) {
				t.Errorf("notes %q, want one with %q", env.notes(t, c.ID), tt.note)
			}
		})
	}
	again, err := env.cases.Get(ctx, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	if again.Status != support.StatusOpen {
		t.Errorf("status %s after the citizen's answer, want open", again.Status)
	}
	// Delivered twice, recorded once: no second case, no second receipt.
	if err := env.send("carl@example.dk", mailText("carl@example.dk", "Hej", "<m5@example.dk>", "", "Et spørgsmål")); err != nil {
		t.Fatal(err)
	}
	if n := env.receiptsTo("carl@example.dk"); n != 1 {
		t.Errorf("a mail delivered twice got %d receipts", n)
	}
}

// TestReceiptLimitParallel: 100 mails from one sender at once are all kept as cases, and exactly
// ReceiptLimit of them are answered.
func TestReceiptLimitParallel(t *testing.T) {
	env := newMailEnv(t)
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for i := range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- env.send("flood@example.dk", mailText("flood@example.dk", fmt.Sprintf("Mail %d", i),
				fmt.Sprintf("<flood%d@example.dk>", i), "", "Igen"))
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	var cases int
	if err := env.pool.QueryRow(context.Background(), `SELECT count(*) FROM support_case WHERE contact_email = 'flood@example.dk'`).Scan(&cases); err != nil {
		t.Fatal(err)
	}
	if cases != 100 {
		t.Errorf("%d cases, want 100", cases)
	}
	if n := env.receiptsTo("flood@example.dk"); n != inbound.ReceiptLimit {
		t.Errorf("%d receipts, want %d", n, inbound.ReceiptLimit)
	}
}
