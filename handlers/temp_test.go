package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"mitidportal/app/apptest"
	"mitidportal/identity"
	"mitidportal/session"
)

// reachableDuringPasswordChange is every route a session logged in with a temporary password
// may use before it has set a new password, written out by hand (never read from the route
// table's Access values): the change itself, logging out and in again, the phone's app (its own
// device-key authentication, not this session), the operational endpoints and the information
// pages the law asks to be reachable from every page.
var reachableDuringPasswordChange = map[string]bool{
	"GET /healthz": true, "GET /readyz": true, "GET /metrics": true,
	"GET /tilgaengelighed": true, "GET /privatliv": true, "GET /cookies": true,
	"POST /log-ud": true,
	"GET /log-ind": true, "POST /log-ind": true, "GET /log-ind/metode": true,
	"GET /log-ind/kode": true, "POST /log-ind/kode": true,
	"GET /log-ind/chip": true, "POST /log-ind/chip/begin": true, "POST /log-ind/chip/finish": true,
	"GET /log-ind/chip/spaerret": true,
	"GET /log-ind/app":           true, "POST /log-ind/app": true, "GET /log-ind/app/status": true,
	"POST /log-ind/app/fuldfoer": true,
	"GET /app":                   true, "POST /app/par": true, "POST /app/anmodninger": true, "POST /app/svar": true,
	"GET /mitid/adgangskode": true, "POST /mitid/adgangskode": true,
}

