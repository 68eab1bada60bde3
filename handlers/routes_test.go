package handlers_test

import (
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"mitidportal/app/apptest"
	"mitidportal/handlers"
	"mitidportal/session"
)

// subjectFor gives, for each role, a session subject holding it; citizens have just logged in
// at level high, so only the role decides.
func subjectFor(role handlers.Role, citizenID int64) session.Subject {
	switch role {
	case handlers.Anonymous:
		return session.Subject{}
	case handlers.Citizen:
		return session.Subject{Kind: session.KindCitizen, ID: citizenID, Roles: []string{"citizen"},
			Level: "high", AuthenticatedAt: time.Now()}
	case handlers.OrgMember, handlers.OrgAdmin:
		// Organisation members log in with their own MitID: a citizen with one more role.
		return session.Subject{Kind: session.KindCitizen, ID: citizenID, Roles: []string{"citizen", string(role)},
			Level: "high", AuthenticatedAt: time.Now()}
	default:
		return session.Subject{Kind: session.KindStaff, ID: 3, Roles: []string{string(role)}}
	}
}

// isStaffRole reports whether a staff account can hold role.
func isStaffRole(role handlers.Role) bool {
	switch role {
	case handlers.Agent, handlers.Supervisor, handlers.RAOfficer, handlers.Fulfilment,
		handlers.CampaignEditor, handlers.Auditor, handlers.Admin:
		return true
	}
	return false
}

// noRedirect lets the test see each answer as it is.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// request sends method path with cookie (nil: none) and, when token is not empty, a form
// carrying it as the CSRF token.
func request(t *testing.T, env *apptest.Env, method, path string, cookie *http.Cookie, token string) *http.Response {
	t.Helper()
	form := url.Values{}
	if token != "" {
		form.Set("csrf_token", token)
	}
	body := strings.NewReader(form.Encode())
	req, err := http.NewRequest(method, env.URL+concretePath(path), body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if cookie != nil {
		req.AddCookie(cookie)
	}
	res, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res
}

// concretePath fills route parameters (":id") with a value.
func concretePath(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		if strings.HasPrefix(s, ":") {
			parts[i] = "1"
		}
	}
	return strings.Join(parts, "/")
}

func isUnsafe(method string) bool {
	return method != http.MethodGet && method != http.MethodHead
}

// TestEveryRouteIsInTheExpectedTable keeps the hand-written table and the route table equal:
// a new route, or a route that went away, fails until the table says who may call it.
func TestEveryRouteIsInTheExpectedTable(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	seen := map[string]bool{}
	for _, r := range env.App.Server.Routes() {
		key := r.Method + " " + r.Path
		seen[key] = true
		if _, ok := expectedAccess[key]; !ok {
			t.Errorf("route %s is not in expectedAccess (access_table_test.go): say who may call it", key)
		}
	}
	for key := range expectedAccess {
		if !seen[key] {
			t.Errorf("expectedAccess lists %s, which is not a route", key)
		}
	}
}

