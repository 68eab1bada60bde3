package newsletter_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"mitidportal/campaign/newsletter"
	"mitidportal/db/dbtest"
	"mitidportal/locales"
)

// env is a Newsletter whose hooks record the subscription mails in memory and write each
// issue mail to a table in the mail's transaction, so the table holds exactly the mails that
// would have been sent.
type env struct {
	pool *pgxpool.Pool
	nl   *newsletter.Newsletter
	now  time.Time

	mu     sync.Mutex
	mails  []newsletter.Mail
	events []newsletter.Event
	// onIssue runs before each issue mail is written (tests crash or unsubscribe there).
	onIssue func(ctx context.Context, k int) error
	issues  int
}

func newEnv(t *testing.T) *env {
	e := &env{pool: dbtest.New(t), now: time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)}
	ctx := context.Background()
	if _, err := e.pool.Exec(ctx, `CREATE TABLE news_sent (issue_id bigint, subscriber_id bigint, email text,
		lang text, subject text, token text)`); err != nil {
		t.Fatal(err)
	}
	var err error
	e.nl, err = newsletter.New(e.pool, make([]byte, 32), nil, newsletter.Hooks{
		Audit: func(_ context.Context, _ pgx.Tx, ev newsletter.Event) error {
			e.mu.Lock()
			defer e.mu.Unlock()
			e.events = append(e.events, ev)
			return nil
		},
		Mail: func(_ context.Context, _ pgx.Tx, m newsletter.Mail) error {
			e.mu.Lock()
			defer e.mu.Unlock()
			e.mails = append(e.mails, m)
			return nil
		},
		Issue: func(ctx context.Context, tx pgx.Tx, m newsletter.IssueMail) error {
			e.mu.Lock()
			e.issues++
			k, hook := e.issues, e.onIssue
			e.mu.Unlock()
			if hook != nil {
				if err := hook(ctx, k); err != nil {
					return err
				}
			}
			_, err := tx.Exec(ctx, `INSERT INTO news_sent VALUES ($1, $2, $3, $4, $5, $6)`,
				m.IssueID, m.SubscriberID, m.Email, m.Lang, m.Subject, m.Unsubscribe)
			return err
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	e.nl.SetClock(func() time.Time { return e.now })
	return e
}

func (e *env) lastMail(t *testing.T) newsletter.Mail {
	t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.mails) == 0 {
		t.Fatal("no mail")
	}
	return e.mails[len(e.mails)-1]
}

// subscribers makes k active subscribers directly (the opt-in is tested on its own).
func (e *env) subscribers(t *testing.T, k int) {
	t.Helper()
	_, err := e.pool.Exec(context.Background(), `INSERT INTO newsletter_subscriber (email, lang, status, created_at, confirmed_at)
		SELECT 'abonnent' || g || '@demo.mitid.example', CASE WHEN g % 2 = 0 THEN 'da' ELSE 'en' END, 'active', $2, $2
		FROM generate_series(1, $1) g`, k, e.now)
	if err != nil {
		t.Fatal(err)
	}
}

func (e *env) issue(t *testing.T) newsletter.Issue {
	t.Helper()
	is, err := e.nl.Create(context.Background(), 1, newsletter.Text{SubjectDA: "Nyt om MitID", BodyDA: "Hej **alle**",
		SubjectEN: "News about MitID", BodyEN: "Hello **everyone**"})
	if err != nil {
		t.Fatal(err)
	}
	return is
}

func (e *env) count(t *testing.T, q string, args ...any) int {
	t.Helper()
	var k int
	if err := e.pool.QueryRow(context.Background(), q, args...).Scan(&k); err != nil {
		t.Fatal(err)
	}
	return k
}

// TestDoubleOptIn: a subscription is pending, gets no issue, and becomes active only by the
// confirmation POST; the link works once; looking at it changes nothing.
func TestDoubleOptIn(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if err := e.nl.Subscribe(ctx, "192.0.2.1", " Mette@Demo.MitID.example ", "en"); err != nil {
		t.Fatal(err)
	}
	m := e.lastMail(t)
	if m.Kind != newsletter.MailConfirm || m.Email != "mette@demo.mitid.example" || m.Lang != "en" || m.Token == "" {
		t.Fatalf("mail %+v", m)
	}
	is := e.issue(t)
	if err := e.nl.Send(ctx, 1, is.ID); err != nil {
		t.Fatal(err)
	}
	if n, err := e.nl.Run(ctx); err != nil || n != 0 {
		t.Fatalf("a pending subscriber got the issue: %d, %v", n, err)
	}
	for range 2 {
		s, err := e.nl.ConfirmTarget(ctx, m.Token)
		if err != nil || s.Status != "pending" {
			t.Fatalf("target %+v %v", s, err)
		}
	}
	if s, err := e.nl.Confirm(ctx, m.Token); err != nil || s.Status != "active" {
		t.Fatalf("confirm %+v %v", s, err)
	}
	if _, err := e.nl.Confirm(ctx, m.Token); !errors.Is(err, newsletter.ErrTokenInvalid) {
		t.Fatalf("second confirm: %v", err)
	}
	if _, err := e.nl.ConfirmTarget(ctx, m.Token); !errors.Is(err, newsletter.ErrTokenInvalid) {
		t.Fatalf("spent link still shown: %v", err)
	}
	// Subscribing again while active mails the unsubscribe link and changes nothing.
	if err := e.nl.Subscribe(ctx, "192.0.2.1", "mette@demo.mitid.example", "da"); err != nil {
		t.Fatal(err)
	}
	if m := e.lastMail(t); m.Kind != newsletter.MailAlready {
		t.Fatalf("mail %+v", m)
	}
	if k := e.count(t, `SELECT count(*) FROM newsletter_subscriber WHERE status = 'active' AND lang = 'en'`); k != 1 {
		t.Fatalf("active English subscribers: %d", k)
	}
}

// TestConfirmRefusals: wrong, expired and superseded tokens.
func TestConfirmRefusals(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if err := e.nl.Subscribe(ctx, "192.0.2.1", "a@demo.mitid.example", "da"); err != nil {
		t.Fatal(err)
	}
	first := e.lastMail(t).Token
	if err := e.nl.Subscribe(ctx, "192.0.2.1", "a@demo.mitid.example", "da"); err != nil {
		t.Fatal(err)
	}
	second := e.lastMail(t).Token
	for _, tc := range []struct{ name, token string }{{"unknown", "ABCDEFGHIJKLMNOPQRSTUVWXYZ"}, {"empty", ""},
		{"superseded by a newer link", first}} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := e.nl.Confirm(ctx, tc.token); !errors.Is(err, newsletter.ErrTokenInvalid) {
				t.Fatalf("confirm: %v", err)
			}
		})
	}
	t.Run("expired, then pruned", func(t *testing.T) {
		e.now = e.now.Add(newsletter.PendingLifetime + time.Second)
		if _, err := e.nl.Confirm(ctx, second); !errors.Is(err, newsletter.ErrTokenInvalid) {
			t.Fatalf("confirm: %v", err)
		}
		if n, err := e.nl.Prune(ctx); err != nil || n != 1 {
			t.Fatalf("prune: %d %v", n, err)
		}
		if k := e.count(t, `SELECT count(*) FROM newsletter_subscriber`); k != 0 {
			t.Fatalf("rows left: %d", k)
		}
	})
}

