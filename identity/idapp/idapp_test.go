package idapp_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"strings"
	"testing"
	"time"

	"mitidportal/identity/idapp"
	"mitidportal/identity/mrz"
)

var now = time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)

func claims() idapp.Claims {
	return idapp.Claims{CPR: "0108741234", GivenNames: "ANNA MARIA", Surname: "ERIKSSON",
		MRZ:      []string{"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"},
		Liveness: true, Nonce: "n-123", IssuedAt: now.Add(-time.Minute).Unix(), Expiry: now.Add(4 * time.Minute).Unix()}
}

func newKey(t *testing.T) *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func sign(t *testing.T, k *ecdsa.PrivateKey, kid string, c idapp.Claims) string {
	t.Helper()
	s, err := idapp.Sign(k, kid, c)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func b64(v any) string {
	b, _ := json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(b)
}

func TestVerify(t *testing.T) {
	service, rotated, stranger := newKey(t), newKey(t), newKey(t)
	v, err := idapp.NewVerifier(map[string]*ecdsa.PublicKey{"k1": &service.PublicKey, "k2": &rotated.PublicKey})
	if err != nil {
		t.Fatal(err)
	}
	good := sign(t, service, "k1", claims())
	parts := strings.Split(good, ".")
	payload := func(mod func(*idapp.Claims)) string {
		c := claims()
		mod(&c)
		return b64(c)
	}
	hs256 := func() string {
		h := b64(map[string]string{"alg": "HS256", "kid": "k1", "typ": "JWT"})
		p := b64(claims())
		// The classic confusion attack: HMAC keyed with the public key's bytes.
		der, _ := x509.MarshalPKIXPublicKey(&service.PublicKey)
		key := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
		m := hmac.New(sha256.New, key)
		m.Write([]byte(h + "." + p))
		return h + "." + p + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
	}
	tests := []struct {
		name  string
		token string
		want  error
	}{
		{"good", good, nil},
		{"good with a rotated key", sign(t, rotated, "k2", claims()), nil},
		{"signed by a stranger under a known key id", sign(t, stranger, "k1", claims()), idapp.ErrInvalid},
		{"signed by the other configured key under the wrong id", sign(t, rotated, "k1", claims()), idapp.ErrInvalid},
		{"unknown key id", sign(t, service, "k9", claims()), idapp.ErrInvalid},
		{"no key id", sign(t, service, "", claims()), idapp.ErrInvalid},
		{"tampered payload", parts[0] + "." + payload(func(c *idapp.Claims) { c.CPR = "0101011234" }) + "." + parts[2], idapp.ErrInvalid},
		{"alg none", b64(map[string]string{"alg": "none", "kid": "k1"}) + "." + parts[1] + ".", idapp.ErrInvalid},
		{"HS256 keyed with the public key", hs256(), idapp.ErrInvalid},
		{"garbage", "not.a.token", idapp.ErrInvalid},
		{"JSON serialisation", `{"payload":"` + parts[1] + `","signatures":[]}`, idapp.ErrInvalid},
		{"expired", sign(t, service, "k1", func() idapp.Claims {
			c := claims()
			c.Expiry = now.Add(-time.Second).Unix()
			return c
		}()), idapp.ErrExpired},
		{"issued in the future", sign(t, service, "k1", func() idapp.Claims {
			c := claims()
			c.IssuedAt = now.Add(5 * time.Minute).Unix()
			return c
		}()), idapp.ErrExpired},
		{"too old although not expired", sign(t, service, "k1", func() idapp.Claims {
			c := claims()
			c.IssuedAt, c.Expiry = now.Add(-time.Hour).Unix(), now.Add(time.Hour).Unix()
			return c
		}()), idapp.ErrExpired},
		{"liveness failed", sign(t, service, "k1", func() idapp.Claims {
			c := claims()
			c.Liveness = false
			return c
		}()), idapp.ErrLiveness},
		{"no nonce", sign(t, service, "k1", func() idapp.Claims {
			c := claims()
			c.Nonce = ""
			return c
		}()), idapp.ErrIncomplete},
		{"MRZ with a wrong check digit", sign(t, service, "k1", func() idapp.Claims {
			c := claims()
			c.MRZ[1] = "L898902C37UTO7408122F1204159ZE184226B<<<<<10"
			return c
		}()), mrz.ErrCheckNumber},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := v.Verify(tt.token, now)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if r.CPR != "0108741234" || r.Passport.Number != "L898902C3" || r.Nonce != "n-123" {
					t.Errorf("result %+v", r)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
		})
	}
}

func TestParseKeys(t *testing.T) {
	k := newKey(t)
	der, _ := x509.MarshalPKIXPublicKey(&k.PublicKey)
	pemKey := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	keys, err := idapp.ParseKeys(pemKey)
	if err != nil {
		t.Fatal(err)
	}
	kid, _ := idapp.Thumbprint(&k.PublicKey)
	if !keys[kid].Equal(&k.PublicKey) {
		t.Errorf("PEM key not under its thumbprint: %v", keys)
	}
	raw, err := k.PublicKey.Bytes() // 0x04, X, Y
	if err != nil {
		t.Fatal(err)
	}
	x := base64.RawURLEncoding.EncodeToString(raw[1:33])
	y := base64.RawURLEncoding.EncodeToString(raw[33:65])
	jwks := `{"keys":[{"kty":"EC","crv":"P-256","kid":"2026-1","x":"` + x + `","y":"` + y + `"}]}`
	if keys, err = idapp.ParseKeys([]byte(jwks)); err != nil || !keys["2026-1"].Equal(&k.PublicKey) {
		t.Errorf("JWK set: %v %v", keys, err)
	}
	for name, bad := range map[string]string{
		"empty":          "",
		"RSA-less junk":  "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
		"JWK without id": `{"keys":[{"kty":"EC","crv":"P-256","x":"` + x + `","y":"` + y + `"}]}`,
	} {
		if _, err := idapp.ParseKeys([]byte(bad)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestDemoKeyRefusedOutsideDemo(t *testing.T) {
	if err := idapp.CheckNotDemo(idapp.DemoKeys()); !errors.Is(err, idapp.ErrDemoKey) {
		t.Errorf("demo key set accepted: %v", err)
	}
	renamed := map[string]*ecdsa.PublicKey{"innocent": &idapp.DemoKey().PublicKey}
	if err := idapp.CheckNotDemo(renamed); !errors.Is(err, idapp.ErrDemoKey) {
		t.Errorf("demo key under another id accepted: %v", err)
	}
	if err := idapp.CheckNotDemo(map[string]*ecdsa.PublicKey{"k": &newKey(t).PublicKey}); err != nil {
		t.Error(err)
	}
	v, _ := idapp.NewVerifier(idapp.DemoKeys())
	if _, err := v.Verify(sign(t, idapp.DemoKey(), idapp.DemoKeyID, claims()), now); err != nil {
		t.Errorf("demo simulator's result refused in demo mode: %v", err)
	}
}

func FuzzVerify(f *testing.F) {
	k := idapp.DemoKey()
	good, _ := idapp.Sign(k, idapp.DemoKeyID, claims())
	f.Add(good)
	f.Add("eyJhbGciOiJub25lIn0.e30.")
	f.Add("a.b.c")
	v, _ := idapp.NewVerifier(idapp.DemoKeys())
	f.Fuzz(func(t *testing.T, s string) {
		r, err := v.Verify(s, now)
		if err == nil && (r.Nonce == "" || !r.Liveness) {
			t.Errorf("accepted an incomplete result: %+v", r)
		}
	})
}