// TestEveryRouteAdmitsExactlyItsRoles walks the real route table: for every route and every
// role, a request as that role is refused (401 anonymous, 403 otherwise) or let through exactly
// as the hand-written expectedAccess says. Unsafe requests carry a valid CSRF token here, so
// only authorisation decides.
func TestEveryRouteAdmitsExactlyItsRoles(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	routes := env.App.Server.Routes()
	if len(routes) < 5 {
		t.Fatalf("route table has %d routes", len(routes))
	}
	citizen := env.NewCitizen(t).ID
	for _, r := range routes {
		want, ok := expectedAccess[r.Method+" "+r.Path]
		if !ok {
			continue // reported by TestEveryRouteIsInTheExpectedTable
		}
		for _, role := range handlers.AllRoles {
			t.Run(r.Method+" "+r.Path+" as "+string(role), func(t *testing.T) {
				sub := subjectFor(role, citizen)
				// A session of its own: log-out, "log out everywhere" and blocks end sessions.
				res := request(t, env, r.Method, r.Path, env.LoginAs(t, sub), apptest.CSRFToken)
				allowed := want.admits(role)
				refused := res.StatusCode == http.StatusUnauthorized || res.StatusCode == http.StatusForbidden
				// A logged-out visit to a citizen page is sent to the login, and back after it.
				toLogin := "/log-ind?next=" + url.QueryEscape(concretePath(r.Path))
				sentToLogin := !allowed && role == handlers.Anonymous && r.Method == http.MethodGet &&
					want.admits(handlers.Citizen)
				// A logged-out visit to a staff page is sent to the staff login, and back after it.
				if !allowed && role == handlers.Anonymous && r.Method == http.MethodGet && !sentToLogin &&
					slices.ContainsFunc(want.roles, isStaffRole) {
					sentToLogin, toLogin = true, "/medarbejder/log-ind?next="+url.QueryEscape(concretePath(r.Path))
				}
				switch {
				case allowed && refused && !refusedWithItsPage(t, env, r.Method, r.Path, sub, res):
					t.Errorf("expected allowed, got %d", res.StatusCode)
				case sentToLogin:
					if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != toLogin {
						t.Errorf("anonymous got %d %q, want 303 to %s", res.StatusCode, loc, toLogin)
					}
				case !allowed && role == handlers.Anonymous && res.StatusCode != http.StatusUnauthorized:
					t.Errorf("expected refused, anonymous got %d, want 401", res.StatusCode)
				case !allowed && role != handlers.Anonymous && res.StatusCode != http.StatusForbidden:
					t.Errorf("expected refused, got %d, want 403", res.StatusCode)
				}
				if res.StatusCode >= 500 {
					t.Errorf("server error %d", res.StatusCode)
				}
			})
		}
	}
}

// refusedWithItsPage reports whether a 403 is the handler's own refusal of a route in
// refusedByRule: asked again, the answer is that route's page.
func refusedWithItsPage(t *testing.T, env *apptest.Env, method, path string, sub session.Subject, res *http.Response) bool {
	t.Helper()
	mark, ok := refusedByRule[method+" "+path]
	if !ok || res.StatusCode != http.StatusForbidden {
		return false
	}
	form := url.Values{"csrf_token": {apptest.CSRFToken}}
	req, _ := http.NewRequest(method, env.URL+concretePath(path), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(env.LoginAs(t, sub))
	again, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Body.Close()
	body, _ := io.ReadAll(again.Body)
	return again.StatusCode == http.StatusForbidden && strings.Contains(string(body), mark)
}

// withoutCSRF are the unsafe routes that take no CSRF token, because their URL carries an
// unguessable token that is all they need.
var withoutCSRF = map[string]bool{
	"POST /abonnement/afmeld/:token": true,
	// The newsletter's mailed links (handlers/campaigns/news.go): the confirmation token works
	// once; the unsubscribe link is also RFC 8058's one-click POST.
	"POST /nyhedsbrev/bekraeft/:token": true,
	"POST /nyhedsbrev/afmeld/:token":   true,
}

// TestEveryStateChangeNeedsItsCSRFToken sends every unsafe route, as a role it admits, once
// without a token and once with a wrong one: both are refused.
func TestEveryStateChangeNeedsItsCSRFToken(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	n := 0
	for _, r := range env.App.Server.Routes() {
		if !isUnsafe(r.Method) {
			continue
		}
		// A route whose URL carries its own token (RFC 8058's one-click unsubscribe, POSTed by
		// mail clients) takes none; the list is written here, so no other route loses it.
		if withoutCSRF[r.Method+" "+r.Path] == r.Access.NeedsCSRF() {
			if r.Access.NeedsCSRF() {
				t.Errorf("%s %s is listed in withoutCSRF but needs a token", r.Method, r.Path)
			} else {
				t.Errorf("%s %s takes no CSRF token but is not listed in withoutCSRF", r.Method, r.Path)
			}
			continue
		}
		if !r.Access.NeedsCSRF() {
			continue
		}
		for _, role := range handlers.AllRoles {
			if !expectedAccess[r.Method+" "+r.Path].admits(role) {
				continue
			}
			n++
			cookie := env.LoginAs(t, subjectFor(role, env.NewCitizen(t).ID))
			for name, token := range map[string]string{"no token": "", "a wrong token": "forged"} {
				if res := request(t, env, r.Method, r.Path, cookie, token); res.StatusCode != http.StatusForbidden {
					t.Errorf("%s %s as %s with %s: %d, want 403", r.Method, r.Path, role, name, res.StatusCode)
				}
			}
			break
		}
	}
	if n == 0 {
		t.Fatal("no state-changing route found")
	}
}

// TestSecurityHeaders checks the headers on every public page and on the 404 page.
func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	paths := []string{"/does-not-exist"}
	for _, r := range env.App.Server.Routes() {
		if r.Method == http.MethodGet && expectedAccess[r.Method+" "+r.Path].public {
			paths = append(paths, r.Path)
		}
	}
	nonces := map[string]bool{}
	for _, p := range paths {
		res := request(t, env, http.MethodGet, p, nil, "")
		if res.StatusCode >= 500 {
			t.Errorf("%s: %d", p, res.StatusCode)
		}
		h := res.Header
		csp := h.Get("Content-Security-Policy")
		for _, want := range []string{"script-src 'self' 'nonce-", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %q", p, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
			t.Errorf("%s: CSP allows unsafe scripts: %q", p, csp)
		}
		_, after, _ := strings.Cut(csp, "'nonce-")
		nonce, _, _ := strings.Cut(after, "'")
		if nonces[nonce] {
			t.Errorf("%s: nonce reused", p)
		}
		nonces[nonce] = true
		for name, want := range map[string]string{
			"X-Content-Type-Options": "nosniff",
			"Referrer-Policy":        "no-referrer",
			"X-Frame-Options":        "DENY",
		} {
			if got := h.Get(name); got != want {
				t.Errorf("%s: %s = %q, want %q", p, name, got, want)
			}
		}
		if h.Get("Permissions-Policy") == "" || h.Get("X-Request-Id") == "" {
			t.Errorf("%s: Permissions-Policy or X-Request-Id missing", p)
		}
		if h.Get("Strict-Transport-Security") != "" {
			t.Errorf("%s: HSTS sent over plain http", p)
		}
	}
}