// send makes one request with a session cookie and headers, without following redirects.
func send(t *testing.T, env *apptest.Env, method, path string, cookie *http.Cookie, header map[string]string) *http.Response {
	t.Helper()
	form := url.Values{"csrf_token": {apptest.CSRFToken}}
	req, err := http.NewRequest(method, env.URL+concretePath(path), strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	req.AddCookie(cookie)
	res, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res
}

// TestTemporaryPasswordReachesOnlyTheChange walks every route of the route table with a session
// logged in with a temporary password: the routes of the hand-written list answer, every
// other one sends the browser to the change page (303; HX-Redirect for htmx; a JSON redirect
// for the chip script), whatever the route would otherwise do.
func TestTemporaryPasswordReachesOnlyTheChange(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	m := env.NewCitizen(t)
	restricted := session.Subject{Kind: session.KindCitizen, ID: m.ID, Roles: []string{"citizen"},
		Level: "substantial", AuthenticatedAt: time.Now(), MeansKind: "code_display", MustChangePassword: true}
	for _, r := range env.App.Server.Routes() {
		key := r.Method + " " + r.Path
		t.Run(key, func(t *testing.T) {
			res := send(t, env, r.Method, r.Path, env.LoginAs(t, restricted), nil)
			loc := res.Header.Get("Location")
			if reachableDuringPasswordChange[key] {
				if loc == "/mitid/adgangskode" {
					t.Errorf("reachable, but sent to the change page")
				}
				if key == "GET /mitid/adgangskode" && res.StatusCode != http.StatusOK {
					t.Errorf("the change page: %d", res.StatusCode)
				}
				return
			}
			if res.StatusCode != http.StatusSeeOther || loc != "/mitid/adgangskode" {
				t.Errorf("%d %q, want 303 to /mitid/adgangskode", res.StatusCode, loc)
			}
			res = send(t, env, r.Method, r.Path, env.LoginAs(t, restricted), map[string]string{"HX-Request": "true"})
			if hx := res.Header.Get("HX-Redirect"); res.StatusCode != http.StatusOK || hx != "/mitid/adgangskode" {
				t.Errorf("htmx: %d HX-Redirect %q, want 200 to /mitid/adgangskode", res.StatusCode, hx)
			}
		})
	}
	// The chip script's JSON requests get a redirect the script follows.
	b := newBrowser(t, env, env.LoginAs(t, restricted), apptest.CSRFToken)
	status, out := b.json(t, "/mitid/chip/tilfoej/begin", []byte(`{"label":"x"}`))
	wantAnswer(t, "chip add begin", status, out, http.StatusOK, "redirect", "/mitid/adgangskode")
}

// tempCitizen is a citizen with two code displays, logging in through the real pages.
type tempCitizen struct {
	env     *apptest.Env
	m       identity.MitID
	serials [2]string
	step    [2]int // the next TOTP step of each display, from now
}

func newTempCitizen(t *testing.T, env *apptest.Env) *tempCitizen {
	t.Helper()
	tc := &tempCitizen{env: env, m: env.NewCitizen(t)}
	for i := range tc.serials {
		tc.serials[i] = "TMP" + strconv.FormatInt(tc.m.ID, 10) + "-" + strconv.Itoa(i)
		// Activated with the previous step's code: the current and the next stay for logins.
		env.ActivateCodeDisplay(t, tc.m.ID, tc.serials[i], identity.ActorCitizen)
	}
	return tc
}

// logIn logs in through the pages with password and the next code of display i, starting at
// start (a page that asks for a login passes its way back there), and returns the code step's
// answer and the browser.
func (tc *tempCitizen) logIn(t *testing.T, b *browser, start, password string, i int) *http.Response {
	t.Helper()
	u, _ := url.Parse(start)
	b.page(t, start)
	if res := b.form(t, "/log-ind", url.Values{"username": {tc.m.Username}, "next": {u.Query().Get("next")}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("username: %d", res.StatusCode)
	}
	b.page(t, "/log-ind/kode")
	code, err := tc.env.App.Tokens.Code(context.Background(), tc.serials[i], time.Now().Add(time.Duration(tc.step[i])*30*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	tc.step[i]++
	return b.form(t, "/log-ind/kode", url.Values{"password": {password}, "code": {code}})
}

// TestTemporaryPasswordOverHTTP: support's temporary password logs in to the change page and
// nowhere else, stays usable for another login until the new password is set, and is dead
// the moment it is; the change lifts the restriction of this session and ends the others.
func TestTemporaryPasswordOverHTTP(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := apptest.New(t, apptest.Options{})
	tc := newTempCitizen(t, env)
	pw, err := env.App.Identity.IssueTemporaryPassword(ctx, tc.m.ID, identity.StaffActor(1), nil)
	if err != nil {
		t.Fatal(err)
	}
	first := newBrowser(t, env, nil, "")
	if res := tc.logIn(t, first, "/log-ind?next=%2Fmitid%2Faktivitet", pw, 0); res.Header.Get("Location") != "/mitid/adgangskode" {
		t.Fatalf("login with the temporary password: %d to %q, want the change page", res.StatusCode, res.Header.Get("Location"))
	}
	if body := first.page(t, "/mitid/adgangskode"); !strings.Contains(body, `data-testid="must-change-password"`) ||
		strings.Contains(body, `data-testid="cancel"`) {
		t.Error("the change page does not say the password must change, or offers to cancel")
	}
	// A block (a state change) is not reached, nor any other page.
	if res := first.form(t, "/mitid/spaer", url.Values{"reason": {"lost"}}); res.Header.Get("Location") != "/mitid/adgangskode" {
		t.Errorf("block from the restricted session: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	if m, _ := env.App.Identity.MitID(ctx, tc.m.ID); m.Status != identity.StatusActive {
		t.Errorf("the restricted session blocked the MitID: %s", m.Status)
	}
	// A second browser logs in with the same temporary password: it still works.
	second := newBrowser(t, env, nil, "")
	if res := tc.logIn(t, second, "/log-ind", pw, 0); res.Header.Get("Location") != "/mitid/adgangskode" {
		t.Fatalf("a second login with the temporary password: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	first.page(t, "/mitid/adgangskode")
	newPassword := "Rugbroed-Kanal-Fyrtaarn-42"
	res := first.form(t, "/mitid/adgangskode", url.Values{"password": {newPassword}, "password_repeat": {newPassword}})
	if res.Header.Get("Location") != "/mitid?done=password_changed" {
		t.Fatalf("setting the new password: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	for _, p := range []string{"/mitid", "/mitid/aktivitet", "/mitid/spaer"} {
		if status, _ := first.get(t, p); status != http.StatusOK {
			t.Errorf("%s after the change: %d, want 200", p, status)
		}
	}
	if status, _ := second.get(t, "/mitid/adgangskode"); status == http.StatusOK {
		t.Error("the other session outlived the change")
	}
	// The temporary password is dead; the new one logs in without restriction.
	if res := tc.logIn(t, newBrowser(t, env, nil, ""), "/log-ind", pw, 1); res.StatusCode == http.StatusSeeOther {
		t.Errorf("the temporary password after the change: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	if res := tc.logIn(t, newBrowser(t, env, nil, ""), "/log-ind", newPassword, 1); res.Header.Get("Location") != "/mitid" {
		t.Errorf("the new password: %d to %q, want /mitid", res.StatusCode, res.Header.Get("Location"))
	}
}

// TestLoggedOutVisitComesBack: a logged-out visit to a citizen page goes to the login and,
// after it, back to the page; a way back that leaves the site is dropped.
func TestLoggedOutVisitComesBack(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	tc := newTempCitizen(t, env)
	b := newBrowser(t, env, nil, "")
	status, loc := b.get(t, "/mitid/aktivitet?before=5")
	if status != http.StatusSeeOther || loc != "/log-ind?next="+url.QueryEscape("/mitid/aktivitet?before=5") {
		t.Fatalf("logged-out visit: %d to %q, want 303 to the login with the way back", status, loc)
	}
	// A polled fragment (htmx) comes back to the page that holds it, never to another site.
	for cur, want := range map[string]string{
		env.URL + "/mitid/app/tilfoej?lang=en": "/log-ind?next=" + url.QueryEscape("/mitid/app/tilfoej?lang=en"),
		"https://evil.com/mitid":               "/log-ind?next=" + url.QueryEscape("/mitid/app/tilfoej/status"),
	} {
		req, _ := http.NewRequest(http.MethodGet, env.URL+"/mitid/app/tilfoej/status", nil)
		req.Header.Set("HX-Request", "true")
		req.Header.Set("HX-Current-URL", cur)
		res, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if got := res.Header.Get("HX-Redirect"); got != want {
			t.Errorf("htmx from %s: HX-Redirect %q, want %q", cur, got, want)
		}
	}
	tests := []struct {
		name, start, want string
		display           int
	}{
		{"back to the page", loc, "/mitid/aktivitet?before=5", 0},
		{"scheme-relative", "/log-ind?next=" + url.QueryEscape("//evil.com"), "/mitid", 0},
		{"absolute", "/log-ind?next=" + url.QueryEscape("https://evil.com"), "/mitid", 1},
		{"backslash", "/log-ind?next=" + url.QueryEscape(`/\evil.com`), "/mitid", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := tc.logIn(t, newBrowser(t, env, nil, ""), tt.start, apptest.Password, tt.display)
			if got := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || got != tt.want {
				t.Errorf("after the login: %d to %q, want %q", res.StatusCode, got, tt.want)
			}
		})
	}
}
