package handlers_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"mitidportal/app/apptest"
	"mitidportal/campaign/newsletter"
	"mitidportal/mail"
	"mitidportal/session"
	"mitidportal/staff"
)

// newsDrafts are the draft issues of each input fixture, made on first use.
var newsDrafts sync.Map // *inputFixture → int64

func (fx *inputFixture) newsDraftPath() string {
	if id, ok := newsDrafts.Load(fx); ok {
		return fmt.Sprintf("/redaktion/nyhedsbreve/%d", id)
	}
	is, err := fx.env.App.Newsletter.Create(context.Background(), fx.editor().editor.ID, newsletter.Text{
		SubjectDA: "Kladde", BodyDA: "Tekst", SubjectEN: "Draft", BodyEN: "Text"})
	if err != nil {
		panic(err)
	}
	newsDrafts.Store(fx, is.ID)
	return fmt.Sprintf("/redaktion/nyhedsbreve/%d", is.ID)
}

var newsConfirmLink = regexp.MustCompile(`http://\S+/nyhedsbrev/bekraeft/\S+`)

// newsMails are the newsletter's mails to addr, newest first.
func newsMails(t *testing.T, env *apptest.Env, addr string) []mail.Stored {
	t.Helper()
	ms, err := mail.Recent(context.Background(), env.App.Pool, addr, 50)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

// anonymousPost POSTs as a mail client does: no cookie, no CSRF token.
func anonymousPost(t *testing.T, u string) (int, string) {
	t.Helper()
	res, err := http.Post(u, "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func newsEditor(t *testing.T, env *apptest.Env) (staff.User, *browser) {
	t.Helper()
	ed, _, err := env.App.Server.Staff.Create(context.Background(), "nyhedsbrev@styrelsen.dk", "Nina Nyhed", []string{"campaign_editor"})
	if err != nil {
		t.Fatal(err)
	}
	return ed, staffSession(t, env, ed)
}

// TestNewsletterSubscribeOverHTTP: the form's refusals, the same receipt for a new and an
// active address, the confirmation link's GET that writes nothing and its POST (no cookie, no
// CSRF token) that confirms once.
func TestNewsletterSubscribeOverHTTP(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	visitor := newBrowser(t, env, env.LoginAs(t, session.Subject{}), apptest.CSRFToken)
	if body := visitor.page(t, "/nyhedsbrev"); !strings.Contains(body, `data-testid="news-subscribe-form"`) ||
		!strings.Contains(body, `value="da" checked`) {
		t.Fatalf("no subscribe form with Danish chosen:\n%.2000s", body)
	}
	for _, tc := range []struct {
		name, path string
		fields     url.Values
		field      string
	}{
		{"no address", "/nyhedsbrev", url.Values{"email": {" "}, "lang": {"da"}}, "email"},
		{"not an address", "/nyhedsbrev", url.Values{"email": {"mette"}, "lang": {"da"}}, "email"},
		{"a display name", "/nyhedsbrev", url.Values{"email": {"Mette <m@demo.mitid.example>"}, "lang": {"da"}}, "email"},
		{"no language", "/nyhedsbrev", url.Values{"email": {"m@demo.mitid.example"}}, "lang"},
		{"an unknown language", "/nyhedsbrev", url.Values{"email": {"m@demo.mitid.example"}, "lang": {"de"}}, "lang"},
		{"unsubscribe without address", "/nyhedsbrev/afmeld", url.Values{"unsub_email": {""}}, "unsub_email"},
		{"unsubscribe, not an address", "/nyhedsbrev/afmeld", url.Values{"unsub_email": {"@"}}, "unsub_email"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := count(t, env, `SELECT count(*) FROM mail_outbox`)
			res, body := visitor.post(t, tc.path, tc.fields)
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#`+tc.field+`"`) {
				t.Errorf("status %d, want 422 with the summary naming %s", res.StatusCode, tc.field)
			}
			if n := count(t, env, `SELECT count(*) FROM mail_outbox`); n != before {
				t.Errorf("%d mails written", n-before)
			}
		})
	}

	receipt := func(addr string) string {
		t.Helper()
		res, body := visitor.post(t, "/nyhedsbrev", url.Values{"email": {addr}, "lang": {"en"}})
		if res.StatusCode != http.StatusOK {
			t.Fatalf("subscribe %s: %d", addr, res.StatusCode)
		}
		_, after, _ := strings.Cut(body, `data-testid="news-receipt"`)
		text, _, _ := strings.Cut(after, "</div>")
		return strings.ReplaceAll(text, strings.ToLower(addr), "ADDR")
	}
	first := receipt("Mette@Demo.MitID.example")
	ms := newsMails(t, env, "mette@demo.mitid.example")
	if len(ms) != 1 || !ms[0].Secret || !strings.Contains(ms[0].Subject, "Confirm your subscription") {
		t.Fatalf("confirmation mail: %+v", ms)
	}
	link := newsConfirmLink.FindString(ms[0].Text)
	if link == "" {
		t.Fatalf("no link in %q", ms[0].Text)
	}
	path := strings.TrimPrefix(link, env.URL)
	before := tableRows(t, env)
	for range 3 {
		res, body := get(t, env, path, nil)
		if res.StatusCode != http.StatusOK || !strings.Contains(body, `data-testid="news-confirm"`) {
			t.Fatalf("GET the link: %d", res.StatusCode)
		}
	}
	wantNoNewRows(t, "the confirmation link's GET", before, tableRows(t, env))
	if n := count(t, env, `SELECT count(*) FROM newsletter_subscriber WHERE status = 'active'`); n != 0 {
		t.Fatalf("a GET confirmed: %d active", n)
	}
	if status, body := anonymousPost(t, link); status != http.StatusOK || !strings.Contains(body, `data-testid="news-confirmed"`) {
		t.Fatalf("confirm: %d", status)
	}
	if status, _ := anonymousPost(t, link); status != http.StatusNotFound {
		t.Errorf("second confirm: %d, want 404", status)
	}
	if res, _ := get(t, env, path, nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("the spent link's page: %d, want 404", res.StatusCode)
	}
	// The receipt for an address already subscribed is the new address's.
	if again := receipt("mette@demo.mitid.example"); again != first {
		t.Errorf("the receipt tells an active address from a new one:\n%s\n%s", first, again)
	}
	if ms := newsMails(t, env, "mette@demo.mitid.example"); len(ms) != 2 || ms[0].Secret ||
		!strings.Contains(ms[0].Text, env.URL+"/nyhedsbrev/afmeld/") {
		t.Errorf("the active address's mail: %+v", ms[0])
	}
	for _, bad := range []string{"/nyhedsbrev/bekraeft/AAAA", "/nyhedsbrev/afmeld/AAAA", "/nyhedsbrev/afmeld/" + strings.Repeat("A", 32)} {
		if res, _ := get(t, env, bad, nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", bad, res.StatusCode)
		}
		if status, _ := anonymousPost(t, env.URL+bad); status != http.StatusNotFound {
			t.Errorf("POST %s: %d, want 404", bad, status)
		}
	}
	// Asking for the unsubscribe link: the same answer for an address that is not subscribed.
	for _, addr := range []string{"mette@demo.mitid.example", "ukendt@demo.mitid.example"} {
		res, body := visitor.post(t, "/nyhedsbrev/afmeld", url.Values{"unsub_email": {addr}})
		if res.StatusCode != http.StatusOK || !strings.Contains(body, `data-testid="news-receipt"`) {
			t.Errorf("unsubscribe request for %s: %d", addr, res.StatusCode)
		}
	}
	if ms := newsMails(t, env, "ukendt@demo.mitid.example"); len(ms) != 0 {
		t.Errorf("mailed an address that is not subscribed: %d", len(ms))
	}
}

