package handlers_test

import (
	"context"
	mrand "math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"mitidportal/app/apptest"
	"mitidportal/handlers"
	"mitidportal/identity"
	"mitidportal/identity/idapp"
	"mitidportal/locales"
)

// The identification app's flow over HTTP against a real database: start, the signed result,
// and every refusal the flow adds to identity/idapp's own checks.

var idappNonce = regexp.MustCompile(`data-testid="idapp-nonce">([^<]+)<`)

// idappBrowser is a fresh browser that started an identification; it returns the nonce shown.
func idappBrowser(t *testing.T, env *apptest.Env) (*browser, string) {
	t.Helper()
	b := newBrowser(t, env, nil, "")
	b.page(t, "/idapp")
	if res, _ := b.post(t, "/idapp/start", url.Values{}); res.StatusCode != http.StatusSeeOther ||
		res.Header.Get("Location") != "/idapp/vent" {
		t.Fatalf("start: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	m := idappNonce.FindStringSubmatch(b.page(t, "/idapp/vent"))
	if m == nil {
		t.Fatal("no nonce on the waiting page")
	}
	return b, m[1]
}

// idappPerson puts an invented living person without a MitID into the register.
func idappPerson(t *testing.T, env *apptest.Env) identity.Person {
	t.Helper()
	rng := mrand.New(mrand.NewPCG(uint64(time.Now().UnixNano()), 8))
	p := identity.GenerateDemoPersons(rng, 1)[0]
	p.Deceased = false
	if err := env.App.Persons.Insert(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	return p
}

func claimsFor(t *testing.T, p identity.Person, nonce string) idapp.Claims {
	t.Helper()
	c, err := idapp.SimulatedClaims(idapp.Simulation{Person: p, Nonce: nonce, Liveness: true}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func signDemo(t *testing.T, c idapp.Claims) string {
	t.Helper()
	s, err := idapp.Sign(idapp.DemoKey(), idapp.DemoKeyID, c)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// grantOf reads the activation code the browser's session was handed (the grant of
// handlers/citizen/activation_grant.go).
func grantOf(t *testing.T, env *apptest.Env, b *browser) (int64, string) {
	t.Helper()
	u, _ := url.Parse(env.URL)
	r := httptest.NewRequest(http.MethodGet, env.URL+"/", nil)
	for _, ck := range b.client.Jar.Cookies(u) {
		r.AddCookie(ck)
	}
	sess, err := env.App.Sessions.New(r, "portal")
	if err != nil {
		t.Fatal(err)
	}
	id, _ := sess.Values["grant_activation"].(int64)
	cpr, _ := sess.Values["grant_cpr"].(string)
	return id, cpr
}

func TestIDAppGrantsByPurpose(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	ctx := context.Background()
	withChip := func(t *testing.T) identity.Person {
		m := env.NewCitizen(t)
		if _, err := env.App.Identity.AddChip(ctx, m.ID, "Nøgle", identity.ChipCredential{
			CredentialID: []byte("idapp-" + m.Username), PublicKey: []byte("cose"), AAGUID: make([]byte, 16)},
			identity.ActorCitizen); err != nil {
			t.Fatal(err)
		}
		p, _ := env.App.Persons.ByCPR(ctx, m.CPR)
		return p
	}
	tests := []struct {
		name   string
		person func(t *testing.T) identity.Person
		want   identity.ActivationPurpose
		logged bool // the MitID's activity log records the identification
	}{
		{"no MitID: create", func(t *testing.T) identity.Person { return idappPerson(t, env) }, identity.ActivationCreate, false},
		{"an unfinished MitID: create", func(t *testing.T) identity.Person {
			m := env.NewCitizen(t)
			p, _ := env.App.Persons.ByCPR(ctx, m.CPR)
			return p
		}, identity.ActivationCreate, true},
		{"an active MitID: recover", withChip, identity.ActivationRecover, true},
		{"a blocked MitID: lift", func(t *testing.T) identity.Person {
			p := withChip(t)
			m, _ := env.App.Identity.MitIDByCPR(ctx, p.CPR)
			if err := env.App.Identity.BlockMitID(ctx, m.ID, identity.BlockStolen, identity.ActorCitizen, nil); err != nil {
				t.Fatal(err)
			}
			return p
		}, identity.ActivationLift, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.person(t)
			b, nonce := idappBrowser(t, env)
			planted := newBrowser(t, env, nil, "") // the same session ID, as if planted earlier
			u, _ := url.Parse(env.URL)
			planted.client.Jar.SetCookies(u, b.client.Jar.Cookies(u))
			res, body := b.post(t, "/idapp/resultat", url.Values{"result": {signDemo(t, claimsFor(t, p, nonce))}})
			if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/aktiver/videre" {
				t.Fatalf("result: %d %q %.300s", res.StatusCode, res.Header.Get("Location"), body)
			}
			if id, _ := grantOf(t, env, planted); id != 0 {
				t.Error("the session ID from before the grant carries it: the session was not renewed")
			}
			id, cpr := grantOf(t, env, b)
			var purpose, assurance, issuedBy string
			var used bool
			err := env.App.Pool.QueryRow(ctx, `SELECT purpose, assurance, issued_by, used_at IS NOT NULL
				FROM activation_code WHERE id = $1 AND cpr = $2`, id, cpr).Scan(&purpose, &assurance, &issuedBy, &used)
			if err != nil {
				t.Fatalf("the session's grant %d/%q is no activation code: %v", id, cpr, err)
			}
			if cpr != string(p.CPR) || purpose != string(tt.want) || assurance != "high" || issuedBy != "idapp" || used {
				t.Errorf("granted %s %s %s by %s (used %v), want %s %s high by idapp", cpr, purpose, assurance, issuedBy, used, p.CPR, tt.want)
			}
			var logged bool
			if err := env.App.Pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM activity a JOIN mitid m ON m.id = a.mitid_id
				WHERE m.cpr = $1 AND a.kind = 'identified_by_app')`, p.CPR).Scan(&logged); err != nil {
				t.Fatal(err)
			}
			if logged != tt.logged {
				t.Errorf("activity logged %v, want %v", logged, tt.logged)
			}
			var notified bool
			if err := env.App.Pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM mail_outbox
				WHERE lower(to_address) = lower($1) AND kind = 'notification.identified_by_app')`, p.Email).Scan(&notified); err != nil {
				t.Fatal(err)
			}
			if notified != (tt.logged && p.Email != "") {
				t.Errorf("notified %v; a MitID's holder hears of every identification", notified)
			}
			var letters int
			if err := env.App.Pool.QueryRow(ctx, `SELECT count(*) FROM letter WHERE cpr = $1`, p.CPR).Scan(&letters); err != nil {
				t.Fatal(err)
			}
			if letters != 0 {
				t.Errorf("%d letters sent; the app's code is handed over in the browser", letters)
			}
			// The waiting page is gone with the identification: it starts over.
			if status, loc := b.get(t, "/idapp/vent"); status != http.StatusSeeOther || loc != "/idapp" {
				t.Errorf("waiting page after the grant: %d %q", status, loc)
			}
		})
	}
}

// TestIDAppResultOnceInParallel posts one result 100 times at once from the session that
// started it: exactly one is granted, the others are told the result was used.
func TestIDAppResultOnceInParallel(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	p := idappPerson(t, env)
	b, nonce := idappBrowser(t, env)
	result := signDemo(t, claimsFor(t, p, nonce))
	send := make([]func() (*http.Response, error), attempts)
	for i := range send {
		send[i] = b.postForm("/idapp/resultat", url.Values{"result": {result}})
	}
	// The others are told the result was used (409), or, if they arrive after the grant renewed
	// the session, that their form's token is stale (403): both refuse.
	if got := fire(t, send); got[http.StatusSeeOther] != 1 || got[http.StatusConflict]+got[http.StatusForbidden] != attempts-1 {
		t.Errorf("answers %v, want one 303 and %d 409 or 403", got, attempts-1)
	}
	var codes int
	if err := env.App.Pool.QueryRow(context.Background(), `SELECT count(*) FROM activation_code WHERE cpr = $1`,
		p.CPR).Scan(&codes); err != nil {
		t.Fatal(err)
	}
	if codes != 1 {
		t.Errorf("%d activation codes issued, want 1", codes)
	}
}

// TestIDAppStartThrottled: 100 starts at once from one address, and exactly the bound of them
// hand out a nonce.
func TestIDAppStartThrottled(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	b := newBrowser(t, env, nil, "")
	b.page(t, "/idapp")
	send := make([]func() (*http.Response, error), attempts)
	for i := range send {
		send[i] = b.postForm("/idapp/start", url.Values{})
	}
	limit := idapp.StartThrottle.Max
	if got := fire(t, send); got[http.StatusSeeOther] != limit || got[http.StatusTooManyRequests] != attempts-limit {
		t.Errorf("answers %v, want %d 303 and %d 429", got, limit, attempts-limit)
	}
	var nonces int
	if err := env.App.Pool.QueryRow(context.Background(), `SELECT count(*) FROM idapp_nonce`).Scan(&nonces); err != nil {
		t.Fatal(err)
	}
	if nonces != limit {
		t.Errorf("%d nonces handed out, want %d", nonces, limit)
	}
}

// TestIDAppDemoSimulator walks the simulator over HTTP: its page has this session's nonce, and
// its answer carries a result that the portal grants.
func TestIDAppDemoSimulator(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	resultField := regexp.MustCompile(`name="result" value="([^"]+)"`)
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, liveness, variant string
		status                  int
		msg                     string
	}{
		{"a valid result", "yes", "normal", http.StatusSeeOther, ""},
		{"liveness failed", "no", "normal", http.StatusBadRequest, idapp.ErrLiveness.MsgID},
		{"expired", "yes", "expired", http.StatusBadRequest, idapp.ErrExpired.MsgID},
		{"a wrong nonce", "yes", "wrong_nonce", http.StatusBadRequest, idapp.ErrNonceUnknown.MsgID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := idappPerson(t, env)
			b, nonce := idappBrowser(t, env)
			if page := b.page(t, "/demo/idapp"); !strings.Contains(page, `value="`+nonce+`"`) {
				t.Fatal("the simulator does not fill in the session's nonce")
			}
			res, body := b.post(t, "/demo/idapp", url.Values{"cpr": {p.CPR.String()}, "nonce": {nonce},
				"liveness": {tt.liveness}, "variant": {tt.variant}})
			m := resultField.FindStringSubmatch(body)
			if res.StatusCode != http.StatusOK || m == nil || !strings.Contains(body, `action="/idapp/resultat"`) {
				t.Fatalf("simulator: %d, result found %v", res.StatusCode, m != nil)
			}
			res, body = b.post(t, "/idapp/resultat", url.Values{"result": {m[1]}})
			if res.StatusCode != tt.status {
				t.Errorf("the simulator's result: %d, want %d", res.StatusCode, tt.status)
			}
			if tt.msg != "" && (!strings.Contains(body, `data-testid="idapp-refused"`) ||
				!strings.Contains(body, htmlEscape(cat.For("da").T(tt.msg)))) {
				t.Errorf("no refusal page saying %s", tt.msg)
			}
		})
	}
	t.Run("refused choices", func(t *testing.T) {
		p := idappPerson(t, env)
		b, nonce := idappBrowser(t, env)
		for name, fields := range map[string]url.Values{
			"unknown person": {"cpr": {"0101011234"}, "nonce": {nonce}, "liveness": {"yes"}, "variant": {"normal"}},
			"no choice":      {"cpr": {p.CPR.String()}, "nonce": {nonce}},
			"no nonce":       {"cpr": {p.CPR.String()}, "liveness": {"yes"}, "variant": {"normal"}},
			"a made-up mode": {"cpr": {p.CPR.String()}, "nonce": {nonce}, "liveness": {"maybe"}, "variant": {"forged"}},
		} {
			if res, body := b.post(t, "/demo/idapp", fields); res.StatusCode != http.StatusUnprocessableEntity ||
				!strings.Contains(body, `data-testid="error-summary"`) {
				t.Errorf("%s: %d", name, res.StatusCode)
			}
		}
	})
}

// TestIDAppOutsideDemo: the simulator is not there outside demo mode, and without keys of the
// identification service nothing of the flow is.
func TestIDAppOutsideDemo(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	for _, tt := range []struct {
		name   string
		noKeys bool
		want   map[string]int
	}{
		{"keys configured", false, map[string]int{"/idapp": 200, "/demo/idapp": 404}},
		{"no keys", true, map[string]int{"/idapp": 404, "/idapp/vent": 404, "/demo/idapp": 404}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := env.App.Server.Deps
			d.Config.Demo = false
			if tt.noKeys {
				d.IDApp = nil
			}
			d.Metrics = prometheus.NewRegistry()
			h := handlers.New(d).Handler()
			for path, want := range tt.want {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
				if rec.Code != want {
					t.Errorf("GET %s: %d, want %d", path, rec.Code, want)
				}
			}
		})
	}
}

// identifying is a browser of the input table that started an identification.
func (fx *inputFixture) identifying(t *testing.T) *browser {
	b := fx.anonymous(t)
	if res, _ := b.post(t, "/idapp/start", url.Values{}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("start: %d", res.StatusCode)
	}
	return b
}
