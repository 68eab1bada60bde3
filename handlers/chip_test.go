package handlers_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-webauthn/webauthn/protocol/webauthncbor"
	"github.com/go-webauthn/webauthn/protocol/webauthncose"

	"mitidportal/app/apptest"
	"mitidportal/identity"
	"mitidportal/locales"
	"mitidportal/session"
)

// The chip endpoints tested over HTTP with a software security key: what a browser test
// cannot do cheaply (replay, expiry, a client that ignores excludeCredentials, a cloned key).

// softKey is a FIDO2 key in software: one ES256 credential, attestation "none", and user
// presence and verification always given.
type softKey struct {
	priv   *ecdsa.PrivateKey
	credID []byte
	count  uint32
}

func newSoftKey(t *testing.T) *softKey {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id := make([]byte, 16)
	_, _ = rand.Read(id)
	return &softKey{priv: priv, credID: id}
}

var b64 = base64.RawURLEncoding

// ceremonyOptions is the part of the begin answer the key reads.
type ceremonyOptions struct {
	PublicKey struct {
		Challenge        string `json:"challenge"`
		RPID             string `json:"rpId"`
		RP               struct{ ID string }
		User             *struct{ ID string }
		AllowCredentials []struct{ ID string } `json:"allowCredentials"`
		ExcludeCreds     []struct{ ID string } `json:"excludeCredentials"`
		UserVerification string                `json:"userVerification"`
		AuthSel          struct {
			UserVerification string `json:"userVerification"`
		} `json:"authenticatorSelection"`
	} `json:"publicKey"`
}

func (k *softKey) clientData(typ, challenge, origin string) []byte {
	b, _ := json.Marshal(map[string]any{"type": typ, "challenge": challenge, "origin": origin, "crossOrigin": false})
	return b
}

func (k *softKey) authData(rpID string, attested []byte) []byte {
	h := sha256.Sum256([]byte(rpID))
	flags := byte(flagUP | flagUV)
	if attested != nil {
		flags |= flagAT
	}
	var buf bytes.Buffer
	buf.Write(h[:])
	buf.WriteByte(flags)
	_ = binary.Write(&buf, binary.BigEndian, k.count)
	buf.Write(attested)
	return buf.Bytes()
}

// The authenticator-data flag bits (WebAuthn §6.1).
const (
	flagUP = 0x01
	flagUV = 0x04
	flagAT = 0x40
)

// create answers registration options with the key's credential, as JSON for finish.
func (k *softKey) create(t *testing.T, o ceremonyOptions, origin string) []byte {
	t.Helper()
	cose, err := webauthncbor.Marshal(webauthncose.EC2PublicKeyData{
		PublicKeyData: webauthncose.PublicKeyData{KeyType: int64(webauthncose.EllipticKey), Algorithm: int64(webauthncose.AlgES256)},
		Curve:         1, // P-256
		XCoord:        k.priv.X.FillBytes(make([]byte, 32)),
		YCoord:        k.priv.Y.FillBytes(make([]byte, 32)),
	})
	if err != nil {
		t.Fatal(err)
	}
	var att bytes.Buffer
	att.Write(make([]byte, 16)) // AAGUID
	_ = binary.Write(&att, binary.BigEndian, uint16(len(k.credID)))
	att.Write(k.credID)
	att.Write(cose)
	obj, err := webauthncbor.Marshal(map[string]any{
		"fmt": "none", "attStmt": map[string]any{}, "authData": k.authData(o.PublicKey.RP.ID, att.Bytes()),
	})
	if err != nil {
		t.Fatal(err)
	}
	return k.answer(map[string]any{
		"clientDataJSON":    b64.EncodeToString(k.clientData("webauthn.create", o.PublicKey.Challenge, origin)),
		"attestationObject": b64.EncodeToString(obj),
		"transports":        []string{"usb"},
	})
}

