package handlers_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"mitidportal/app/apptest"
	"mitidportal/db/dbtest"
	"mitidportal/session"
)

// TestDatabaseDownAnswers503: while the database cannot be reached, pages that need it answer
// 503 with Retry-After and the translated "temporarily unavailable" page, with and without a
// session cookie, instead of a 500 that reads as a bug.
func TestDatabaseDownAnswers503(t *testing.T) {
	t.Parallel()
	cat := mustCatalog(t)
	outages := []struct {
		name string
		down func(t *testing.T, env *apptest.Env)
	}{
		// The instance's pool is gone (shutting down).
		{"pool closed", func(_ *testing.T, env *apptest.Env) { env.App.Pool.Close() }},
		// The server is up but takes no connections to the database and drops those it has,
		// as during a fail-over.
		{"server refuses connections", func(t *testing.T, env *apptest.Env) {
			var name string
			if err := env.App.Pool.QueryRow(context.Background(), "SELECT current_database()").Scan(&name); err != nil {
				t.Fatal(err)
			}
			admin, err := pgx.Connect(context.Background(), dbtest.URL(t))
			if err != nil {
				t.Fatal(err)
			}
			defer admin.Close(context.Background())
			for _, q := range []string{"ALTER DATABASE " + name + " ALLOW_CONNECTIONS false",
				"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + name + "'"} {
				if _, err := admin.Exec(context.Background(), q); err != nil {
					t.Fatal(err)
				}
			}
			// pg_terminate_backend only signals: wait until the backends are gone, or a request
			// may still find one of the pool's connections alive.
			for i := 0; ; i++ {
				var n int
				if err := admin.QueryRow(context.Background(), "SELECT count(*) FROM pg_stat_activity WHERE datname = $1", name).Scan(&n); err != nil {
					t.Fatal(err)
				}
				if n == 0 {
					break
				}
				if i == 100 {
					t.Fatalf("%d backends of %s still alive after 5 s", n, name)
				}
				time.Sleep(50 * time.Millisecond)
			}
		}},
	}
	for _, o := range outages {
		t.Run(o.name, func(t *testing.T) {
			t.Parallel() // stopping the job queue of a portal without database waits its 5 s bound
			env := apptest.New(t, apptest.Options{})
			cookie := env.LoginAs(t, session.Subject{Kind: session.KindCitizen, ID: 1, Roles: []string{"citizen"},
				Level: "substantial", AuthenticatedAt: time.Now(), Name: "Nete"})
			o.down(t, env)
			requests := []struct {
				name, method, path, lang string
				cookie                   *http.Cookie
				page                     bool // the friendly page, not a probe's text
			}{
				{"overview with a session", http.MethodGet, "/mitid", "da", cookie, true},
				{"front page with a session", http.MethodGet, "/", "en", cookie, true},
				{"form post with a session", http.MethodPost, "/kontakt/skriv", "da", cookie, true},
				{"demo mailbox without a cookie", http.MethodGet, "/demo/post", "en", nil, true},
				{"readiness probe", http.MethodGet, "/readyz", "", nil, false},
			}
			for _, r := range requests {
				t.Run(r.name, func(t *testing.T) {
					target := env.URL + r.path
					if r.lang != "" {
						target += "?lang=" + r.lang
					}
					req, err := http.NewRequest(r.method, target, strings.NewReader(url.Values{"subject": {"x"}}.Encode()))
					if err != nil {
						t.Fatal(err)
					}
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					if r.cookie != nil {
						req.AddCookie(r.cookie)
					}
					res, err := noRedirect.Do(req)
					if err != nil {
						t.Fatal(err)
					}
					body := readAll(t, res)
					if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") == "" {
						t.Fatalf("%s %s: %d, Retry-After %q; want 503 with Retry-After", r.method, r.path,
							res.StatusCode, res.Header.Get("Retry-After"))
					}
					if !r.page {
						return
					}
					title := cat.For(r.lang).T("error.503.title")
					if !strings.Contains(html.UnescapeString(body), title) || !strings.Contains(body, `lang="`+r.lang+`"`) {
						t.Errorf("the page lacks %q in %s:\n%.400s", title, r.lang, body)
					}
				})
			}
		})
	}
}
