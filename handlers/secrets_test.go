package handlers_test

import (
	"context"
	mrand "math/rand/v2"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"mitidportal/app/apptest"
	"mitidportal/identity"
	"mitidportal/mail"
	"mitidportal/mail/demobox"
)

var (
	activationCode = regexp.MustCompile(`\b[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}\b`)
	confirmLink    = regexp.MustCompile(`/kontakt/bekraeft/[A-Za-z0-9_-]+`)
)

// TestSentSecretsLeaveTheOutbox walks the two pages that mail a secret, with mail going to the
// demo mail server as in `make run`: the server receives the code or link, the outbox row keeps
// only the notice once sent, the demo mailbox still shows the secret (from the server), and the
// secret works.
func TestSentSecretsLeaveTheOutbox(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{DemoMailbox: true})
	ctx := context.Background()
	tests := []struct {
		name, kind string
		secret     *regexp.Regexp
		// send fills the page's form as a citizen would and returns the recipient and a browser
		// that can use the secret.
		send func(t *testing.T) (string, *browser)
		// use spends the secret and reports whether the portal took it.
		use func(t *testing.T, b *browser, secret string) bool
	}{
		{"activation code", "activation_code", activationCode,
			func(t *testing.T) (string, *browser) {
				p := identity.GenerateDemoPersons(mrand.New(mrand.NewPCG(uint64(time.Now().UnixNano()), 7)), 1)[0]
				p.Deceased, p.IDDocumentNumber, p.Email = false, "123456789", "kode@example.org"
				if err := env.App.Persons.Insert(ctx, p); err != nil {
					t.Fatal(err)
				}
				b := newBrowser(t, env, nil, "")
				b.page(t, "/opret")
				fields := url.Values{"cpr": {string(p.CPR)}, "name": {p.FullName()}, "document": {p.IDDocumentNumber}}
				if res := b.form(t, "/opret", fields); res.StatusCode != http.StatusSeeOther {
					t.Fatalf("POST /opret: %d", res.StatusCode)
				}
				return p.Email, b
			},
			func(t *testing.T, b *browser, code string) bool {
				b.page(t, "/opret/kode")
				res := b.form(t, "/opret/kode", url.Values{"code": {code}})
				// A right code goes on through /aktiver/videre (activation_grant.go).
				return res.StatusCode == http.StatusSeeOther && res.Header.Get("Location") == "/aktiver/videre"
			}},
		{"contact confirmation link", "case.contact_confirm", confirmLink,
			func(t *testing.T) (string, *browser) {
				b := newBrowser(t, env, nil, "")
				b.page(t, "/kontakt/skriv")
				fields := caseForm("Hjælp til kodeviser")
				fields.Set("name", "Bodil Bekræft")
				fields.Set("email", "link@example.org")
				if res, _ := b.post(t, "/kontakt/skriv", fields); res.StatusCode != http.StatusOK {
					t.Fatalf("POST /kontakt/skriv: %d", res.StatusCode)
				}
				return "link@example.org", b
			},
			func(t *testing.T, b *browser, path string) bool {
				// The link shows the submission with a button; the POST spends it.
				b.page(t, path)
				res, body := b.post(t, path, url.Values{})
				return res.StatusCode == http.StatusOK && shownRef.MatchString(body)
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			to, b := tt.send(t)
			got := waitDemoMail(t, env.DemoMail, to)
			secret := tt.secret.FindString(got.Text)
			if secret == "" {
				t.Fatalf("the mail server got no secret in:\n%s", got.Text)
			}
			row := waitOutboxSent(t, env, to, tt.kind)
			if !row.Secret || strings.Contains(row.Text+row.HTML, secret) || row.Text != mail.RemovedNotice {
				t.Errorf("the sent outbox row (secret %v) still holds %q or lacks the notice:\n%s", row.Secret, secret, row.Text)
			}
			if row.Subject != got.Subject {
				t.Errorf("the row's subject %q changed (sent %q)", row.Subject, got.Subject)
			}
			_, page := get(t, env, "/demo/post", nil)
			if !strings.Contains(page, secret) {
				t.Errorf("the demo mailbox does not show %q", secret)
			}
			if !tt.use(t, b, secret) {
				t.Errorf("the delivered %s %q was not accepted", tt.name, secret)
			}
		})
	}
}

// waitDemoMail waits up to 10 s for the demo mail server to receive a mail to addr.
func waitDemoMail(t *testing.T, box *demobox.Box, addr string) demobox.Mail {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		for _, m := range box.Recent(100) {
			if len(m.To) == 1 && strings.EqualFold(m.To[0], addr) {
				return m
			}
		}
	}
	t.Fatalf("no mail to %s reached the demo mail server within 10 s", addr)
	return demobox.Mail{}
}

// waitOutboxSent waits up to 10 s for the newest mail of kind to addr to be marked sent.
func waitOutboxSent(t *testing.T, env *apptest.Env, addr, kind string) mail.Stored {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		mails, err := mail.Recent(context.Background(), env.App.Pool, addr, 10)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range mails {
			if m.Kind == kind && m.SentAt != nil {
				return m
			}
		}
	}
	t.Fatalf("no sent %s mail to %s within 10 s", kind, addr)
	return mail.Stored{}
}
