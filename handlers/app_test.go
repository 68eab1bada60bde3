package handlers_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/json"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"mitidportal/app/apptest"
	"mitidportal/identity"
	"mitidportal/locales"
)

// The app over HTTP: pairing from the self-service page with a phone whose key is made in Go
// and signs as WebCrypto does (P1363), then logins approved and rejected through the phone's
// JSON endpoints while the browser polls. The browser test walks the same with two Chromium
// contexts; this one reaches what a browser cannot do cheaply (another browser asking, forged
// signatures).

// appPhone is the phone's app: a session on /app and a device key.
type appPhone struct {
	*browser
	key *ecdsa.PrivateKey
	id  int64
}

var (
	appDataCSRF    = regexp.MustCompile(`data-csrf-token="([^"]+)"`)
	appPairingCode = regexp.MustCompile(`data-testid="app-pairing-code">([^<]+)<`)
	appLoginCode   = regexp.MustCompile(`data-testid="login-app-code">([^<]+)<`)
	appDataStatus  = regexp.MustCompile(`data-testid="login-app-status" data-status="([a-z]+)"`)
)

func newAppPhone(t *testing.T, env *apptest.Env, code string) *appPhone {
	t.Helper()
	p := &appPhone{browser: newBrowser(t, env, nil, "")}
	body := p.page(t, "/app?kode="+url.QueryEscape(strings.ToLower(code)))
	m := appDataCSRF.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("/app has no CSRF token:\n%s", body)
	}
	p.csrf = m[1]
	if !strings.Contains(body, `value="`+code+`"`) {
		t.Errorf("/app?kode= does not fill in the code %q", code)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	p.key = key
	return p
}

