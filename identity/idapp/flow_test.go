package idapp_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"mitidportal/db/dbtest"
	"mitidportal/identity"
	"mitidportal/identity/idapp"
	"mitidportal/identity/mrz"
)

func TestTransliterate(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Søren", "SOEREN"},
		{"Æbelø", "AEBELOE"},
		{"Åse Marie", "AASE<MARIE"},
		{"Hans-Christian", "HANS<CHRISTIAN"},
		{"  José   Müller ", "JOSE<MUELLER"},
		{"O'Brien", "OBRIEN"},
		{"Ærø", "AEROE"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := idapp.Transliterate(tt.in); got != tt.want {
				t.Errorf("Transliterate(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func person() identity.Person {
	return identity.Person{CPR: "0108741234", GivenName: "Anne Marie", FamilyName: "Østergård",
		BirthDate: time.Date(1974, 8, 1, 0, 0, 0, 0, time.UTC)}
}

func TestPassportMRZ(t *testing.T) {
	p := person()
	lines, err := idapp.PassportMRZ("123456789", p.FamilyName, p.GivenName, p.BirthDate, "F", now.AddDate(5, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	if lines[0] != "P<DNKOESTERGAARD<<ANNE<MARIE<<<<<<<<<<<<<<<<" {
		t.Errorf("line 1 %q", lines[0])
	}
	got, err := mrz.Parse(lines[0], lines[1])
	if err != nil {
		t.Fatalf("the simulator's MRZ does not parse: %v", err)
	}
	if got.Number != "123456789" || got.Birth != (mrz.Date{YY: 74, MM: 8, DD: 1}) || got.Sex != "F" {
		t.Errorf("parsed %+v", got)
	}
	long := strings.Repeat("Langenavn", 6)
	if lines, err = idapp.PassportMRZ("1", long, "Bo", p.BirthDate, "M", now); err != nil || len(lines[0]) != 44 {
		t.Errorf("a long name: %q %v", lines[0], err)
	}
}

// TestMatch checks a verified result against the register: what the flow adds to Verify.
func TestMatch(t *testing.T) {
	p := person()
	result := func(mod func(*idapp.Claims)) idapp.Result {
		c, err := idapp.SimulatedClaims(idapp.Simulation{Person: p, Nonce: "n", Liveness: true}, now)
		if err != nil {
			t.Fatal(err)
		}
		mod(&c)
		v, _ := idapp.NewVerifier(idapp.DemoKeys())
		r, err := v.Verify(sign(t, idapp.DemoKey(), idapp.DemoKeyID, c), now)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	mrzOf := func(q identity.Person, expiry time.Time) []string {
		l, err := idapp.PassportMRZ("AB1234567", q.FamilyName, q.GivenName, q.BirthDate, "F", expiry)
		if err != nil {
			t.Fatal(err)
		}
		return l[:]
	}
	tests := []struct {
		name   string
		person func(identity.Person) identity.Person
		mod    func(*idapp.Claims)
		want   error
	}{
		{"the same person", nil, nil, nil},
		{"names typed differently in the register", func(q identity.Person) identity.Person {
			q.GivenName, q.FamilyName = "anne  marie", "ØSTERGÅRD"
			return q
		}, nil, nil},
		{"deceased", func(q identity.Person) identity.Person { q.Deceased = true; return q }, nil, idapp.ErrRegisterMismatch},
		{"another surname in the register", func(q identity.Person) identity.Person { q.FamilyName = "Jensen"; return q }, nil, idapp.ErrRegisterMismatch},
		{"another given name in the claims", nil, func(c *idapp.Claims) { c.GivenNames = "Anne" }, idapp.ErrRegisterMismatch},
		{"the MRZ of another person", nil, func(c *idapp.Claims) {
			q := p
			q.GivenName = "Karen"
			c.MRZ = mrzOf(q, now.AddDate(1, 0, 0))
		}, idapp.ErrRegisterMismatch},
		{"another birth date in the MRZ", nil, func(c *idapp.Claims) {
			q := p
			q.BirthDate = p.BirthDate.AddDate(0, 0, 1)
			c.MRZ = mrzOf(q, now.AddDate(1, 0, 0))
		}, idapp.ErrRegisterMismatch},
		{"an expired passport", nil, func(c *idapp.Claims) { c.MRZ = mrzOf(p, now.AddDate(0, 0, -1)) }, idapp.ErrPassportExpired},
		{"a passport valid today", nil, func(c *idapp.Claims) { c.MRZ = mrzOf(p, now) }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := p
			if tt.person != nil {
				q = tt.person(p)
			}
			mod := tt.mod
			if mod == nil {
				mod = func(*idapp.Claims) {}
			}
			if err := idapp.Match(q, result(mod), now); !errors.Is(err, tt.want) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
		})
	}
}

func TestTrustedKeysAndVerifierFor(t *testing.T) {
	service := newKey(t)
	configured := map[string]*ecdsa.PublicKey{"2026-1": &service.PublicKey}
	if _, err := idapp.TrustedKeys(idapp.DemoKeys(), false); !errors.Is(err, idapp.ErrDemoKey) {
		t.Errorf("demo key outside demo mode: %v", err)
	}
	if keys, err := idapp.TrustedKeys(nil, false); err != nil || len(keys) != 0 {
		t.Errorf("no keys outside demo mode: %v %v", keys, err)
	}
	keys, err := idapp.TrustedKeys(configured, true)
	if err != nil || keys[idapp.DemoKeyID] == nil || keys["2026-1"] == nil {
		t.Errorf("demo mode adds the demo key: %v %v", keys, err)
	}
	if _, err := idapp.NewVerifierFor(idapp.DemoKeys(), false); !errors.Is(err, idapp.ErrDemoKey) {
		t.Errorf("verifier with the demo key outside demo mode: %v", err)
	}
	v, err := idapp.NewVerifierFor(configured, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(sign(t, service, "2026-1", claims()), now); err != nil {
		t.Errorf("the service's result: %v", err)
	}
	if _, err := v.Verify(sign(t, idapp.DemoKey(), idapp.DemoKeyID, claims()), now); !errors.Is(err, idapp.ErrInvalid) {
		t.Errorf("the simulator's result outside demo mode: %v", err)
	}
}

func TestLoadKeyFiles(t *testing.T) {
	dir := t.TempDir()
	k1, k2 := newKey(t), newKey(t)
	write := func(name string, k *ecdsa.PrivateKey) string {
		der, _ := x509.MarshalPKIXPublicKey(&k.PublicKey)
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	a, b := write("old.pem", k1), write("new.pem", k2)
	keys, err := idapp.LoadKeyFiles(a+", "+b, os.ReadFile)
	if err != nil || len(keys) != 2 {
		t.Fatalf("two files: %v %v", keys, err)
	}
	if keys, err := idapp.LoadKeyFiles("", os.ReadFile); err != nil || len(keys) != 0 {
		t.Errorf("no setting: %v %v", keys, err)
	}
	if _, err := idapp.LoadKeyFiles(filepath.Join(dir, "missing.pem"), os.ReadFile); err == nil {
		t.Error("a missing file was accepted")
	}
	jwks := func(name string, k *ecdsa.PrivateKey) string {
		raw, _ := k.PublicKey.Bytes()
		x, y := b64raw(raw[1:33]), b64raw(raw[33:65])
		path := filepath.Join(dir, name)
		_ = os.WriteFile(path, []byte(`{"keys":[{"kty":"EC","crv":"P-256","kid":"same","x":"`+x+`","y":"`+y+`"}]}`), 0o600)
		return path
	}
	if _, err := idapp.LoadKeyFiles(jwks("a.json", k1)+","+jwks("b.json", k2), os.ReadFile); err == nil {
		t.Error("one key id for two keys was accepted")
	}
}

// TestNonces: a nonce is spent once, only by its session, only in time; parallel uses of one
// nonce spend it exactly once.
func TestNonces(t *testing.T) {
	pool := dbtest.New(t)
	ctx := context.Background()
	clock := now
	n := idapp.NewNonces(pool, func() time.Time { return clock })
	mine, _ := idapp.NewBinding()
	theirs, _ := idapp.NewBinding()
	start := func() idapp.Nonce {
		nc, err := n.Start(ctx, mine, "lift")
		if err != nil {
			t.Fatal(err)
		}
		return nc
	}
	t.Run("used once", func(t *testing.T) {
		nc := start()
		if hint, err := n.Use(ctx, strings.ToLower(idapp.FormatNonce(nc.Code)), mine); err != nil || hint != "lift" {
			t.Fatalf("first use: %q %v", hint, err)
		}
		if _, err := n.Use(ctx, nc.Code, mine); !errors.Is(err, idapp.ErrNonceUsed) {
			t.Errorf("second use: %v", err)
		}
		if _, err := n.Use(ctx, nc.Code, theirs); !errors.Is(err, idapp.ErrNonceUsed) {
			t.Errorf("a replay elsewhere: %v", err)
		}
	})
	t.Run("another session", func(t *testing.T) {
		nc := start()
		if _, err := n.Use(ctx, nc.Code, theirs); !errors.Is(err, idapp.ErrNonceOtherSession) {
			t.Errorf("got %v", err)
		}
		if _, err := n.Use(ctx, nc.Code, nil); !errors.Is(err, idapp.ErrNonceOtherSession) {
			t.Errorf("no session: %v", err)
		}
		if _, err := n.Use(ctx, nc.Code, mine); err != nil {
			t.Errorf("its own session after the refusals: %v", err)
		}
	})
	t.Run("expired", func(t *testing.T) {
		nc := start()
		clock = now.Add(idapp.NonceValidity)
		defer func() { clock = now }()
		if _, err := n.Use(ctx, nc.Code, mine); !errors.Is(err, idapp.ErrNonceExpired) {
			t.Errorf("got %v", err)
		}
	})
	t.Run("unknown", func(t *testing.T) {
		if _, err := n.Use(ctx, "ABCDEFGHJKMNPQRS", mine); !errors.Is(err, idapp.ErrNonceUnknown) {
			t.Errorf("got %v", err)
		}
	})
	t.Run("an unknown hint is none", func(t *testing.T) {
		nc, err := n.Start(ctx, mine, "everything")
		if err != nil {
			t.Fatal(err)
		}
		if hint, err := n.Use(ctx, nc.Code, mine); err != nil || hint != "" {
			t.Errorf("hint %q %v", hint, err)
		}
	})
	t.Run("parallel", func(t *testing.T) {
		nc := start()
		var wg sync.WaitGroup
		var mu sync.Mutex
		got := map[string]int{}
		for range 50 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := n.Use(ctx, nc.Code, mine)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					got["ok"]++
				case errors.Is(err, idapp.ErrNonceUsed):
					got["used"]++
				default:
					got[err.Error()]++
				}
			}()
		}
		wg.Wait()
		if got["ok"] != 1 || got["used"] != 49 {
			t.Errorf("uses %v, want one ok and 49 used", got)
		}
	})
}

func b64raw(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