// TestNewsletterIssueOverHTTP: an editor writes an issue, previews it as the mail, sends it
// after a confirmation step; the job mails each active subscriber once in their language with
// RFC 8058's headers; a one-click POST unsubscribes, twice without error; everything audited.
func TestNewsletterIssueOverHTTP(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	ctx := context.Background()
	ed, editor := newsEditor(t, env)
	// Two active subscribers and one who has not confirmed.
	if _, err := env.App.Pool.Exec(ctx, `INSERT INTO newsletter_subscriber (email, lang, status, created_at, confirmed_at, confirm_hash, confirm_expires)
		VALUES ('da@demo.mitid.example', 'da', 'active', now(), now(), NULL, NULL),
		       ('en@demo.mitid.example', 'en', 'active', now(), now(), NULL, NULL),
		       ('ventende@demo.mitid.example', 'da', 'pending', now(), NULL, '\x01', now() + interval '1 day')`); err != nil {
		t.Fatal(err)
	}
	editor.page(t, "/redaktion/nyhedsbreve/ny")
	fields := url.Values{"news_subject_da": {"Nyt om MitID"}, "news_body_da": {"## Frister\n\nHusk **fristen**.\n\n<script>alert(1)</script>"},
		"news_subject_en": {"News about MitID"}, "news_body_en": {"Remember the **deadline**."}}
	bad := url.Values{}
	for k, v := range fields {
		bad[k] = v
	}
	bad.Set("news_subject_en", "")
	if res, body := editor.post(t, "/redaktion/nyhedsbreve", bad); res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(body, `href="#news_subject_en"`) {
		t.Fatalf("missing English subject: %d", res.StatusCode)
	}
	res, _ := editor.post(t, "/redaktion/nyhedsbreve", fields)
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasSuffix(loc, "?gemt=1") {
		t.Fatalf("create: %d %q", res.StatusCode, loc)
	}
	issue := strings.TrimSuffix(loc, "?gemt=1")
	preview := editor.page(t, issue+"/vis?sprog=da")
	if !strings.Contains(preview, "<strong>fristen</strong>") || strings.Contains(preview, "<script>alert") ||
		!strings.Contains(preview, `data-testid="news-preview-text"`) || !strings.Contains(preview, "/nyhedsbrev/afmeld/") {
		t.Errorf("preview:\n%.4000s", preview)
	}
	if p := editor.page(t, issue+"/vis?sprog=en"); !strings.Contains(p, "<strong>deadline</strong>") {
		t.Error("the English preview does not show the English text")
	}
	if p := editor.page(t, issue+"/send"); !strings.Contains(p, `data-testid="news-send-confirm"`) || !strings.Contains(p, "2 abonnenter") {
		t.Errorf("send page:\n%.3000s", p)
	}
	if n := count(t, env, `SELECT count(*) FROM newsletter_delivery`); n != 0 {
		t.Fatal("the send page sent")
	}
	if res, _ := editor.post(t, issue+"/send", url.Values{}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("send: %d", res.StatusCode)
	}
	if _, err := env.App.SendNewsletter(ctx); err != nil {
		t.Fatal(err)
	}
	if res, _ := editor.post(t, issue+"/send", url.Values{}); res.StatusCode != http.StatusConflict {
		t.Errorf("second send: %d, want 409", res.StatusCode)
	}
	if res, _ := editor.post(t, issue, fields); res.StatusCode != http.StatusUnprocessableEntity && res.StatusCode != http.StatusConflict {
		t.Errorf("editing a sent issue: %d", res.StatusCode)
	}
	if p := editor.page(t, issue); !strings.Contains(p, `data-testid="news-progress"`) || !strings.Contains(p, "til 2 abonnenter") {
		t.Errorf("progress:\n%.3000s", p)
	}
	if n := count(t, env, `SELECT count(*) FROM mail_outbox WHERE kind = 'news.issue'`); n != 2 {
		t.Fatalf("%d issue mails, want 2", n)
	}
	en := newsMails(t, env, "en@demo.mitid.example")
	if len(en) != 1 || en[0].Subject != "News about MitID" || !strings.Contains(en[0].HTML, "<strong>deadline</strong>") ||
		!strings.Contains(en[0].HTML, en[0].ListUnsubscribe) || !strings.Contains(en[0].Text, en[0].ListUnsubscribe) ||
		!strings.HasPrefix(en[0].ListUnsubscribe, env.URL+"/nyhedsbrev/afmeld/") {
		t.Fatalf("English mail: %+v", en)
	}
	u := en[0].ListUnsubscribe
	if res, body := get(t, env, strings.TrimPrefix(u, env.URL), nil); res.StatusCode != http.StatusOK ||
		!strings.Contains(body, `data-testid="news-unsubscribe"`) {
		t.Fatalf("unsubscribe page: %d", res.StatusCode)
	}
	for range 2 {
		if status, body := anonymousPost(t, u); status != http.StatusOK || !strings.Contains(body, `data-testid="news-unsubscribed"`) {
			t.Fatalf("one-click unsubscribe: %d", status)
		}
	}
	if n := count(t, env, `SELECT count(*) FROM newsletter_subscriber WHERE status = 'active'`); n != 1 {
		t.Errorf("%d active, want 1", n)
	}
	if n := count(t, env, `SELECT count(*) FROM audit_log WHERE actor = $1 AND action IN ('newsletter_issue_created', 'newsletter_issue_sent')`,
		fmt.Sprintf("staff:%d", ed.ID)); n != 2 {
		t.Errorf("%d audit entries, want 2", n)
	}
	// Unknown and malformed issues are 404 on every route.
	for _, p := range []string{"/redaktion/nyhedsbreve/999999", "/redaktion/nyhedsbreve/x/vis", "/redaktion/nyhedsbreve/-1/send"} {
		if status, _ := editor.get(t, p); status != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", p, status)
		}
	}
	if res, _ := editor.post(t, "/redaktion/nyhedsbreve/999999/send", url.Values{}); res.StatusCode != http.StatusNotFound {
		t.Errorf("send unknown: %d, want 404", res.StatusCode)
	}
}

// TestNewsletterThrottle: 100 subscriptions posted at once from one client, to 100
// addresses, store and mail exactly the limit; the rest are 429 with Retry-After.
func TestNewsletterThrottle(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	visitor := newBrowser(t, env, env.LoginAs(t, session.Subject{}), apptest.CSRFToken)
	var send []func() (*http.Response, error)
	for i := range attempts {
		send = append(send, visitor.postForm("/nyhedsbrev", url.Values{
			"email": {fmt.Sprintf("person%d@demo.mitid.example", i)}, "lang": {"da"}}))
	}
	got := fire(t, send)
	if got[http.StatusOK] != newsletter.Limit || got[http.StatusTooManyRequests] != attempts-newsletter.Limit {
		t.Errorf("answers %v, want %d OK and the rest 429", got, newsletter.Limit)
	}
	if n := count(t, env, `SELECT count(*) FROM mail_outbox WHERE kind = 'news.confirm'`); n != newsletter.Limit {
		t.Errorf("%d confirmation mails, want %d", n, newsletter.Limit)
	}
	if n := count(t, env, `SELECT count(*) FROM newsletter_subscriber`); n != newsletter.Limit {
		t.Errorf("%d subscribers stored, want %d", n, newsletter.Limit)
	}
}
