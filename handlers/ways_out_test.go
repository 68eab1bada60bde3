package handlers_test

import (
	"html"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"mitidportal/app/apptest"
	"mitidportal/locales"
	"mitidportal/session"
)

// TestRefusalsShowAWayOut: a 401 offers the right login with a way back to the page nearest
// the form, and a 403 names who may see the page and offers the person's own start page
// (and a citizen on a staff page the staff login), and a member of staff on a page that is not
// there gets their start page too, in both languages.
func TestRefusalsShowAWayOut(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	m := env.NewCitizen(t)
	citizen := env.LoginAs(t, session.Subject{Kind: session.KindCitizen, ID: m.ID, Roles: []string{"citizen"},
		Level: "substantial", AuthenticatedAt: time.Now(), Name: m.Username})
	agent := env.LoginAs(t, session.Subject{Kind: session.KindStaff, ID: 3, Roles: []string{"agent"}, Level: "high"})

	type want struct {
		status   int
		login    string   // the login link's href, "" for none
		home     string   // the start page offered, "" for none
		allowed  []string // message IDs of the roles named
		notNamed []string // message IDs that must not be named
	}
	cases := []struct {
		name, method, path string
		cookie             *http.Cookie
		want               want
	}{
		{"citizen form after the session ended", http.MethodPost, "/mitid/adgangskode", nil,
			want{status: http.StatusUnauthorized, login: "/log-ind?next=" + url.QueryEscape("/mitid/adgangskode")}},
		{"a form with no page of its own leads back to the nearest page", http.MethodPost, "/mitid/sessioner/log-ud-alle", nil,
			want{status: http.StatusUnauthorized, login: "/log-ind?next=" + url.QueryEscape("/mitid/sessioner")}},
		{"staff form after the session ended", http.MethodPost, "/medarbejder/sager/ny", nil,
			want{status: http.StatusUnauthorized, login: "/medarbejder/log-ind?next=" + url.QueryEscape("/medarbejder/sager/ny")}},
		{"staff search after the session ended leads back to the queues, not to a case 'soeg'", http.MethodPost, "/medarbejder/sager/soeg", nil,
			want{status: http.StatusUnauthorized, login: "/medarbejder/log-ind?next=" + url.QueryEscape("/medarbejder/sager")}},
		{"staff bulk change after the session ended", http.MethodPost, "/medarbejder/sager/masse", nil,
			want{status: http.StatusUnauthorized, login: "/medarbejder/log-ind?next=" + url.QueryEscape("/medarbejder/sager")}},
		{"citizen on a staff page", http.MethodGet, "/medarbejder/sager", citizen,
			want{status: http.StatusForbidden, home: "/mitid", login: "/medarbejder/log-ind?next=" + url.QueryEscape("/medarbejder/sager?lang=LANG"),
				allowed: []string{"access.role.agent", "access.role.supervisor"}, notNamed: []string{"access.role.citizen"}}},
		{"agent on the editors' pages", http.MethodGet, "/redaktion/pakker", agent,
			want{status: http.StatusForbidden, home: "/medarbejder", allowed: []string{"access.role.campaign_editor"},
				notNamed: []string{"access.role.agent"}}},
		{"agent on a citizen page", http.MethodGet, "/mitid", agent,
			want{status: http.StatusForbidden, home: "/medarbejder", allowed: []string{"access.role.citizen"}}},
		{"agent on a case that is not there", http.MethodGet, "/medarbejder/sager/ZZZZZZ", agent,
			want{status: http.StatusNotFound, home: "/medarbejder"}},
		{"agent on a page that is not there", http.MethodGet, "/medarbejder/findes-ikke", agent,
			want{status: http.StatusNotFound, home: "/medarbejder"}},
		{"visitor on a page that is not there", http.MethodGet, "/findes-ikke", nil,
			want{status: http.StatusNotFound}},
	}
	for _, c := range cases {
		for _, lang := range []string{"da", "en"} {
			t.Run(c.name+" "+lang, func(t *testing.T) {
				tr := cat.For(lang)
				form := url.Values{"csrf_token": {apptest.CSRFToken}}
				req, err := http.NewRequest(c.method, env.URL+c.path+"?lang="+lang, strings.NewReader(form.Encode()))
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				if c.cookie != nil {
					req.AddCookie(c.cookie)
				}
				res, err := noRedirect.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				raw, err := io.ReadAll(res.Body)
				res.Body.Close()
				if err != nil {
					t.Fatal(err)
				}
				body := string(raw)
				if res.StatusCode != c.want.status {
					t.Fatalf("status %d, want %d", res.StatusCode, c.want.status)
				}
				link := func(testID string) string {
					_, rest, ok := strings.Cut(body, `data-testid="`+testID+`"`)
					if !ok {
						return ""
					}
					// The href is written before the test ID in the same tag.
					tag := body[strings.LastIndex(body[:len(body)-len(rest)], "<a "):]
					_, href, _ := strings.Cut(tag, `href="`)
					href, _, _ = strings.Cut(href, `"`)
					return html.UnescapeString(href)
				}
				if got, want := link("error-login"), strings.ReplaceAll(c.want.login, "LANG", lang); got != want {
					t.Errorf("login link %q, want %q", got, want)
				}
				if got := link("error-home"); got != c.want.home {
					t.Errorf("start page link %q, want %q", got, c.want.home)
				}
				for _, id := range c.want.allowed {
					if !strings.Contains(body, html.EscapeString(tr.T(id))) {
						t.Errorf("the page does not name %q", tr.T(id))
					}
				}
				for _, id := range c.want.notNamed {
					if strings.Contains(body, html.EscapeString(tr.T(id))) {
						t.Errorf("the page names %q, who may not see it", tr.T(id))
					}
				}
			})
		}
	}
}