// TestInput: addresses and languages the form refuses.
func TestInput(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		email, lang string
		want        error
	}{
		{"", "da", newsletter.ErrEmailInvalid}, {"mette", "da", newsletter.ErrEmailInvalid},
		{"Mette <m@demo.mitid.example>", "da", newsletter.ErrEmailInvalid}, {"m@localhost", "da", newsletter.ErrEmailInvalid},
		{"m@demo.mitid.example", "de", newsletter.ErrLangInvalid},
	} {
		t.Run(tc.email+"/"+tc.lang, func(t *testing.T) {
			if err := e.nl.Subscribe(context.Background(), "192.0.2.1", tc.email, tc.lang); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}

// TestUnsubscribe: the link is idempotent, a forged one is refused, asking for the link mails
// only subscribed addresses.
func TestUnsubscribe(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.subscribers(t, 1)
	if err := e.nl.RequestUnsubscribe(ctx, "192.0.2.1", "nobody@demo.mitid.example"); err != nil {
		t.Fatal(err)
	}
	if len(e.mails) != 0 {
		t.Fatalf("mailed an address that is not subscribed: %+v", e.mails)
	}
	if err := e.nl.RequestUnsubscribe(ctx, "192.0.2.1", "ABONNENT1@demo.mitid.example"); err != nil {
		t.Fatal(err)
	}
	m := e.lastMail(t)
	if m.Kind != newsletter.MailUnsubscribe || m.Lang != "en" {
		t.Fatalf("mail %+v", m)
	}
	for i := range 3 {
		s, err := e.nl.Unsubscribe(ctx, m.Token)
		if err != nil || s.Status != "unsubscribed" {
			t.Fatalf("unsubscribe %d: %+v %v", i, s, err)
		}
	}
	if k := e.count(t, `SELECT count(*) FROM newsletter_subscriber WHERE status = 'active'`); k != 0 {
		t.Fatalf("still active: %d", k)
	}
	forged := []byte(m.Token)
	forged[3] ^= 1
	if _, err := e.nl.Unsubscribe(ctx, string(forged)); !errors.Is(err, newsletter.ErrTokenInvalid) {
		t.Fatalf("forged: %v", err)
	}
}

// TestInterruptedSendResumes: the instance dies in the second batch (its context cancelled);
// the first batch stays sent, the next run sends the rest, and every subscriber has the issue
// once. A subscriber who unsubscribes during the send is skipped by the later batches.
func TestInterruptedSendResumes(t *testing.T) {
	e := newEnv(t)
	total := 2*newsletter.Batch + 50
	e.subscribers(t, total)
	is := e.issue(t)
	ctx := context.Background()
	if err := e.nl.Send(ctx, 1, is.ID); err != nil {
		t.Fatal(err)
	}
	dying, die := context.WithCancel(ctx)
	e.onIssue = func(_ context.Context, k int) error {
		if k == newsletter.Batch+10 {
			die()
			return context.Canceled
		}
		return nil
	}
	if _, err := e.nl.Run(dying); err == nil {
		t.Fatal("the dying run reported no error")
	}
	if k := e.count(t, `SELECT count(*) FROM news_sent`); k != newsletter.Batch {
		t.Fatalf("after the crash %d mails, want the first batch of %d", k, newsletter.Batch)
	}
	got, err := e.nl.Issue(ctx, is.ID)
	if err != nil || got.Status != newsletter.Sending || got.Delivered != newsletter.Batch || got.Remaining != total-newsletter.Batch {
		t.Fatalf("progress %+v %v", got, err)
	}
	// One of the rest unsubscribes before the send resumes.
	e.onIssue = nil
	if _, err := e.pool.Exec(ctx, `UPDATE newsletter_subscriber SET status = 'unsubscribed' WHERE email = $1`,
		fmt.Sprintf("abonnent%d@demo.mitid.example", total)); err != nil {
		t.Fatal(err)
	}
	if _, err := e.nl.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if k := e.count(t, `SELECT count(*) FROM news_sent`); k != total-1 {
		t.Fatalf("%d mails, want %d", k, total-1)
	}
	if k := e.count(t, `SELECT count(*) FROM (SELECT subscriber_id FROM news_sent GROUP BY 1 HAVING count(*) > 1) x`); k != 0 {
		t.Fatalf("%d subscribers got the issue twice", k)
	}
	if k := e.count(t, `SELECT count(*) FROM news_sent WHERE lang = 'en' AND subject <> 'News about MitID'`); k != 0 {
		t.Fatalf("%d English subscribers got the Danish subject", k)
	}
	if got, _ := e.nl.Issue(ctx, is.ID); got.Status != newsletter.Sent || got.SentAt == nil || got.Remaining != 0 {
		t.Fatalf("after the send %+v", got)
	}
	if err := e.nl.Send(ctx, 1, is.ID); !errors.Is(err, newsletter.ErrNotDraft) {
		t.Fatalf("sent twice: %v", err)
	}
}

// TestParallelSend: 100 workers running the same send mail each subscriber once.
func TestParallelSend(t *testing.T) {
	e := newEnv(t)
	total := 3*newsletter.Batch + 7
	e.subscribers(t, total)
	is := e.issue(t)
	ctx := context.Background()
	if err := e.nl.Send(ctx, 1, is.ID); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for range 100 {
		wg.Go(func() {
			if _, err := e.nl.Run(ctx); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if k := e.count(t, `SELECT count(DISTINCT subscriber_id) FROM news_sent`); k != total {
		t.Fatalf("%d subscribers reached, want %d", k, total)
	}
	if k := e.count(t, `SELECT count(*) FROM news_sent`); k != total {
		t.Fatalf("%d mails for %d subscribers", k, total)
	}
	if got, _ := e.nl.Issue(ctx, is.ID); got.Status != newsletter.Sent {
		t.Fatalf("status %s", got.Status)
	}
}

// TestIssueRules: the editor's form rules, drafts only, audited.
func TestIssueRules(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	ok := newsletter.Text{SubjectDA: "Emne", BodyDA: "Tekst", SubjectEN: "Subject", BodyEN: "Text"}
	for _, tc := range []struct {
		name  string
		edit  func(*newsletter.Text)
		field string
		want  error
	}{
		{"no Danish subject", func(x *newsletter.Text) { x.SubjectDA = "  " }, "subject_da", newsletter.ErrSubjectRequired},
		{"line break in subject", func(x *newsletter.Text) { x.SubjectEN = "a\nBcc: x" }, "subject_en", newsletter.ErrSubjectTooLong},
		{"no English body", func(x *newsletter.Text) { x.BodyEN = "\n" }, "body_en", newsletter.ErrBodyRequired},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x := ok
			tc.edit(&x)
			_, err := e.nl.Create(ctx, 1, x)
			var fe newsletter.FieldError
			if !errors.As(err, &fe) || fe.Field != tc.field || !errors.Is(err, tc.want) {
				t.Fatalf("got %v", err)
			}
		})
	}
	is := e.issue(t)
	if err := e.nl.Update(ctx, 1, is.ID, ok); err != nil {
		t.Fatal(err)
	}
	if err := e.nl.Send(ctx, 1, is.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.nl.Update(ctx, 1, is.ID, ok); !errors.Is(err, newsletter.ErrNotDraft) {
		t.Fatalf("update after send: %v", err)
	}
	if err := e.nl.Update(ctx, 1, 999, ok); !errors.Is(err, newsletter.ErrNotFound) {
		t.Fatalf("update unknown: %v", err)
	}
	var actions []string
	for _, ev := range e.events {
		actions = append(actions, ev.Action)
	}
	if fmt.Sprint(actions) != "[newsletter_issue_created newsletter_issue_updated newsletter_issue_sent]" {
		t.Fatalf("audited %v", actions)
	}
}

// TestMessagesExist checks every message ID the package hands out in every language.
func TestMessagesExist(t *testing.T) {
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range newsletter.MessageIDs() {
		for _, lang := range locales.Supported {
			if !cat.Has(lang, id) {
				t.Errorf("message %q is missing in %s", id, lang)
			}
		}
	}
}