// get answers login options with an assertion, counting one use.
func (k *softKey) get(t *testing.T, o ceremonyOptions, origin string) []byte {
	t.Helper()
	k.count++
	cd := k.clientData("webauthn.get", o.PublicKey.Challenge, origin)
	ad := k.authData(o.PublicKey.RPID, nil)
	cdHash := sha256.Sum256(cd)
	signed := sha256.Sum256(append(append([]byte{}, ad...), cdHash[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, k.priv, signed[:])
	if err != nil {
		t.Fatal(err)
	}
	return k.answer(map[string]any{
		"clientDataJSON":    b64.EncodeToString(cd),
		"authenticatorData": b64.EncodeToString(ad),
		"signature":         b64.EncodeToString(sig),
	})
}

func (k *softKey) answer(response map[string]any) []byte {
	b, _ := json.Marshal(map[string]any{
		"id": b64.EncodeToString(k.credID), "rawId": b64.EncodeToString(k.credID), "type": "public-key",
		"response": response, "clientExtensionResults": map[string]any{},
	})
	return b
}

// browser is an HTTP client with its own cookies and the CSRF token of its session.
type browser struct {
	env    *apptest.Env
	client *http.Client
	csrf   string
}

var csrfInput = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

func newBrowser(t *testing.T, env *apptest.Env, cookie *http.Cookie, csrf string) *browser {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	if cookie != nil {
		u, _ := url.Parse(env.URL)
		jar.SetCookies(u, []*http.Cookie{cookie})
	}
	return &browser{env: env, csrf: csrf, client: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// page GETs path and takes the CSRF token from its form.
func (b *browser) page(t *testing.T, path string) string {
	t.Helper()
	res, err := b.client.Get(b.env.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if m := csrfInput.FindSubmatch(body); m != nil {
		b.csrf = string(m[1])
	}
	return string(body)
}

// form POSTs fields as a form, as a page without script does.
func (b *browser) form(t *testing.T, path string, fields url.Values) *http.Response {
	t.Helper()
	fields.Set("csrf_token", b.csrf)
	res, err := b.client.PostForm(b.env.URL+path, fields)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res
}

// json POSTs body as webauthn.js does and decodes the JSON answer.
func (b *browser) json(t *testing.T, path string, body []byte) (int, map[string]json.RawMessage) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.env.URL+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", b.csrf)
	res, err := b.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]json.RawMessage
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		t.Fatalf("POST %s: %d, not JSON: %v", path, res.StatusCode, err)
	}
	return res.StatusCode, out
}

func (b *browser) begin(t *testing.T, path string, in map[string]string) ceremonyOptions {
	t.Helper()
	body, _ := json.Marshal(in)
	status, out := b.json(t, path, body)
	if status != http.StatusOK || out["publicKey"] == nil {
		t.Fatalf("POST %s: %d %s", path, status, out)
	}
	raw, _ := json.Marshal(out)
	var o ceremonyOptions
	if err := json.Unmarshal(raw, &o); err != nil {
		t.Fatal(err)
	}
	return o
}

// wantAnswer checks a JSON answer: status, and a redirect to want or an error with the text of want.
func wantAnswer(t *testing.T, what string, status int, out map[string]json.RawMessage, wantStatus int, key, want string) {
	t.Helper()
	var got string
	_ = json.Unmarshal(out[key], &got)
	if status != wantStatus || got != want {
		t.Errorf("%s: %d %s=%q, want %d %q (answer %s)", what, status, key, got, wantStatus, want, out)
	}
}

var chipSeq atomic.Int64

// chipCitizen makes a person and a MitID with a password, and returns a session for it that
// logged in at substantial just now.
func chipCitizen(t *testing.T, env *apptest.Env) (identity.MitID, string, *browser) {
	t.Helper()
	ctx := context.Background()
	n := chipSeq.Add(1)
	p := identity.GenerateDemoPersons(mrand.New(mrand.NewPCG(uint64(time.Now().UnixNano()), uint64(n))), 1)[0]
	p.Deceased = false // the generator makes one in fifty deceased, who cannot have a MitID
	if err := env.App.Persons.Insert(ctx, p); err != nil {
		t.Fatal(err)
	}
	password := "Rugbroed-Kanal-Fyrtaarn-" + string(rune('a'+n))
	m, err := env.App.Identity.CreateMitID(ctx, identity.NewMitID{CPR: p.CPR, Username: "chipborger" + string(rune('a'+n)),
		Password: password, Assurance: identity.LevelSubstantial, Actor: identity.ActorSystem})
	if err != nil {
		t.Fatal(err)
	}
	cookie := env.LoginAs(t, session.Subject{Kind: session.KindCitizen, ID: m.ID, Roles: []string{"citizen"},
		Level: string(identity.LevelSubstantial), AuthenticatedAt: time.Now(), Name: p.FullName()})
	return m, password, newBrowser(t, env, cookie, apptest.CSRFToken)
}

func TestChipOverHTTP(t *testing.T) {
	t.Parallel()
	var now atomic.Int64
	now.Store(time.Now().UnixNano())
	clock := func() time.Time { return time.Unix(0, now.Load()) }
	env := apptest.New(t, apptest.Options{Now: clock})
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	tr := cat.For("da")
	origin := env.URL
	m, password, citizen := chipCitizen(t, env)
	key := newSoftKey(t)

	// Register a chip.
	o := citizen.begin(t, "/mitid/chip/tilfoej/begin", map[string]string{"label": "Nøglering"})
	if o.PublicKey.AuthSel.UserVerification != "required" || o.PublicKey.User == nil {
		t.Fatalf("registration options without user verification or user: %+v", o.PublicKey)
	}
	answer := key.create(t, o, origin)
	status, out := citizen.json(t, "/mitid/chip/tilfoej/finish", answer)
	wantAnswer(t, "register", status, out, http.StatusOK, "redirect", "/mitid?done=chip_added")
	chips, err := env.App.Identity.ChipCredentials(context.Background(), m.ID)
	if err != nil || len(chips) != 1 || !bytes.Equal(chips[0].CredentialID, key.credID) || !chips[0].UserVerified {
		t.Fatalf("chips after registering: %+v, %v", chips, err)
	}

	// The same answer again: the ceremony was used up.
	status, out = citizen.json(t, "/mitid/chip/tilfoej/finish", answer)
	wantAnswer(t, "replayed registration", status, out, http.StatusBadRequest, "error", tr.T("chip.err.expired"))

	// A client that ignores excludeCredentials: the server refuses the same key.
	o = citizen.begin(t, "/mitid/chip/tilfoej/begin", map[string]string{"label": "Igen"})
	if len(o.PublicKey.ExcludeCreds) != 1 || o.PublicKey.ExcludeCreds[0].ID != b64.EncodeToString(key.credID) {
		t.Errorf("excludeCredentials = %+v, want the registered chip", o.PublicKey.ExcludeCreds)
	}
	status, out = citizen.json(t, "/mitid/chip/tilfoej/finish", key.create(t, o, origin))
	wantAnswer(t, "same key again", status, out, http.StatusConflict, "error", tr.T(identity.ErrChipRegistered.MsgID))

	// A label is 1–40 characters.
	body, _ := json.Marshal(map[string]string{"label": strings.Repeat("x", 41)})
	status, out = citizen.json(t, "/mitid/chip/tilfoej/begin", body)
	wantAnswer(t, "long label", status, out, http.StatusBadRequest, "error", tr.T(identity.ErrLabelInvalid.MsgID))

	// A ceremony that is too old.
	o = citizen.begin(t, "/mitid/chip/tilfoej/begin", map[string]string{"label": "Sent"})
	now.Add(int64(4 * time.Minute))
	status, out = citizen.json(t, "/mitid/chip/tilfoej/finish", newSoftKey(t).create(t, o, origin))
	wantAnswer(t, "late registration", status, out, http.StatusBadRequest, "error", tr.T("chip.err.expired"))

	// Log in: username, then password and chip.
	login := func() *browser {
		b := newBrowser(t, env, nil, "")
		b.page(t, "/log-ind")
		if res := b.form(t, "/log-ind", url.Values{"username": {m.Username}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("username step: %d", res.StatusCode)
		}
		b.page(t, "/log-ind/chip")
		return b
	}
	b := login()
	body, _ = json.Marshal(map[string]string{"password": password + "x"})
	status, out = b.json(t, "/log-ind/chip/begin", body)
	wantAnswer(t, "wrong password", status, out, http.StatusBadRequest, "error", tr.T(identity.ErrLoginFailed.MsgID))
	o = b.begin(t, "/log-ind/chip/begin", map[string]string{"password": password})
	if len(o.PublicKey.AllowCredentials) != 1 || o.PublicKey.UserVerification != "required" {
		t.Fatalf("login options: %+v", o.PublicKey)
	}
	status, out = b.json(t, "/log-ind/chip/finish", key.get(t, o, origin))
	wantAnswer(t, "login", status, out, http.StatusOK, "redirect", "/mitid")
	chips, _ = env.App.Identity.ChipCredentials(context.Background(), m.ID)
	if len(chips) != 1 || chips[0].SignCount != key.count {
		t.Errorf("sign count after login = %+v, want %d", chips, key.count)
	}

	// A copy of the key, whose counter is behind: refused, and the chip is locked.
	b = login()
	o = b.begin(t, "/log-ind/chip/begin", map[string]string{"password": password})
	key.count--
	status, out = b.json(t, "/log-ind/chip/finish", key.get(t, o, origin))
	wantAnswer(t, "cloned key", status, out, http.StatusForbidden, "error", tr.T(identity.ErrChipCloned.MsgID))
	if chips, _ = env.App.Identity.ChipCredentials(context.Background(), m.ID); len(chips) != 0 {
		t.Errorf("a cloned chip is still active: %+v", chips)
	}
}

// TestChipAsFirstMeans registers a chip as the first means while creating a MitID.
func TestChipAsFirstMeans(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	ctx := context.Background()
	p := identity.GenerateDemoPersons(mrand.New(mrand.NewPCG(uint64(time.Now().UnixNano()), 7)), 1)[0]
	p.Deceased, p.IDDocumentNumber = false, "987654321"
	if err := env.App.Persons.Insert(ctx, p); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, env, nil, "")
	b.page(t, "/opret")
	status, out := b.json(t, "/opret/chip/begin", []byte(`{}`))
	wantAnswer(t, "begin outside a creation", status, out, http.StatusOK, "redirect", "/opret")

	if res := b.form(t, "/opret", url.Values{"cpr": {string(p.CPR)}, "name": {p.FullName()}, "document": {p.IDDocumentNumber}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("identity step: %d", res.StatusCode)
	}
	code, _, err := env.App.Activations.Issue(ctx, p.CPR, identity.ActivationCreate, identity.LevelSubstantial, identity.ActorSystem)
	if err != nil {
		t.Fatal(err)
	}
	b.page(t, "/opret/kode")
	if res := b.form(t, "/opret/kode", url.Values{"code": {code}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("code step: %d", res.StatusCode)
	}
	b.page(t, "/opret/bruger")
	pw := "Vindmølle-Nøgle-Lyngby-42"
	if res := b.form(t, "/opret/bruger", url.Values{"username": {"forstechip"}, "password": {pw}, "password_repeat": {pw}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("user step: %d", res.StatusCode)
	}

	b.page(t, "/opret/chip")
	o := b.begin(t, "/opret/chip/begin", map[string]string{"label": ""})
	status, out = b.json(t, "/opret/chip/finish", newSoftKey(t).create(t, o, env.URL))
	wantAnswer(t, "first chip", status, out, http.StatusOK, "redirect", "/opret/faerdig")
	if body := b.page(t, "/opret/faerdig"); !strings.Contains(body, "forstechip") {
		t.Errorf("/opret/faerdig does not name the new MitID:\n%s", body)
	}
}