// sign makes a P1363 signature (r || s), base64url, as the app's WebCrypto call does.
func (p *appPhone) sign(t *testing.T, msg string) string {
	t.Helper()
	h := sha256.Sum256([]byte(msg))
	r, s, err := ecdsa.Sign(rand.Reader, p.key, h[:])
	if err != nil {
		t.Fatal(err)
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return b64.EncodeToString(sig)
}

func (p *appPhone) post(t *testing.T, path string, in any) (int, map[string]json.RawMessage) {
	t.Helper()
	body, _ := json.Marshal(in)
	return p.json(t, path, body)
}

func (p *appPhone) pair(t *testing.T, code string) (int, map[string]json.RawMessage) {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(&p.key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	status, out := p.post(t, "/app/par", map[string]string{"code": code, "name": "Testtelefon", "publicKey": b64.EncodeToString(der)})
	if status == http.StatusOK {
		_ = json.Unmarshal(out["authenticatorId"], &p.id)
	}
	return status, out
}

type appListed struct {
	ID        int64  `json:"id"`
	Code      string `json:"code"`
	Service   string `json:"service"`
	Level     string `json:"level"`
	Challenge string `json:"challenge"`
}

func (p *appPhone) list(t *testing.T) []appListed {
	t.Helper()
	now := time.Now().Unix()
	status, out := p.post(t, "/app/anmodninger", map[string]any{"authenticatorId": p.id, "time": now,
		"signature": p.sign(t, identity.AppListMessage(p.id, now))})
	if status != http.StatusOK {
		t.Fatalf("list: %d %s", status, out)
	}
	var list []appListed
	if err := json.Unmarshal(out["requests"], &list); err != nil {
		t.Fatal(err)
	}
	return list
}

func (p *appPhone) answer(t *testing.T, r appListed, approve bool) (int, map[string]json.RawMessage) {
	t.Helper()
	d := "reject"
	if approve {
		d = "approve"
	}
	return p.post(t, "/app/svar", map[string]any{"authenticatorId": p.id, "requestId": r.ID, "approve": approve,
		"signature": p.sign(t, "mitid-app-v1|"+d+"|"+r.Challenge)})
}

// appGet GETs path, as htmx when hx is set, and returns the answer with its body.
func (b *browser) appGet(t *testing.T, path string, hx bool) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.env.URL+path, nil)
	if hx {
		req.Header.Set("HX-Request", "true")
	}
	res, err := b.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

// startAppLogin walks a fresh browser to the waiting page of a login with the app.
func startAppLogin(t *testing.T, env *apptest.Env, username string) (*browser, string) {
	t.Helper()
	b := newBrowser(t, env, nil, "")
	b.page(t, "/log-ind")
	if res := b.form(t, "/log-ind", url.Values{"username": {username}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("username step: %d", res.StatusCode)
	}
	b.page(t, "/log-ind/metode")
	if res := b.form(t, "/log-ind/app", url.Values{}); res.StatusCode != http.StatusSeeOther ||
		res.Header.Get("Location") != "/log-ind/app" {
		t.Fatalf("POST /log-ind/app: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	body := b.page(t, "/log-ind/app")
	m := appLoginCode.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("waiting page without code:\n%s", body)
	}
	return b, m[1]
}

func appStatusOf(t *testing.T, b *browser) (string, *http.Response) {
	t.Helper()
	res, body := b.appGet(t, "/log-ind/app/status", true)
	if m := appDataStatus.FindStringSubmatch(body); m != nil {
		return m[1], res
	}
	return "", res
}

func TestAppOverHTTP(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	tr := cat.For("da")
	m, _, citizen := chipCitizen(t, env)

	// Pairing: the self-service page makes a code and shows it with a QR code.
	if body := citizen.page(t, "/mitid/app/tilfoej"); !strings.Contains(body, `data-testid="app-pairing-start"`) {
		t.Fatalf("pairing page without start button:\n%s", body)
	}
	if res := citizen.form(t, "/mitid/app/tilfoej", url.Values{}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST /mitid/app/tilfoej: %d", res.StatusCode)
	}
	body := citizen.page(t, "/mitid/app/tilfoej")
	cm := appPairingCode.FindStringSubmatch(body)
	if cm == nil || !strings.Contains(body, `data-testid="app-pairing-qr"`) || !strings.Contains(body, env.URL+"/app") {
		t.Fatalf("pairing page without code, QR code or app address:\n%s", body)
	}
	code := cm[1]
	if _, frag := citizen.appGet(t, "/mitid/app/tilfoej/status", true); !strings.Contains(frag, `data-status="pending"`) ||
		strings.Contains(frag, "<html") {
		t.Errorf("status fragment before pairing:\n%s", frag)
	}
	if res, frag := citizen.appGet(t, "/mitid/app/tilfoej/status?vist=pending", true); res.StatusCode != http.StatusNoContent || frag != "" {
		t.Errorf("poll of an unchanged pairing: %d, want 204 and nothing\n%s", res.StatusCode, frag)
	}

	// The phone pairs with the code; the code is spent.
	ph := newAppPhone(t, env, code)
	if status, out := ph.pair(t, code); status != http.StatusOK || ph.id == 0 {
		t.Fatalf("pair: %d %s", status, out)
	}
	status, out := newAppPhone(t, env, code).pair(t, code)
	wantAnswer(t, "pairing code used twice", status, out, http.StatusBadRequest, "error", tr.T(identity.ErrPairingInvalid.MsgID))
	if _, frag := citizen.appGet(t, "/mitid/app/tilfoej/status", true); !strings.Contains(frag, `data-status="paired"`) ||
		strings.Contains(frag, "hx-trigger") {
		t.Errorf("status fragment after pairing (must stop polling):\n%s", frag)
	}

	// The phone proves its key to list: a forged signature and an unknown means are refused.
	now := time.Now().Unix()
	status, out = ph.post(t, "/app/anmodninger", map[string]any{"authenticatorId": ph.id, "time": now,
		"signature": ph.sign(t, identity.AppListMessage(ph.id, now-1))})
	wantAnswer(t, "listing with a wrong signature", status, out, http.StatusUnauthorized, "error", tr.T(identity.ErrAppSignature.MsgID))
	status, out = ph.post(t, "/app/anmodninger", map[string]any{"authenticatorId": ph.id + 1000, "time": now,
		"signature": ph.sign(t, identity.AppListMessage(ph.id+1000, now))})
	wantAnswer(t, "listing for an unknown means", status, out, http.StatusGone, "error", tr.T(identity.ErrAppDevice.MsgID))
	if list := ph.list(t); len(list) != 0 {
		t.Fatalf("requests before any login: %+v", list)
	}

	// A login approved in the app.
	b, shown := startAppLogin(t, env, m.Username)
	if st, _ := appStatusOf(t, b); st != "pending" {
		t.Errorf("status before approval = %q", st)
	}
	// The page's poll, still showing pending, gets nothing to swap into its live region.
	if res, body := b.appGet(t, "/log-ind/app/status?vist=pending", true); res.StatusCode != http.StatusNoContent || body != "" {
		t.Errorf("poll of an unchanged pending login: %d, want 204 and nothing\n%s", res.StatusCode, body)
	}
	// Without script: pressing "I have approved" too early says so and logs nobody in.
	res := b.form(t, "/log-ind/app/fuldfoer", url.Values{})
	if res.StatusCode != http.StatusOK {
		t.Errorf("early finish: %d, want the waiting page again", res.StatusCode)
	}
	list := ph.list(t)
	if len(list) != 1 || list[0].Code != shown || list[0].Service == "" || list[0].Level != tr.T(identity.LevelSubstantial.MsgID()) {
		t.Fatalf("appPhone lists %+v, want one request with code %s", list, shown)
	}
	// Another browser knows nothing of this login and cannot finish it.
	other := newBrowser(t, env, nil, "")
	other.page(t, "/log-ind")
	if res, _ := other.appGet(t, "/log-ind/app/status", true); res.Header.Get("HX-Redirect") != "/log-ind" {
		t.Errorf("another browser's status: HX-Redirect %q, want /log-ind", res.Header.Get("HX-Redirect"))
	}
	// A signature for approval does not serve as a rejection.
	status, out = ph.post(t, "/app/svar", map[string]any{"authenticatorId": ph.id, "requestId": list[0].ID, "approve": false,
		"signature": ph.sign(t, "mitid-app-v1|approve|"+list[0].Challenge)})
	wantAnswer(t, "approval signature sent as rejection", status, out, http.StatusUnauthorized, "error", tr.T(identity.ErrAppSignature.MsgID))
	if status, out := ph.answer(t, list[0], true); status != http.StatusOK {
		t.Fatalf("approve: %d %s", status, out)
	}
	status, out = ph.answer(t, list[0], true)
	wantAnswer(t, "second answer", status, out, http.StatusConflict, "error", tr.T(identity.ErrAppRequestDecided.MsgID))
	other.page(t, "/log-ind")
	if res := other.form(t, "/log-ind/app/fuldfoer", url.Values{}); res.Header.Get("Location") != "/log-ind" {
		t.Errorf("another browser's finish: %d to %q, want /log-ind", res.StatusCode, res.Header.Get("Location"))
	}
	// The poll only reads: the approved status carries a form that posts itself (htmx).
	st, res := appStatusOf(t, b)
	if st != "approved" || res.Header.Get("HX-Redirect") != "" {
		t.Fatalf("status after approval = %q, HX-Redirect %q", st, res.Header.Get("HX-Redirect"))
	}
	if res, _ := b.appGet(t, "/log-ind/app/fuldfoer", false); res.StatusCode < 400 {
		t.Errorf("GET of the finish: %d, want a refusal (a GET finishes nothing)", res.StatusCode)
	}
	res = b.form(t, "/log-ind/app/fuldfoer", url.Values{})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/mitid" {
		t.Fatalf("finish: %d to %q, want 303 to /mitid", res.StatusCode, res.Header.Get("Location"))
	}
	if res, _ := b.appGet(t, "/mitid", false); res.StatusCode != http.StatusOK {
		t.Errorf("overview after the app login: %d", res.StatusCode)
	}
	b.page(t, "/mitid") // the login rotated the CSRF token
	if res := b.form(t, "/log-ind/app/fuldfoer", url.Values{}); res.Header.Get("Location") != "/log-ind" {
		t.Errorf("finishing twice: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}

	// A login rejected in the app.
	b, _ = startAppLogin(t, env, m.Username)
	list = ph.list(t)
	if len(list) != 1 {
		t.Fatalf("appPhone lists %+v, want the new request", list)
	}
	if status, out := ph.answer(t, list[0], false); status != http.StatusOK {
		t.Fatalf("reject: %d %s", status, out)
	}
	if st, res := appStatusOf(t, b); st != "rejected" || res.Header.Get("HX-Redirect") != "" {
		t.Errorf("status after rejection = %q, HX-Redirect %q", st, res.Header.Get("HX-Redirect"))
	}
	if res, body := b.appGet(t, "/log-ind/app/status?vist=pending", true); res.StatusCode != http.StatusOK ||
		!strings.Contains(body, `data-status="rejected"`) {
		t.Errorf("poll of a pending page after the rejection: %d, want the rejected status\n%s", res.StatusCode, body)
	}
	res, body = b.post(t, "/log-ind/app/fuldfoer", url.Values{})
	if res.StatusCode != http.StatusOK || !strings.Contains(body, tr.T("app.login.rejected")) {
		t.Errorf("finishing a rejected login: %d\n%s", res.StatusCode, body)
	}
	if res, _ := b.appGet(t, "/mitid", false); res.StatusCode == http.StatusOK {
		t.Errorf("a rejected login reached the overview")
	}

	// An unknown username waits like a real one: nothing tells the difference.
	b, shown = startAppLogin(t, env, "ingen-saadan-bruger")
	if st, _ := appStatusOf(t, b); st != "pending" || len(shown) != 4 {
		t.Errorf("unknown username: status %q, code %q", st, shown)
	}
}

// TestAppAsFirstMeans pairs the app while creating a MitID: the pairing page sits in the
// creation's steps and leads on to the last step once the phone is paired.
func TestAppAsFirstMeans(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	ctx := context.Background()
	p := identity.GenerateDemoPersons(mrand.New(mrand.NewPCG(uint64(time.Now().UnixNano()), 99)), 1)[0]
	p.Deceased, p.IDDocumentNumber = false, "123456789"
	if err := env.App.Persons.Insert(ctx, p); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, env, nil, "")
	if res, _ := b.appGet(t, "/opret/app", false); res.Header.Get("Location") != "/opret" {
		t.Errorf("/opret/app outside a creation: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	b.page(t, "/opret")
	if res := b.form(t, "/opret", url.Values{"cpr": {string(p.CPR)}, "name": {p.FullName()}, "document": {p.IDDocumentNumber}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("identity step: %d", res.StatusCode)
	}
	// The letter's code is not readable here; a newer code for the same person replaces it.
	code, _, err := env.App.Activations.Issue(ctx, p.CPR, identity.ActivationCreate, identity.LevelSubstantial, identity.ActorSystem)
	if err != nil {
		t.Fatal(err)
	}
	b.page(t, "/opret/kode")
	if res := b.form(t, "/opret/kode", url.Values{"code": {code}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("code step: %d", res.StatusCode)
	}
	b.page(t, "/opret/bruger")
	pw := "Vindmølle-Havn-Lyngby-42"
	if res := b.form(t, "/opret/bruger", url.Values{"username": {"forsteapp"}, "password": {pw}, "password_repeat": {pw}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("user step: %d", res.StatusCode)
	}

	body := b.page(t, "/opret/app")
	if !strings.Contains(body, `data-testid="create-steps"`) || !strings.Contains(body, `data-testid="app-pairing-start"`) {
		t.Fatalf("/opret/app is not the creation's step with a start button:\n%s", body)
	}
	if res := b.form(t, "/opret/app", url.Values{}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST /opret/app: %d", res.StatusCode)
	}
	cm := appPairingCode.FindStringSubmatch(b.page(t, "/opret/app"))
	if cm == nil {
		t.Fatal("no pairing code on /opret/app")
	}
	ph := newAppPhone(t, env, cm[1])
	if status, out := ph.pair(t, cm[1]); status != http.StatusOK {
		t.Fatalf("pair: %d %s", status, out)
	}
	_, frag := b.appGet(t, "/opret/app/status", true)
	if !strings.Contains(frag, `data-status="paired"`) || !strings.Contains(frag, `href="/opret/faerdig"`) {
		t.Errorf("status after pairing:\n%s", frag)
	}
	if res, body := b.appGet(t, "/opret/faerdig", false); res.StatusCode != http.StatusOK || !strings.Contains(body, "forsteapp") {
		t.Errorf("last step after pairing the app: %d", res.StatusCode)
	}
}
