package handlers_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"mitidportal/app/apptest"
	"mitidportal/identity"
	"mitidportal/locales"
	"mitidportal/session"
	"mitidportal/support"
)

// citizenBrowser is a browser logged in as the citizen m, as a fresh substantial login makes it.
func citizenBrowser(t *testing.T, env *apptest.Env, m identity.MitID) *browser {
	t.Helper()
	cookie := env.LoginAs(t, session.Subject{Kind: session.KindCitizen, ID: m.ID, Roles: []string{"citizen"},
		Level: "substantial", AuthenticatedAt: time.Now(), Name: m.Username})
	return newBrowser(t, env, cookie, apptest.CSRFToken)
}

// outboxMail is the newest mail of kind to address, or fails the test.
type outboxMail struct{ Subject, Text, MessageID string }

func lastMail(t *testing.T, env *apptest.Env, to, kind string) outboxMail {
	t.Helper()
	var m outboxMail
	err := env.App.Pool.QueryRow(context.Background(), `
		SELECT subject, text_body, message_id FROM mail_outbox WHERE to_address = $1 AND kind = $2
		ORDER BY id DESC LIMIT 1`, to, kind).Scan(&m.Subject, &m.Text, &m.MessageID)
	if err != nil {
		t.Fatalf("no %s mail to %s: %v", kind, to, err)
	}
	return m
}

func count(t *testing.T, env *apptest.Env, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := env.App.Pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

var shownRef = regexp.MustCompile(`data-testid="case-ref">([A-Z]{6})<`)

func caseForm(subject string) url.Values {
	return url.Values{"system": {"mitid"}, "category": {"login"}, "subject": {subject},
		"message": {"Jeg kan ikke logge ind.\nKodeviseren viser ingenting."}}
}

// TestContactLoggedInOpensCase: a logged-in citizen's web case opens at once, tied to the MitID
// with the register's address, shows its reference code and sends a threaded receipt.
func TestContactLoggedInOpensCase(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	ctx := context.Background()
	tr := mustCatalog(t).For("da")
	m := env.NewCitizen(t)
	contact, err := identity.ContactOf(ctx, env.App.Pool, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	b := citizenBrowser(t, env, m)
	if body := b.page(t, "/kontakt/skriv"); strings.Contains(body, `name="email"`) || !strings.Contains(body, `name="subject"`) {
		t.Error("the logged-in form asks for an e-mail address, or lacks the subject")
	}
	for _, tt := range []struct {
		name   string
		fields url.Values
		want   []string
	}{
		{"nothing", url.Values{}, []string{"citizencases.err.system_required", "citizencases.err.category_required",
			support.ErrSubjectRequired.MsgID, support.ErrBodyRequired.MsgID}},
		{"unknown system", url.Values{"system": {"facebook"}, "category": {"login"}, "subject": {"x"}, "message": {"y"}},
			[]string{support.ErrSystemInvalid.MsgID}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res, body := b.post(t, "/kontakt/skriv", tt.fields)
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `data-testid="error-summary"`) {
				t.Errorf("%d, want 422 with the error summary", res.StatusCode)
			}
			for _, id := range tt.want {
				if !strings.Contains(html.UnescapeString(body), tr.T(id)) {
					t.Errorf("no %q", tr.T(id))
				}
			}
		})
	}
	if n := count(t, env, `SELECT count(*) FROM support_case`); n != 0 {
		t.Fatalf("%d cases after refused forms", n)
	}

	res, body := b.post(t, "/kontakt/skriv", caseForm("Kan ikke logge ind"))
	ref := shownRef.FindStringSubmatch(body)
	if res.StatusCode != http.StatusOK || ref == nil {
		t.Fatalf("submit: %d, no reference code shown", res.StatusCode)
	}
	cs, err := env.App.Cases.ByRef(ctx, ref[1])
	if err != nil {
		t.Fatal(err)
	}
	if cs.MitIDID != m.ID || cs.Email != contact.Email || cs.Channel != support.ChannelWeb || cs.Status != support.StatusNew {
		t.Errorf("case %+v: want MitID %d, address %s, web, new", cs, m.ID, contact.Email)
	}
	receipt := lastMail(t, env, contact.Email, "case.receipt")
	if !strings.Contains(receipt.Subject, "["+cs.Ref+"]") || !strings.Contains(receipt.Text, cs.Ref) {
		t.Errorf("receipt %q lacks the reference code", receipt.Subject)
	}
	if n := count(t, env, `SELECT count(*) FROM contact_receipt WHERE message_id = $1 AND case_id = $2`, receipt.MessageID, cs.ID); n != 1 {
		t.Error("the receipt's Message-ID is not recorded for the case")
	}
}

