package handlers_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"mitidportal/app/apptest"
	"mitidportal/handlers"
	"mitidportal/locales"
)

func get(t *testing.T, env *apptest.Env, path string, header map[string]string, cookies ...*http.Cookie) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, env.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	for _, c := range cookies {
		req.AddCookie(c)
	}
	res, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(b)
}

func TestLanguageFromQueryCookieAndHeader(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	_, body := get(t, env, "/", nil)
	if !strings.Contains(body, `<html lang="da">`) || !strings.Contains(body, "MitID - dit digitale ID") {
		t.Errorf("default is not Danish")
	}
	_, body = get(t, env, "/", map[string]string{"Accept-Language": "en-GB,en;q=0.8"})
	if !strings.Contains(body, `<html lang="en">`) || !strings.Contains(body, "MitID - your digital ID") {
		t.Errorf("Accept-Language en not honoured")
	}
	res, body := get(t, env, "/kontakt?lang=en", nil)
	if !strings.Contains(body, `<html lang="en">`) {
		t.Errorf("?lang=en not honoured")
	}
	var lang *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == "lang" {
			lang = c
		}
	}
	if lang == nil || lang.Value != "en" || !lang.HttpOnly {
		t.Fatalf("language cookie: %+v", lang)
	}
	_, body = get(t, env, "/", map[string]string{"Accept-Language": "da"}, lang)
	if !strings.Contains(body, `<html lang="en">`) {
		t.Errorf("language cookie not honoured over Accept-Language")
	}
}

func TestNotFoundIsFriendlyInBothLanguages(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	for lang, want := range map[string]string{"da": "Siden findes ikke", "en": "Page not found"} {
		res, body := get(t, env, "/findes/ikke?lang="+lang, nil)
		if res.StatusCode != http.StatusNotFound || !strings.Contains(body, want) || !strings.Contains(body, `id="main-content"`) {
			t.Errorf("%s: 404 page: status %d, has text %v", lang, res.StatusCode, strings.Contains(body, want))
		}
	}
	// A known path with the wrong method gets a page too, not a bare error.
	req, _ := http.NewRequest(http.MethodDelete, env.URL+"/kontakt", nil)
	res, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusMethodNotAllowed && res.StatusCode != http.StatusNotFound {
		t.Errorf("DELETE /kontakt: %d", res.StatusCode)
	}
}

// TestNothingAUserCanTypeGives5xx sends odd input to every public GET route: strange query
// strings, headers and cookies. Every answer must be below 500.
func TestNothingAUserCanTypeGives5xx(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	odd := []string{
		"?lang=%3Cscript%3E", "?lang=" + strings.Repeat("x", 5000), "?lang=%ff%fe", "?q=%00",
		"?lang=en&lang=da", "?%zz", "?next=//evil.example",
	}
	headers := []map[string]string{
		{"Accept-Language": "*;q=x,,;;"},
		{"Accept-Language": strings.Repeat("en-", 1000)},
		{"Cookie": "portal_session=" + strings.Repeat("A", 4000)},
		{"Cookie": "portal_session=%ff%00; lang=<x>"},
		{"Cookie": "lang=zz"},
	}
	for _, r := range env.App.Server.Routes() {
		if r.Method != http.MethodGet || !r.Access.Allows([]handlers.Role{handlers.Anonymous}) {
			continue
		}
		for _, q := range odd {
			if res, _ := get(t, env, r.Path+q, nil); res.StatusCode >= 500 {
				t.Errorf("GET %s%s: %d", r.Path, q, res.StatusCode)
			}
		}
		for _, h := range headers {
			if res, _ := get(t, env, r.Path, h); res.StatusCode >= 500 {
				t.Errorf("GET %s with %v: %d", r.Path, h, res.StatusCode)
			}
		}
	}
}

// TestFooterSaysWhetherSupportIsOpen fixes the clock and reads the footer.
func TestFooterSaysWhetherSupportIsOpen(t *testing.T) {
	t.Parallel()
	cph, err := time.LoadLocation("Europe/Copenhagen")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		at   time.Time
		lang string
		want []string
	}{
		{"weekday morning", time.Date(2026, 11, 24, 9, 0, 0, 0, cph), "da", []string{"Åben nu", "til kl. 20.00"}},
		{"weekday evening", time.Date(2026, 11, 24, 21, 0, 0, 0, cph), "da", []string{"Lukket nu", "i morgen kl. 08.00"}},
		{"easter monday", time.Date(2026, 4, 6, 12, 0, 0, 0, cph), "en", []string{"Closed now", "Closed today: Easter Monday", "tomorrow at 08.00"}},
		{"saturday", time.Date(2026, 11, 28, 11, 0, 0, 0, cph), "en", []string{"Open now", "until 16.00"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := apptest.New(t, apptest.Options{Now: func() time.Time { return tt.at }})
			_, body := get(t, env, "/?lang="+tt.lang, nil)
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("footer lacks %q", w)
				}
			}
		})
	}
}

// TestDynamicMessagesExist covers message IDs built at run time, which the locale test's
// source scan cannot see: information pages and holiday names.
func TestDynamicMessagesExist(t *testing.T) {
	t.Parallel()
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	ids := handlers.DynamicMessageIDs()
	if len(ids) < 20 {
		t.Fatalf("only %d dynamic IDs", len(ids))
	}
	for _, id := range ids {
		for _, lang := range locales.Supported {
			if !cat.Has(lang, id) {
				t.Errorf("message %q missing in %s", id, lang)
			}
		}
	}
}

// TestServerErrorPageIsFriendly makes the database unreachable for a logged-in request: the
// answer is a translated 503 page with a reference, never the internal error text.
// (unavailable_test.go covers the 503 for more pages and outages.)
func TestServerErrorPageIsFriendly(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	cookie := env.LoginAs(t, subjectFor(handlers.Citizen, env.NewCitizen(t).ID))
	env.App.Pool.Close()
	for lang, want := range map[string]string{"da": "Tjenesten er midlertidigt utilgængelig", "en": "temporarily unavailable"} {
		res, body := get(t, env, "/?lang="+lang, nil, cookie)
		if res.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("%s: status %d", lang, res.StatusCode)
		}
		if !strings.Contains(body, want) || !strings.Contains(body, res.Header.Get("X-Request-Id")) {
			t.Errorf("%s: 503 page lacks its text or reference", lang)
		}
		if strings.Contains(body, "closed pool") || strings.Contains(body, "load session") {
			t.Errorf("%s: internal error text on the page", lang)
		}
	}
	if res, _ := get(t, env, "/readyz", nil); res.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("/readyz with the database gone: %d", res.StatusCode)
	}
}
