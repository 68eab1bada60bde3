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
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"mitidportal/app/apptest"
	"mitidportal/identity"
	"mitidportal/identity/idapp"
	"mitidportal/locales"
)

// Every refusal of the identification app's result, over HTTP: those of identity/idapp's
// verification as the flow meets them, and those the flow adds (the nonce, the register).

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
	t.Parallel()
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
				b.page(t, "/idapp") // the grant renewed the session's CSRF token
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