// TestContactAnonymousConfirm: an anonymous submission opens no case until the link from the
// mail is followed; the link opens exactly one case and then no longer works.
func TestContactAnonymousConfirm(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	ctx := context.Background()
	tr := mustCatalog(t).For("en")
	b := newBrowser(t, env, env.LoginAs(t, session.Subject{}), apptest.CSRFToken)
	if body := b.page(t, "/kontakt/skriv?lang=en"); !strings.Contains(body, `name="email"`) || !strings.Contains(body, `name="name"`) {
		t.Fatal("the anonymous form lacks name or e-mail")
	}
	fields := caseForm("Lost my code display")
	res, body := b.post(t, "/kontakt/skriv", fields)
	for _, id := range []string{support.ErrNameRequired.MsgID, "citizencases.err.email_required"} {
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(html.UnescapeString(body), tr.T(id)) {
			t.Errorf("without name and address: %d, want 422 with %q", res.StatusCode, tr.T(id))
		}
	}
	fields.Set("name", "Anna Andersen")
	fields.Set("email", "not-an-address")
	if res, body := b.post(t, "/kontakt/skriv", fields); res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(html.UnescapeString(body), tr.T(support.ErrEmailInvalid.MsgID)) {
		t.Errorf("bad address: %d, want 422 with the address error", res.StatusCode)
	}
	fields.Set("email", "anna@example.org")
	if res, body := b.post(t, "/kontakt/skriv", fields); res.StatusCode != http.StatusOK || !strings.Contains(body, `data-testid="contact-sent"`) {
		t.Fatalf("submit: %d, want the check-your-mail page", res.StatusCode)
	}
	if n := count(t, env, `SELECT count(*) FROM support_case`); n != 0 {
		t.Fatalf("%d cases before the address is confirmed", n)
	}
	confirm := lastMail(t, env, "anna@example.org", "case.contact_confirm")
	link := regexp.MustCompile(`http://\S+/kontakt/bekraeft/\S+`).FindString(confirm.Text)
	if link == "" || confirm.Subject != tr.T("citizencases.mail.confirm_subject") {
		t.Fatalf("confirmation mail %q (English) without a link:\n%s", confirm.Subject, confirm.Text)
	}
	path := strings.TrimPrefix(link, env.URL)
	res, _ = b.post(t, "/kontakt/skriv", fields) // a second submission has its own link
	if res.StatusCode != http.StatusOK {
		t.Fatalf("second submit: %d", res.StatusCode)
	}
	// Following the link shows the submission and a button; it spends nothing.
	for range 2 {
		if body := b.page(t, path); !strings.Contains(body, `data-testid="contact-confirm"`) || !strings.Contains(body, "Lost my code display") {
			t.Fatalf("the link's page lacks the submission or the button:\n%s", body)
		}
	}
	if n := count(t, env, `SELECT count(*) FROM contact_pending`); n != 2 {
		t.Fatalf("%d pending submissions after GETs of the link, want 2", n)
	}
	if n := count(t, env, `SELECT count(*) FROM support_case`); n != 0 {
		t.Fatalf("%d cases after GETs of the link, want 0", n)
	}
	res, body = b.post(t, path, url.Values{})
	ref := shownRef.FindStringSubmatch(body)
	if res.StatusCode != http.StatusOK || ref == nil {
		t.Fatalf("confirm: %d, no reference code", res.StatusCode)
	}
	cs, err := env.App.Cases.ByRef(ctx, ref[1])
	if err != nil || cs.Email != "anna@example.org" || cs.Name != "Anna Andersen" || cs.MitIDID != 0 || cs.Lang != "en" {
		t.Fatalf("case %+v, %v", cs, err)
	}
	timeline, err := env.App.Cases.Timeline(ctx, cs.ID, true)
	if err != nil || len(timeline) != 1 || !strings.Contains(timeline[0].Body, "Kodeviseren") {
		t.Errorf("timeline %+v, %v: want the message", timeline, err)
	}
	if r := lastMail(t, env, "anna@example.org", "case.receipt"); !strings.Contains(r.Subject, cs.Ref) {
		t.Errorf("receipt %q lacks %s", r.Subject, cs.Ref)
	}
	for _, p := range []string{path, "/kontakt/bekraeft/" + strings.Repeat("A", 43), "/kontakt/bekraeft/x"} {
		if status, _ := b.get(t, p); status != http.StatusNotFound {
			t.Errorf("GET %s after use: %d, want 404", p, status)
		}
		if res, _ := b.post(t, p, url.Values{}); res.StatusCode != http.StatusNotFound {
			t.Errorf("POST %s after use: %d, want 404", p, res.StatusCode)
		}
	}
	if n := count(t, env, `SELECT count(*) FROM support_case`); n != 1 {
		t.Errorf("%d cases, want 1 (the second submission is still waiting)", n)
	}
}

// TestContactAnonymousThrottled: one e-mail address gets a bounded number of confirmation mails.
func TestContactAnonymousThrottled(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	fields := caseForm("Hjælp")
	fields.Set("name", "Bo")
	fields.Set("email", "bo@example.org")
	bound := identity.DefaultThrottleRules[identity.ThrottleContact].Max
	for i := range bound + 1 {
		b := newBrowser(t, env, env.LoginAs(t, session.Subject{}), apptest.CSRFToken)
		res, body := b.post(t, "/kontakt/skriv", fields)
		switch {
		case i < bound && res.StatusCode != http.StatusOK:
			t.Fatalf("submission %d: %d", i+1, res.StatusCode)
		case i == bound && (res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" ||
			!strings.Contains(body, `data-testid="error-summary"`)):
			t.Errorf("submission %d: %d, want 429 with Retry-After and the form's error summary", i+1, res.StatusCode)
		}
	}
	if n := count(t, env, `SELECT count(*) FROM mail_outbox WHERE kind = 'case.contact_confirm'`); n != bound {
		t.Errorf("%d confirmation mails, want %d", n, bound)
	}
}

func mustCatalog(t *testing.T) *locales.Catalog {
	t.Helper()
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

func readAll(t *testing.T, res *http.Response) string {
	t.Helper()
	defer res.Body.Close()
	var sb strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := res.Body.Read(buf)
		sb.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return sb.String()
}
