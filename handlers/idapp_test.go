package handlers_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
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

// hs256 is the classic confusion attack: an HMAC keyed with the public key's PEM.
func hs256(c idapp.Claims) string {
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	h, p := enc(map[string]string{"alg": "HS256", "kid": idapp.DemoKeyID}), enc(c)
	der, _ := x509.MarshalPKIXPublicKey(&idapp.DemoKey().PublicKey)
	m := hmac.New(sha256.New, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
	m.Write([]byte(h + "." + p))
	return h + "." + p + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func TestIDAppRefusals(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	ctx := context.Background()
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	stranger, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	signed := func(mod func(*idapp.Claims)) func(*testing.T, identity.Person, string) string {
		return func(t *testing.T, p identity.Person, nonce string) string {
			c := claimsFor(t, p, nonce)
			mod(&c)
			return signDemo(t, c)
		}
	}
	tests := []struct {
		name   string
		result func(t *testing.T, p identity.Person, nonce string) string
		// before changes the state the result meets (another session, a spent nonce).
		before func(t *testing.T, b *browser, p identity.Person, nonce string) *browser
		status int
		msg    string
	}{
		{name: "signed by another key under the demo key's id", status: 400, msg: idapp.ErrInvalid.MsgID,
			result: func(t *testing.T, p identity.Person, nonce string) string {
				s, _ := idapp.Sign(stranger, idapp.DemoKeyID, claimsFor(t, p, nonce))
				return s
			}},
		{name: "unknown key id", status: 400, msg: idapp.ErrInvalid.MsgID,
			result: func(t *testing.T, p identity.Person, nonce string) string {
				s, _ := idapp.Sign(idapp.DemoKey(), "2027-1", claimsFor(t, p, nonce))
				return s
			}},
		{name: "tampered payload", status: 400, msg: idapp.ErrInvalid.MsgID,
			result: func(t *testing.T, p identity.Person, nonce string) string {
				good := strings.Split(signDemo(t, claimsFor(t, p, nonce)), ".")
				other := idappPerson(t, env)
				forged := strings.Split(signDemo(t, claimsFor(t, other, nonce)), ".")
				return good[0] + "." + forged[1] + "." + good[2]
			}},
		{name: "alg none", status: 400, msg: idapp.ErrInvalid.MsgID,
			result: func(t *testing.T, p identity.Person, nonce string) string {
				parts := strings.Split(signDemo(t, claimsFor(t, p, nonce)), ".")
				h, _ := json.Marshal(map[string]string{"alg": "none", "kid": idapp.DemoKeyID})
				return base64.RawURLEncoding.EncodeToString(h) + "." + parts[1] + "."
			}},
		{name: "HS256 keyed with the public key", status: 400, msg: idapp.ErrInvalid.MsgID,
			result: func(t *testing.T, p identity.Person, nonce string) string { return hs256(claimsFor(t, p, nonce)) }},
		{name: "not a JWS", status: 400, msg: idapp.ErrInvalid.MsgID,
			result: func(*testing.T, identity.Person, string) string { return "hello" }},
		{name: "expired", status: 400, msg: idapp.ErrExpired.MsgID, result: signed(func(c *idapp.Claims) {
			c.IssuedAt, c.Expiry = time.Now().Add(-20*time.Minute).Unix(), time.Now().Add(-15*time.Minute).Unix()
		})},
		{name: "liveness failed", status: 400, msg: idapp.ErrLiveness.MsgID, result: signed(func(c *idapp.Claims) { c.Liveness = false })},
		{name: "MRZ check digit wrong", status: 400, msg: "mrz.err.check_birth", result: signed(func(c *idapp.Claims) {
			l := []byte(c.MRZ[1])
			l[19] = '0' + (l[19]-'0'+1)%10
			c.MRZ[1] = string(l)
		})},
		{name: "surname differs from the register", status: 400, msg: idapp.ErrRegisterMismatch.MsgID, result: signed(func(c *idapp.Claims) {
			c.Surname = "Andersen-Olsen"
		})},
		{name: "MRZ names another person", status: 400, msg: idapp.ErrRegisterMismatch.MsgID,
			result: func(t *testing.T, p identity.Person, nonce string) string {
				other := p
				other.FamilyName, other.GivenName = "Ørsted", "Hans Christian"
				c := claimsFor(t, p, nonce)
				c.MRZ = claimsFor(t, other, nonce).MRZ
				return signDemo(t, c)
			}},
		{name: "birth date differs", status: 400, msg: idapp.ErrRegisterMismatch.MsgID,
			result: func(t *testing.T, p identity.Person, nonce string) string {
				older := p
				older.BirthDate = p.BirthDate.AddDate(-1, 0, 0)
				c := claimsFor(t, p, nonce)
				c.MRZ = claimsFor(t, older, nonce).MRZ
				return signDemo(t, c)
			}},
		{name: "CPR number of nobody", status: 400, msg: idapp.ErrRegisterMismatch.MsgID, result: signed(func(c *idapp.Claims) {
			c.CPR = "0101011234"
		})},
		{name: "deceased", status: 400, msg: idapp.ErrRegisterMismatch.MsgID,
			result: func(t *testing.T, p identity.Person, nonce string) string {
				if err := env.App.Persons.SetDeceased(ctx, p.CPR); err != nil {
					t.Fatal(err)
				}
				return signDemo(t, claimsFor(t, p, nonce))
			}},
		{name: "a nonce the portal never handed out", status: 400, msg: idapp.ErrNonceUnknown.MsgID, result: signed(func(c *idapp.Claims) {
			c.Nonce = "ABCDEFGHJKMNPQRS"
		})},
		{name: "the nonce expired", status: 400, msg: idapp.ErrNonceExpired.MsgID,
			result: func(t *testing.T, p identity.Person, nonce string) string {
				if _, err := env.App.Pool.Exec(ctx, `UPDATE idapp_nonce SET created_at = now() - interval '1 hour',
					expires_at = now() - interval '1 minute' WHERE used_at IS NULL AND expires_at > now()`); err != nil {
					t.Fatal(err)
				}
				return signDemo(t, claimsFor(t, p, nonce))
			}},
		{name: "replayed", status: 409, msg: idapp.ErrNonceUsed.MsgID,
			result: signed(func(*idapp.Claims) {}),
			before: func(t *testing.T, b *browser, p identity.Person, nonce string) *browser {
				res, _ := b.post(t, "/idapp/resultat", url.Values{"result": {signDemo(t, claimsFor(t, p, nonce))}})
				if res.StatusCode != http.StatusSeeOther {
					t.Fatalf("first use: %d", res.StatusCode)
				}
				return b
			}},
		{name: "the nonce of another session", status: 400, msg: idapp.ErrNonceOtherSession.MsgID,
			result: signed(func(*idapp.Claims) {}),
			before: func(t *testing.T, _ *browser, _ identity.Person, _ string) *browser {
				other, _ := idappBrowser(t, env) // started its own identification
				return other
			}},
		{name: "a browser that started nothing", status: 400, msg: idapp.ErrNonceOtherSession.MsgID,
			result: signed(func(*idapp.Claims) {}),
			before: func(t *testing.T, _ *browser, _ identity.Person, _ string) *browser {
				other := newBrowser(t, env, nil, "")
				other.page(t, "/idapp")
				return other
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := idappPerson(t, env)
			b, nonce := idappBrowser(t, env)
			poster := b
			if tt.before != nil {
				poster = tt.before(t, b, p, nonce)
			}
			var before int
			_ = env.App.Pool.QueryRow(ctx, `SELECT count(*) FROM activation_code`).Scan(&before)
			res, body := poster.post(t, "/idapp/resultat", url.Values{"result": {tt.result(t, p, nonce)}})
			if res.StatusCode != tt.status {
				t.Errorf("status %d, want %d", res.StatusCode, tt.status)
			}
			if !strings.Contains(body, `data-testid="idapp-refused"`) || !strings.Contains(body, `action="/idapp/start"`) {
				t.Error("not the refusal page with a way to start again")
			}
			if want := cat.For("da").T(tt.msg); !strings.Contains(body, htmlEscape(want)) {
				t.Errorf("the page does not say %q", want)
			}
			var after int
			_ = env.App.Pool.QueryRow(ctx, `SELECT count(*) FROM activation_code`).Scan(&after)
			if after != before {
				t.Errorf("a refused result issued %d activation codes", after-before)
			}
			if id, _ := grantOf(t, env, poster); id != 0 && tt.before == nil {
				t.Errorf("a refused result left a grant %d in the session", id)
			}
		})
	}
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(s)
}

// TestIDAppResultOnceInParallel posts one result 100 times at once from the session that
// started it: exactly one is granted, the others are told the result was used.
func TestIDAppResultOnceInParallel(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	p := idappPerson(t, env)
	b, nonce := idappBrowser(t, env)
	result := signDemo(t, claimsFor(t, p, nonce))
	send := make([]func() (*http.Response, error), attempts)
	for i := range send {
		send[i] = b.postForm("/idapp/resultat", url.Values{"result": {result}})
	}
	if got := fire(t, send); got[http.StatusSeeOther] != 1 || got[http.StatusConflict] != attempts-1 {
		t.Errorf("answers %v, want one 303 and %d 409", got, attempts-1)
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
