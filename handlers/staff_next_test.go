package handlers_test

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"mitidportal/app/apptest"
	"mitidportal/locales"
)

// TestLoggedOutStaffPageLeadsToStaffLogin: a staff page without a staff session sends a GET to
// the staff login (not MitID's) with the page as next, and the login leads back there; a next
// that is not a staff page of this site is dropped; a form sent without a session gets the 401
// page with a link to the staff login, not the citizens' MitID text.
func TestLoggedOutStaffPageLeadsToStaffLogin(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	tr := cat.For("da")
	u, key, _ := enrolStaff(t, env, "lea@styrelsen.dk", "supervisor")

	const page = "/medarbejder/revision?fra=01-01-2026&handling=staff_login"
	b := newBrowser(t, env, nil, "")
	status, loc := b.get(t, page)
	want := "/medarbejder/log-ind?next=" + url.QueryEscape(page)
	if status != http.StatusSeeOther || loc != want {
		t.Fatalf("a logged-out staff page: %d %q, want 303 to %s", status, loc, want)
	}
	body := b.page(t, loc)
	if !strings.Contains(body, `name="next" value="`+html.EscapeString(page)+`"`) {
		t.Fatal("the staff login does not carry the page to go back to")
	}
	if res, _ := b.post(t, "/medarbejder/log-ind", url.Values{"email": {u.Email}, "password": {staffPassword},
		"next": {page}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("password step: %d", res.StatusCode)
	}
	b.page(t, "/medarbejder/log-ind/noegle")
	o := b.begin(t, "/medarbejder/log-ind/noegle/begin", map[string]string{})
	status, out := b.json(t, "/medarbejder/log-ind/noegle/finish", key.get(t, o, env.URL))
	wantAnswer(t, "login with next", status, out, http.StatusOK, "redirect", page)
	// Logged in, the login page goes straight on to next.
	if status, loc := b.get(t, "/medarbejder/log-ind?next="+url.QueryEscape(page)); status != http.StatusSeeOther || loc != page {
		t.Errorf("the login page when logged in: %d %q, want 303 to %s", status, loc, page)
	}

	for _, next := range []string{"//evil.example/medarbejder", "https://evil.example/medarbejder", "/mitid",
		"/medarbejderx", `/\evil.example`, "javascript:alert(1)", "/medarbejder/../mitid", "/medarbejder/%2e%2e/mitid"} {
		t.Run(next, func(t *testing.T) {
			b := newBrowser(t, env, nil, "")
			if body := b.page(t, "/medarbejder/log-ind?next="+url.QueryEscape(next)); strings.Contains(body, `name="next"`) {
				t.Errorf("the login keeps next %q", next)
			}
			if res, _ := b.post(t, "/medarbejder/log-ind", url.Values{"email": {u.Email}, "password": {staffPassword},
				"next": {next}}); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("password step: %d", res.StatusCode)
			}
			b.page(t, "/medarbejder/log-ind/noegle")
			o := b.begin(t, "/medarbejder/log-ind/noegle/begin", map[string]string{})
			status, out := b.json(t, "/medarbejder/log-ind/noegle/finish", key.get(t, o, env.URL))
			wantAnswer(t, "login with a bad next", status, out, http.StatusOK, "redirect", "/medarbejder")
		})
	}

	anon := newBrowser(t, env, nil, "")
	anon.page(t, "/medarbejder/log-ind")
	res, body := anon.post(t, "/medarbejder/sager/ny", url.Values{"subject": {"x"}})
	if res.StatusCode != http.StatusUnauthorized || !strings.Contains(body, `<a href="/medarbejder/log-ind?next=%2Fmedarbejder%2Fsager%2Fny" class="button button-primary" data-testid="error-login">`) ||
		strings.Contains(body, tr.T("error.401.text")) {
		t.Errorf("a staff form without a session: %d, want 401 with the staff login and without the MitID text", res.StatusCode)
	}
}