// TestCitizenPagesAskForAStrongAndRecentLogin walks every citizen route with a login that is too
// weak (level low) and, for routes that change means, one that is too old: each is sent to log
// in again with the way back in next, and never answered as if the login were good enough.
func TestCitizenPagesAskForAStrongAndRecentLogin(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	citizen := env.NewCitizen(t).ID
	checked := 0
	for _, r := range env.App.Server.Routes() {
		want := expectedAccess[r.Method+" "+r.Path]
		if !want.level {
			continue
		}
		checked++
		// A citizen holding a role the route admits: an organisation's routes admit only its
		// members and admins.
		role := handlers.Citizen
		if !want.admits(role) {
			role = want.roles[0]
		}
		roles := subjectFor(role, citizen).Roles
		// New sessions for every route: "log out everywhere" and "block" end them all.
		weak := env.LoginAs(t, session.Subject{Kind: session.KindCitizen, ID: citizen, Roles: roles,
			Level: "low", AuthenticatedAt: time.Now()})
		old := env.LoginAs(t, session.Subject{Kind: session.KindCitizen, ID: citizen, Roles: roles,
			Level: "high", AuthenticatedAt: time.Now().Add(-handlers.RecentLogin - time.Minute)})
		fresh := env.LoginAs(t, subjectFor(role, citizen))
		expectReauth := func(name string, cookie *http.Cookie) {
			t.Helper()
			res := request(t, env, r.Method, r.Path, cookie, apptest.CSRFToken)
			loc := res.Header.Get("Location")
			if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/log-ind?reauth=1&next=") {
				t.Errorf("%s %s with %s: %d %q, want 303 to /log-ind?reauth=1&next=...", r.Method, r.Path, name, res.StatusCode, loc)
			}
		}
		expectReauth("a low login", weak)
		if want.recent {
			expectReauth("an old login", old)
		}
		res := request(t, env, r.Method, r.Path, fresh, apptest.CSRFToken)
		if loc := res.Header.Get("Location"); strings.HasPrefix(loc, "/log-ind?reauth") {
			t.Errorf("%s %s with a fresh high login asks to log in again", r.Method, r.Path)
		}
	}
	if checked == 0 {
		t.Fatal("no route asks for a login level")
	}
}
