package handlers_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"mitidportal/app/apptest"
	"mitidportal/session"
	"mitidportal/support"
)

// TestQueryCount serves each main page through the portal's handler with a context that records
// every SQL statement the request runs, and fails when a page waits for the database more
// often (round trips: a statement, or a batch of them sent together) or opens more transactions
// than its budget (docs/performance.md), or when a repeated request with the same session
// writes anything: a page view that changes nothing must not cost a write.
//
// The budgets are what the pages need today; raise one only with a reason in the commit.
func TestQueryCount(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	ctx := context.Background()
	m := env.NewCitizen(t)
	citizen := env.LoginAs(t, session.Subject{Kind: session.KindCitizen, ID: m.ID, Roles: []string{"citizen"},
		Level: "substantial", AuthenticatedAt: time.Now(), Name: m.Username})
	agent, _, err := env.App.Server.Staff.Create(ctx, "alma@styrelsen.dk", "Alma Agent", []string{"agent"})
	if err != nil {
		t.Fatal(err)
	}
	desk := env.LoginAs(t, session.Subject{Kind: session.KindStaff, ID: agent.ID, Roles: agent.Roles, Level: "high", Name: agent.Name})
	c, err := env.App.Server.Cases.Open(ctx, support.NewCase{Channel: support.ChannelWeb, System: support.SystemMitID, Category: support.CategoryLogin,
		Name: "Bo Borger", Email: "bo@example.dk", Subject: "Kan ikke logge ind", Message: "Min app er væk."})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name        string
		path        string
		cookie      *http.Cookie
		maxTrips    int
		maxStmts    int
		maxTxs      int
		wantContent string
	}{
		{"front page", "/", nil, 0, 0, 0, "MitID"},
		{"contact", "/kontakt", nil, 0, 0, 0, "<h1"},
		{"overview, logged in", "/mitid", citizen, 1, 2, 0, m.Username},
		{"desk queue", "/medarbejder/sager", desk, 5, 5, 0, c.Ref},
		{"desk case page", "/medarbejder/sager/" + c.Ref, desk, 16, 16, 1, c.Ref},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// The second request is the steady state: whatever the first one set up (a CSRF
			// token, a language) is in place, and nothing may be written.
			for i := range 2 {
				log, body := servePage(t, env, tt.path, tt.cookie)
				if !strings.Contains(body, tt.wantContent) {
					t.Fatalf("request %d: page does not show %q", i+1, tt.wantContent)
				}
				queries, txs, writes := log.Count()
				trips := log.RoundTrips()
				t.Logf("request %d: %d round trips, %d statements, %d transactions, %d writes", i+1, trips, queries, txs, writes)
				if trips > tt.maxTrips || queries > tt.maxStmts || txs > tt.maxTxs {
					t.Errorf("request %d: %d round trips, %d statements and %d transactions, budget %d, %d and %d:\n%s",
						i+1, trips, queries, txs, tt.maxTrips, tt.maxStmts, tt.maxTxs, strings.Join(log.Statements(), "\n---\n"))
				}
				if i == 1 && writes > 0 {
					t.Errorf("repeated request wrote %d times:\n%s", writes, strings.Join(log.Statements(), "\n---\n"))
				}
			}
		})
	}
}

// servePage serves one GET through the portal's handler in this process, so that the request's
// context carries the query log, and returns the log and the page.
func servePage(t *testing.T, env *apptest.Env, path string, cookie *http.Cookie) (*apptest.QueryLog, string) {
	t.Helper()
	log := &apptest.QueryLog{}
	req := httptest.NewRequest(http.MethodGet, env.URL+path, nil)
	req = req.WithContext(apptest.WithQueryLog(req.Context(), log))
	if cookie != nil {
		req.AddCookie(cookie)
	}
	rec := httptest.NewRecorder()
	env.App.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s: status %d", path, rec.Code)
	}
	return log, rec.Body.String()
}
