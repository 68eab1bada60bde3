package web

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"

	"mitidportal/assets"
	"mitidportal/locales"
	"mitidportal/session"
	"mitidportal/support"
	"mitidportal/views"
)

// TestRenderSharedRendersOncePerMinute: a visitor without a session gets the page rendered once
// per route, language and minute, each time with the answer's own nonce; a request with a query
// string, and a page that asks for a CSRF token, are rendered every time.
func TestRenderSharedRendersOncePerMinute(t *testing.T) {
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	s, cat := newTestSite(t, &now)
	renders := 0
	page := func(form bool) templ.Component {
		return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
			renders++
			p := views.PageOf(ctx)
			_, err := io.WriteString(w, "<script nonce=\""+p.Nonce+"\"></script>"+views.T(ctx, "site.name")+"<script nonce=\""+p.Nonce+"\"></script>")
			if form {
				_, err = io.WriteString(w, "<input value=\""+p.CSRF()+"\">")
			}
			return err
		})
	}
	e := echo.New()
	e.Use(s.SecurityHeaders)
	e.GET("/side", func(c echo.Context) error { return s.RenderShared(c, page(false)) }, s.PageContext)
	e.GET("/formular", func(c echo.Context) error { return s.RenderShared(c, page(true)) }, s.PageContext)
	ask := func(target string, cookies ...*http.Cookie) *httptest.ResponseRecorder {
		t.Helper()
		r := httptest.NewRequest(http.MethodGet, target, nil)
		for _, c := range cookies {
			r.AddCookie(c)
		}
		w := httptest.NewRecorder()
		e.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			t.Fatalf("%s: status %d", target, w.Code)
		}
		nonce := views.PageOf(context.Background()).Nonce
		if m := cspNonce(w.Header().Get("Content-Security-Policy")); m == "" || m == nonce ||
			w.Body.String() != `<script nonce="`+m+`"></script>`+cat.For(langOf(cookies)).T("site.name")+`<script nonce="`+m+`"></script>`+
				map[bool]string{true: `<input value="` + csrfOf(w) + `">`, false: ""}[strings.HasPrefix(target, "/formular")] {
			t.Fatalf("%s: nonce %q, body %q", target, m, w.Body.String())
		}
		return w
	}
	steps := []struct {
		target  string
		cookies []*http.Cookie
		renders int
	}{
		{"/side", nil, 1},
		{"/side", nil, 1},
		{"/side", []*http.Cookie{{Name: "lang", Value: "en"}}, 2},
		{"/side", []*http.Cookie{{Name: "lang", Value: "en"}}, 2},
		{"/side?a=1", nil, 3},
		{"/side", []*http.Cookie{{Name: s.Sessions.CookieName(), Value: ""}}, 3}, // an empty cookie is no session
		{"/formular", nil, 5}, // tried shared, then rendered for the request
		{"/formular", nil, 6},
	}
	for i, st := range steps {
		ask(st.target, st.cookies...)
		if renders != st.renders {
			t.Fatalf("step %d (%s): %d renders, want %d", i, st.target, renders, st.renders)
		}
	}
	now = now.Add(time.Minute)
	ask("/side")
	if renders != 7 {
		t.Fatalf("the next minute: %d renders, want 7", renders)
	}
}

// newTestSite is a Site without a database whose clock reads *now, and its catalog.
func newTestSite(t *testing.T, now *time.Time) (*Site, *locales.Catalog) {
	t.Helper()
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	as, err := assets.Load()
	if err != nil {
		t.Fatal(err)
	}
	s := NewSite(Site{Catalog: cat, Assets: as, Sessions: session.NewStore(nil, session.Config{}), Schedule: support.DefaultSchedule(time.UTC),
		Now: func() time.Time { return *now }}, prometheus.NewRegistry())
	return s, cat
}

func cspNonce(csp string) string {
	_, rest, ok := strings.Cut(csp, "'nonce-")
	if !ok {
		return ""
	}
	n, _, _ := strings.Cut(rest, "'")
	return n
}

func langOf(cookies []*http.Cookie) string {
	for _, c := range cookies {
		if c.Name == "lang" {
			return c.Value
		}
	}
	return locales.Default
}

// csrfOf is the token of the signed CSRF cookie an answer sets.
func csrfOf(w *httptest.ResponseRecorder) string {
	for _, c := range w.Result().Cookies() {
		if c.Name == csrfCookieBase {
			tok, _, _ := strings.Cut(c.Value, ".")
			return tok
		}
	}
	return "no cookie"
}
