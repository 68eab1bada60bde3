package handlers_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"mitidportal/app/apptest"
	"mitidportal/audit"
	"mitidportal/handlers"
	"mitidportal/support"
)

// A GET writes nothing (STYLE.md): not a session row for a visitor without a cookie, not an
// audit entry, not a spent token.

// tableRows counts the rows of every table of the portal's schema. The job queue's own tables
// (river_*) are left out: its leader election and periodic jobs write on their own clock; so
// is audit_seal, which the sealing job fills for audit entries written before (a seed's, a
// fixture's) whenever it runs.
func tableRows(t *testing.T, env *apptest.Env) map[string]int64 {
	t.Helper()
	ctx := context.Background()
	rows, err := env.App.Pool.Query(ctx, `SELECT tablename FROM pg_tables
		WHERE schemaname = current_schema() AND tablename NOT LIKE 'river%' AND tablename NOT LIKE 'goose%'
		AND tablename <> 'audit_seal'`)
	if err != nil {
		t.Fatal(err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if len(names) < 10 {
		t.Fatalf("only %d tables found: %v", len(names), names)
	}
	counts := map[string]int64{}
	for _, n := range names {
		var c int64
		if err := env.App.Pool.QueryRow(ctx, `SELECT count(*) FROM `+pgx.Identifier{n}.Sanitize()).Scan(&c); err != nil {
			t.Fatal(err)
		}
		counts[n] = c
	}
	return counts
}

// wantNoNewRows fails for every table that has more rows than before.
func wantNoNewRows(t *testing.T, what string, before, after map[string]int64) {
	t.Helper()
	for name, n := range after {
		if n > before[name] {
			t.Errorf("%s: table %s grew from %d to %d rows", what, name, before[name], n)
		}
	}
}

// TestCookielessGETsInsertNoRow: every public GET route (every form page among them), asked
// 100 times by a client without cookies, inserts no row in any table, and never sets a
// session cookie. Forms still carry a CSRF token: the signed cookie's.
func TestCookielessGETsInsertNoRow(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	var paths []string
	for _, r := range env.App.Server.Routes() {
		if r.Method == http.MethodGet && r.Access.Allows([]handlers.Role{handlers.Anonymous}) {
			paths = append(paths, concretePath(r.Path))
		}
	}
	// The contact form's confirmation link with a well-formed token that is not stored.
	paths = append(paths, "/kontakt/bekraeft/"+strings.Repeat("A", 43))
	// A staff enrolment link that works: its page is a form, and only its POST ties it to a
	// session.
	_, token, err := env.App.Server.Staff.Create(context.Background(), "ny@styrelsen.dk", "Ny Medarbejder", []string{"agent"})
	if err != nil {
		t.Fatal(err)
	}
	paths = append(paths, "/medarbejder/tilmeld/"+token)
	// The account's creation is audited: its entry is sealed now, not by the sealer during the
	// GETs.
	if _, err := env.App.AuditChain.Seal(context.Background()); err != nil {
		t.Fatal(err)
	}
	const times = 100
	sessionCookie := env.App.Sessions.CookieName()
	before := tableRows(t, env)
	sessionsBefore := before["web_session"]
	forms := 0
	for _, p := range paths {
		// The first answer of each page is checked in full, the rest only counted.
		res, body := get(t, env, p, nil)
		if res.StatusCode >= 500 {
			t.Errorf("GET %s: %d", p, res.StatusCode)
		}
		for _, ck := range res.Cookies() {
			if ck.Name == sessionCookie {
				t.Errorf("GET %s sets a session cookie", p)
			}
		}
		if strings.Contains(body, `name="csrf_token"`) {
			forms++
			if !hasCookie(res, "csrf") {
				t.Errorf("GET %s shows a form but sets no CSRF cookie", p)
			}
		}
	}
	if forms < 5 {
		t.Fatalf("only %d public pages with a form; the test no longer sees them", forms)
	}
	start := time.Now()
	client := &http.Client{CheckRedirect: noRedirect.CheckRedirect, Transport: &http.Transport{MaxIdleConnsPerHost: 8}}
	var wg sync.WaitGroup
	work := make(chan string)
	for range 8 {
		wg.Go(func() {
			for p := range work {
				res, err := client.Get(env.URL + p)
				if err != nil {
					t.Error(err)
					continue
				}
				res.Body.Close()
			}
		})
	}
	for _, p := range paths {
		for range times - 1 {
			work <- p
		}
	}
	close(work)
	wg.Wait()
	t.Logf("%d paths × %d cookie-less GETs in %v", len(paths), times, time.Since(start).Round(time.Millisecond))
	after := tableRows(t, env)
	wantNoNewRows(t, "cookie-less GETs", before, after)
	if after["web_session"] != sessionsBefore {
		t.Errorf("web_session: %d rows before, %d after", sessionsBefore, after["web_session"])
	}
}

func hasCookie(res *http.Response, name string) bool {
	for _, ck := range res.Cookies() {
		if ck.Name == name && ck.Value != "" {
			return true
		}
	}
	return false
}

// auditAndActivity counts the audit entries and the citizens' activity entries.
func auditAndActivity(t *testing.T, env *apptest.Env) (int, int) {
	t.Helper()
	return count(t, env, `SELECT count(*) FROM audit_log`), count(t, env, `SELECT count(*) FROM activity`)
}

// TestStaffGETsWriteNoAudit: as an agent (and as a supervisor), a GET of every staff route the
// role may use, the citizen card and the verification poll included, and a search by CPR
// number writes no audit entry and no activity entry. The card opens by POST, once per press.
func TestStaffGETsWriteNoAudit(t *testing.T) {
	t.Parallel()
	d := newDeskEnv(t)
	ctx := context.Background()
	cs, err := d.env.App.Server.Cases.Open(ctx, support.NewCase{Channel: support.ChannelPhone, System: support.SystemMitID,
		Category: support.CategoryLogin, MitIDID: d.citizen.ID, StaffID: d.agentID, Subject: "Glemt adgangskode"})
	if err != nil {
		t.Fatal(err)
	}
	// A verification under way, so that the poll has something to read.
	if res, _ := d.agent.post(t, d.card()+"/bekraeft?sag="+cs.Ref, url.Values{}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("start verification: %d", res.StatusCode)
	}
	req := strconv.Itoa(count(t, d.env, `SELECT max(id) FROM app_request`))
	d.answer(t, true) // answered, not yet recorded: only a POST records it
	fill := strings.NewReplacer(":id", strconv.FormatInt(d.citizen.ID, 10), ":ref", cs.Ref, ":req", req, ":token", "x")
	var paths []string
	for _, r := range d.env.App.Server.Routes() {
		if r.Method == http.MethodGet && strings.HasPrefix(r.Path, "/medarbejder") && r.Access.Allows([]handlers.Role{handlers.Agent}) {
			paths = append(paths, fill.Replace(r.Path))
		}
	}
	paths = append(paths, d.card()+"?sag="+cs.Ref, "/medarbejder/sager?q="+url.QueryEscape(string(d.citizen.CPR)),
		"/medarbejder/sager?q="+d.citizen.Username,
		// The audit log's citizen filter turns a CPR number or username into the log's names
		// for them: it reads no citizen's data and records nothing.
		"/medarbejder/revision?emne="+url.QueryEscape(d.citizen.CPR.String()), "/medarbejder/revision?emne="+d.citizen.Username)
	walk := func(name string) {
		t.Helper()
		a0, act0 := auditAndActivity(t, d.env)
		for _, p := range paths {
			for _, hx := range []bool{false, true} {
				if res, _ := d.agent.appGet(t, p, hx); res.StatusCode >= 500 {
					t.Errorf("%s: GET %s (htmx %v): %d", name, p, hx, res.StatusCode)
				}
			}
		}
		if a1, act1 := auditAndActivity(t, d.env); a1 != a0 || act1 != act0 {
			t.Errorf("%s: GETs wrote %d audit and %d activity entries", name, a1-a0, act1-act0)
		}
	}
	// The case page opens the card with a button that posts, never with a link.
	if body := d.agent.page(t, "/medarbejder/sager/"+cs.Ref); !strings.Contains(body, `<form novalidate method="post" action="`+d.card()+"/aabn?sag="+cs.Ref+`"`) ||
		strings.Contains(body, `href="`+d.card()) {
		t.Error("the case page does not open the card with a POST button")
	}
	walk("before the card is opened")
	body := d.agent.page(t, d.card())
	if strings.Contains(body, d.citizen.CPR.String()) || !strings.Contains(body, `data-testid="desk-open"`) {
		t.Fatalf("the card shows the citizen before it is opened, or no button to open it:\n%s", body)
	}
	a0, act0 := auditAndActivity(t, d.env)
	res, _ := d.agent.post(t, d.card()+"/aabn?sag="+cs.Ref, url.Values{})
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != d.card()+"?sag="+cs.Ref {
		t.Fatalf("open the card: %d to %q", res.StatusCode, loc)
	}
	if a1, act1 := auditAndActivity(t, d.env); a1 != a0+1 || act1 != act0+1 {
		t.Errorf("opening the card wrote %d audit and %d activity entries, want 1 and 1", a1-a0, act1-act0)
	}
	recs, err := d.env.App.Audit.List(ctx, audit.Filter{Actor: audit.Staff(d.agentID), Limit: 1})
	if err != nil || len(recs) != 1 || recs[0].Action != audit.ActionCitizenLookup || recs[0].Detail["case"] != cs.Ref {
		t.Errorf("the newest audit entry is not the look-up from the case: %+v, %v", recs, err)
	}
	walk("after the card is opened")
	if body := d.agent.page(t, d.card()); !strings.Contains(body, d.citizen.CPR.String()) {
		t.Error("an opened card does not show the citizen on GET")
	}
}

// TestCardLinkFromElsewhereRecordsNoLookUp: a GET of a card URL as another site's link makes
// it (the agent's SameSite=Lax cookie goes along with a top-level navigation) records nothing
// and shows nothing about the citizen.
func TestCardLinkFromElsewhereRecordsNoLookUp(t *testing.T) {
	t.Parallel()
	d := newDeskEnv(t)
	before, _ := auditAndActivity(t, d.env)
	req, _ := http.NewRequest(http.MethodGet, d.env.URL+d.card(), nil)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.Header.Set("Sec-Fetch-Mode", "navigate")
	req.Header.Set("Referer", "https://evil.example/")
	res, err := d.agent.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, res)
	if res.StatusCode != http.StatusOK || strings.Contains(body, d.citizen.CPR.String()) || strings.Contains(body, d.citizen.Username) {
		t.Errorf("cross-site GET: %d, the page shows the citizen", res.StatusCode)
	}
	if after, _ := auditAndActivity(t, d.env); after != before {
		t.Errorf("cross-site GET of the card wrote %d audit entries", after-before)
	}
	// A cross-site POST carries no valid token and is refused.
	res2, _ := d.agent.client.PostForm(d.env.URL+d.card()+"/aabn", url.Values{"csrf_token": {"forged"}})
	if res2.StatusCode != http.StatusForbidden {
		t.Errorf("POST without the token: %d, want 403", res2.StatusCode)
	}
	res2.Body.Close()
}

// csrfCookieOf returns the anonymous CSRF cookie a page set.
func csrfCookieOf(t *testing.T, res *http.Response) *http.Cookie {
	t.Helper()
	for _, ck := range res.Cookies() {
		if ck.Name == "csrf" {
			return ck
		}
	}
	t.Fatal("no csrf cookie")
	return nil
}

// TestAnonymousCSRFCookie: a form shown to a visitor without a session is protected by the
// signed cookie: the right field passes, a wrong or missing field or a forged cookie does not;
// the login POST from such a form works and the new session keeps the token.
func TestAnonymousCSRFCookie(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	m := env.NewCitizen(t)
	res, body := get(t, env, "/log-ind", nil)
	ck := csrfCookieOf(t, res)
	if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" {
		t.Errorf("csrf cookie %+v: want HttpOnly, SameSite=Lax, Path=/", ck)
	}
	tok := csrfInput.FindStringSubmatch(body)
	if tok == nil || !strings.HasPrefix(ck.Value, tok[1]+".") {
		t.Fatalf("the form's token is not the cookie's: %v, %q", tok, ck.Value)
	}
	token := tok[1]
	// Another token with a MAC made up by the client.
	forgedTok := base64.RawURLEncoding.EncodeToString([]byte(strings.Repeat("f", 32)))
	forged := &http.Cookie{Name: "csrf", Value: forgedTok + "." + base64.RawURLEncoding.EncodeToString([]byte(strings.Repeat("m", 32)))}
	_, sig, _ := strings.Cut(ck.Value, ".")
	swapped := &http.Cookie{Name: "csrf", Value: forgedTok + "." + sig}
	post := func(cookie *http.Cookie, field, header string) *http.Response {
		t.Helper()
		form := url.Values{"username": {m.Username}}
		if field != "" {
			form.Set("csrf_token", field)
		}
		req, _ := http.NewRequest(http.MethodPost, env.URL+"/log-ind", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if header != "" {
			req.Header.Set("X-CSRF-Token", header)
		}
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
	for _, tt := range []struct {
		name          string
		cookie        *http.Cookie
		field, header string
		want          int
	}{
		{"no cookie", nil, token, "", http.StatusForbidden},
		{"cookie, no field", ck, "", "", http.StatusForbidden},
		{"cookie, wrong field", ck, "wrong", "", http.StatusForbidden},
		{"forged cookie and matching field", forged, forgedTok, "", http.StatusForbidden},
		{"another token under the real MAC", swapped, forgedTok, "", http.StatusForbidden},
		{"cookie and field", ck, token, "", http.StatusSeeOther},
		{"cookie and htmx header", ck, "", token, http.StatusSeeOther},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if res := post(tt.cookie, tt.field, tt.header); res.StatusCode != tt.want {
				t.Errorf("%d, want %d", res.StatusCode, tt.want)
			}
		})
	}

	// The login POST stores a session, which adopts the cookie's token: the next form of the
	// login carries the same token, and a login rotates it. (A citizen with a code display.)
	d := newDeskEnv(t)
	env, m = d.env, d.citizen
	jar, _ := cookiejar.New(nil)
	b := &browser{env: env, client: &http.Client{Jar: jar, CheckRedirect: noRedirect.CheckRedirect}}
	sessions := count(t, env, `SELECT count(*) FROM web_session`)
	b.page(t, "/log-ind")
	first := b.csrf
	if n := count(t, env, `SELECT count(*) FROM web_session`); n != sessions {
		t.Fatalf("%d sessions after showing the login form, want %d", n, sessions)
	}
	if res := b.form(t, "/log-ind", url.Values{"username": {m.Username}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("username: %d", res.StatusCode)
	}
	if n := count(t, env, `SELECT count(*) FROM web_session`); n != sessions+1 {
		t.Errorf("%d sessions after the username, want %d", n, sessions+1)
	}
	b.page(t, "/log-ind/kode")
	if b.csrf != first {
		t.Errorf("the session's token %q is not the one the anonymous form carried %q", b.csrf, first)
	}
	code, err := env.App.Tokens.Code(context.Background(), d.serial, time.Now().Add(30*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if res := b.form(t, "/log-ind/kode", url.Values{"password": {apptest.Password}, "code": {code}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("password and code: %d", res.StatusCode)
	}
	b.page(t, "/mitid")
	if b.csrf == first || b.csrf == "" {
		t.Error("the login did not give the session a new CSRF token")
	}
	// The old token no longer counts once logged in.
	old := b.csrf
	b.csrf = first
	if res := b.form(t, "/log-ud", url.Values{}); res.StatusCode != http.StatusForbidden {
		t.Errorf("log-out with the anonymous token: %d, want 403", res.StatusCode)
	}
	b.csrf = old
	if res := b.form(t, "/log-ud", url.Values{}); res.StatusCode != http.StatusSeeOther {
		t.Errorf("log-out with the session's token: %d, want 303", res.StatusCode)
	}
}
