package handlers_test

import (
	"net/http"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"mitidportal/app/apptest"
	"mitidportal/session"
)

// cspNonce is the nonce of an answer's Content-Security-Policy.
var cspNonce = regexp.MustCompile(`'nonce-([^']+)'`)

// TestSharedPagesAsRendered: the public pages a visitor without a session gets from the shared
// render (web.Site.RenderShared) are byte for byte the pages rendered for the request, as a
// visitor with a session gets them, but for the nonce, which is fresh in every answer and the
// one its CSP names. When the minute turns, the page follows the footer.
func TestSharedPagesAsRendered(t *testing.T) {
	t.Parallel()
	cph, err := time.LoadLocation("Europe/Copenhagen")
	if err != nil {
		t.Fatal(err)
	}
	var now atomic.Int64
	now.Store(time.Date(2026, 11, 24, 19, 59, 30, 0, cph).UnixNano()) // a Tuesday, open until 20.00
	env := apptest.New(t, apptest.Options{Now: func() time.Time { return time.Unix(0, now.Load()).In(cph) }})
	withSession := env.LoginAs(t, session.Subject{})
	nonces := map[string]bool{}
	// page asks path and returns its body with its nonce replaced by a mark.
	page := func(path, lang string, cookies ...*http.Cookie) string {
		t.Helper()
		res, body := get(t, env, path, nil, append(cookies, &http.Cookie{Name: "lang", Value: lang})...)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d", path, res.StatusCode)
		}
		m := cspNonce.FindStringSubmatch(res.Header.Get("Content-Security-Policy"))
		if m == nil || nonces[m[1]] {
			t.Fatalf("%s: no nonce or one given before: %q", path, res.Header.Get("Content-Security-Policy"))
		}
		nonces[m[1]] = true
		if n := strings.Count(body, `nonce="`+m[1]+`"`); n < 4 {
			t.Fatalf("%s: the page carries its CSP's nonce %d times", path, n)
		}
		return strings.ReplaceAll(body, m[1], "NONCE")
	}
	for _, path := range []string{"/", "/kontakt", "/privatliv", "/cookies", "/tilgaengelighed"} {
		for _, lang := range []string{"da", "en"} {
			first, second := page(path, lang), page(path, lang)
			rendered := page(path, lang, withSession)
			if first != rendered || second != rendered {
				t.Errorf("%s in %s: the shared page differs from the page rendered for the request", path, lang)
			}
			if !strings.Contains(first, `<html lang="`+lang+`"`) {
				t.Errorf("%s in %s: not in its language", path, lang)
			}
		}
	}
	if open := page("/", "da"); !strings.Contains(open, "Åben nu") || !strings.Contains(open, "til kl. 20.00") {
		t.Fatal("open until 20.00 is not on the page")
	}
	now.Add(int64(time.Minute))
	closed := page("/", "da")
	if !strings.Contains(closed, "Lukket nu") || closed != page("/", "da", withSession) {
		t.Error("after 20.00 the shared front page does not say support is closed, as the rendered one does")
	}
}
