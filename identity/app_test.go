package identity_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	mrand "math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"mitidportal/fault"

	"mitidportal/db/dbtest"
	"mitidportal/identity"
)

// appEnv is a Store on a fresh database with a clock the test moves.
type appEnv struct {
	t       *testing.T
	store   *identity.Store
	persons *identity.Persons
	mu      sync.Mutex
	now     time.Time
	rng     *mrand.Rand
	n       int
}

func newAppEnv(t *testing.T) *appEnv {
	t.Helper()
	pool := dbtest.New(t)
	e := &appEnv{t: t, persons: identity.NewPersons(pool), now: time.Now(),
		rng: mrand.New(mrand.NewPCG(uint64(time.Now().UnixNano()), 7))}
	tokens, err := identity.NewTokens(pool, make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	e.store = identity.NewStore(pool, tokens, identity.Config{Now: e.clock})
	return e
}

func (e *appEnv) clock() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.now
}

func (e *appEnv) advance(d time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.now = e.now.Add(d)
}

// mitid makes a person and a MitID with the given identity assurance.
func (e *appEnv) mitid(assurance identity.Level) identity.MitID {
	e.t.Helper()
	ctx := context.Background()
	p := identity.GenerateDemoPersons(e.rng, 1)[0]
	p.Deceased = false // the generator makes one in fifty dead, who cannot get a MitID
	if err := e.persons.Insert(ctx, p); err != nil {
		e.t.Fatal(err)
	}
	e.n++
	m, err := e.store.CreateMitID(ctx, identity.NewMitID{CPR: p.CPR, Username: "appbruger" + string(rune('a'+e.n)),
		Password: "Grøn-Elefant-Danser-Vals-47", Assurance: assurance, Actor: identity.ActorCitizen})
	if err != nil {
		e.t.Fatal(err)
	}
	return m
}

// phone is a paired app: its means and its private key.
type phone struct {
	means identity.Authenticator
	key   *ecdsa.PrivateKey
}

func newKey(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func spki(t *testing.T, pub any) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// pair pairs a new phone with m.
func (e *appEnv) pair(m identity.MitID) phone {
	e.t.Helper()
	ctx := context.Background()
	code, _, err := e.store.StartPairing(ctx, m.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	k := newKey(e.t)
	a, err := e.store.CompletePairing(ctx, identity.PairingInput{Code: code, PublicKey: spki(e.t, &k.PublicKey),
		DeviceName: "Telefon", ClientAddr: "192.0.2.10"})
	if err != nil {
		e.t.Fatal(err)
	}
	return phone{means: a, key: k}
}

// sign makes a P1363 signature (r || s), the form WebCrypto gives.
func sign(t *testing.T, k *ecdsa.PrivateKey, msg string) []byte {
	t.Helper()
	h := sha256.Sum256([]byte(msg))
	r, s, err := ecdsa.Sign(rand.Reader, k, h[:])
	if err != nil {
		t.Fatal(err)
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return sig
}

func (p phone) decide(t *testing.T, approve bool, r identity.AppRequest) []byte {
	return sign(t, p.key, identity.AppDecisionMessage(approve, r.Challenge))
}

var secret = []byte("0123456789abcdef-browser-secret")

func (e *appEnv) login(username string) (identity.AppRequest, error) {
	return e.store.StartAppRequest(context.Background(), identity.AppRequestInput{Username: username,
		Purpose: identity.AppPurposeLogin, Service: "MitID-portalen", ClientAddr: "198.51.100.7",
		BrowserSecret: secret})
}

func (e *appEnv) mustLogin(username string) identity.AppRequest {
	e.t.Helper()
	r, err := e.login(username)
	if err != nil {
		e.t.Fatal(err)
	}
	return r
}

func TestNormalizePairingCode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"K7QM2XWP4N8RTZ3D", "K7QM2XWP4N8RTZ3D", true},
		{"k7qm-2xwp-4n8r-tz3d", "K7QM2XWP4N8RTZ3D", true},
		{" K7QM 2XWP 4N8R TZ3D ", "K7QM2XWP4N8RTZ3D", true},
		{"OIL0-0000-0000-0000", "0110000000000000", true},
		{"K7QM-2XWP-4N8R-TZ3", "", false},   // too short
		{"K7QM-2XWP-4N8R-TZ3DD", "", false}, // too long
		{"K7QM-2XWP-4N8R-TZ3U", "", false},  // U is not in the alphabet
		{"K7QM-2XWP-4N8R-TZ3!", "", false},  // nor is punctuation
		{"", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := identity.NormalizePairingCode(tt.in)
			if got != tt.want || ok != tt.ok {
				t.Errorf("NormalizePairingCode(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
	if got := identity.FormatPairingCode("K7QM2XWP4N8RTZ3D"); got != "K7QM-2XWP-4N8R-TZ3D" {
		t.Errorf("FormatPairingCode = %q", got)
	}
}

func TestAppPairing(t *testing.T) {
	t.Parallel()
	e := newAppEnv(t)
	ctx := context.Background()
	m := e.mitid(identity.LevelSubstantial)
	key := spki(t, &newKey(t).PublicKey)
	complete := func(code string, der []byte) (identity.Authenticator, error) {
		return e.store.CompletePairing(ctx, identity.PairingInput{Code: code, PublicKey: der,
			DeviceName: "  Min telefon ", ClientAddr: "192.0.2.1"})
	}
	start := func() string {
		code, exp, err := e.store.StartPairing(ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(code) != identity.PairingCodeLength || !exp.Equal(e.clock().Add(identity.PairingTTL).Truncate(time.Microsecond)) {
			t.Fatalf("StartPairing = %q, %v", code, exp)
		}
		return code
	}

	t.Run("bad keys", func(t *testing.T) {
		code := start()
		rsaKey, _ := rsa.GenerateKey(rand.Reader, 1024)
		p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
		for name, der := range map[string][]byte{
			"rsa": spki(t, &rsaKey.PublicKey), "p384": spki(t, &p384.PublicKey), "garbage": []byte("nope"), "empty": nil,
		} {
			if _, err := complete(code, der); !errors.Is(err, identity.ErrAppKeyInvalid) {
				t.Errorf("%s: err = %v, want ErrAppKeyInvalid", name, err)
			}
		}
		// A refused key does not spend the code.
		if _, err := complete(code, key); err != nil {
			t.Fatalf("good key after bad ones: %v", err)
		}
	})

	t.Run("single use, typed loosely", func(t *testing.T) {
		code := start()
		typed := strings.ToLower(identity.FormatPairingCode(code))
		a, err := complete(typed, key)
		if err != nil {
			t.Fatal(err)
		}
		if a.Kind != identity.KindApp || a.Status != identity.AuthActive || a.DeviceName != "Min telefon" ||
			a.Label != "Min telefon" || a.MitIDID != m.ID {
			t.Errorf("paired means = %+v", a)
		}
		if st, err := e.store.PairingStatus(ctx, m.ID, code); err != nil || st != identity.PairingDone {
			t.Errorf("PairingStatus = %v, %v; want paired", st, err)
		}
		if _, err := complete(code, key); !errors.Is(err, identity.ErrPairingInvalid) {
			t.Errorf("second use: err = %v, want ErrPairingInvalid", err)
		}
		acts, err := e.store.Activity(ctx, m.ID, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(acts) == 0 || acts[0].Kind != identity.ActivityAppPaired || acts[0].Detail["device"] != "Min telefon" {
			t.Errorf("newest activity = %+v, want app_paired", acts)
		}
	})

	t.Run("expiry", func(t *testing.T) {
		code := start()
		e.advance(identity.PairingTTL - time.Second)
		if st, _ := e.store.PairingStatus(ctx, m.ID, code); st != identity.PairingWaiting {
			t.Errorf("status before expiry = %v", st)
		}
		e.advance(time.Second)
		if st, _ := e.store.PairingStatus(ctx, m.ID, code); st != identity.PairingExpired {
			t.Errorf("status at expiry = %v", st)
		}
		if _, err := complete(code, key); !errors.Is(err, identity.ErrPairingInvalid) {
			t.Errorf("expired code: err = %v", err)
		}
	})

	t.Run("a newer code retires the older", func(t *testing.T) {
		older, newer := start(), start()
		if _, err := complete(older, key); !errors.Is(err, identity.ErrPairingInvalid) {
			t.Errorf("older code: err = %v", err)
		}
		if _, err := complete(newer, key); err != nil {
			t.Errorf("newer code: %v", err)
		}
	})

	t.Run("unknown and malformed", func(t *testing.T) {
		for _, code := range []string{"0000-0000-0000-0000", "short", ""} {
			if _, err := complete(code, key); !errors.Is(err, identity.ErrPairingInvalid) {
				t.Errorf("%q: err = %v", code, err)
			}
		}
		if _, err := e.store.PairingStatus(ctx, e.mitid(identity.LevelHigh).ID, start()); !errors.Is(err, identity.ErrNotFound) {
			t.Errorf("status of another MitID's code: err = %v", err)
		}
	})

	t.Run("device name", func(t *testing.T) {
		code := start()
		_, err := e.store.CompletePairing(ctx, identity.PairingInput{Code: code, PublicKey: key, DeviceName: " "})
		if !errors.Is(err, identity.ErrLabelInvalid) {
			t.Errorf("blank name: err = %v", err)
		}
	})

	t.Run("blocked MitID", func(t *testing.T) {
		code := start()
		if err := e.store.BlockMitID(ctx, m.ID, identity.BlockLost, identity.ActorCitizen, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := complete(code, key); !errors.Is(err, identity.ErrMitIDBlocked) {
			t.Errorf("pairing a blocked MitID: err = %v", err)
		}
		if _, _, err := e.store.StartPairing(ctx, m.ID); !errors.Is(err, identity.ErrMitIDBlocked) {
			t.Errorf("code for a blocked MitID: err = %v", err)
		}
	})
}

func TestPairingWrongCodesThrottleTheAddress(t *testing.T) {
	t.Parallel()
	e := newAppEnv(t)
	ctx := context.Background()
	m := e.mitid(identity.LevelSubstantial)
	code, _, err := e.store.StartPairing(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	key := spki(t, &newKey(t).PublicKey)
	in := identity.PairingInput{Code: "0000-0000-0000-0000", PublicKey: key, DeviceName: "x", ClientAddr: "203.0.113.9"}
	bound := identity.DefaultThrottleRules[identity.ThrottleActivation].Max
	for i := range bound {
		if _, err := e.store.CompletePairing(ctx, in); !errors.Is(err, identity.ErrPairingInvalid) {
			t.Fatalf("wrong code %d: err = %v", i+1, err)
		}
	}
	in.Code = code
	var te *fault.Error
	if _, err := e.store.CompletePairing(ctx, in); !throttledAs(err, &te) {
		t.Fatalf("right code after %d wrong ones: err = %v, want throttled", bound, err)
	}
	in.ClientAddr = "203.0.113.10"
	if _, err := e.store.CompletePairing(ctx, in); err != nil {
		t.Fatalf("right code from another address: %v", err)
	}
}

func TestStartAppRequest(t *testing.T) {
	t.Parallel()
	e := newAppEnv(t)
	ctx := context.Background()
	withApp := e.mitid(identity.LevelSubstantial)
	e.pair(withApp)
	high := e.mitid(identity.LevelHigh)
	e.pair(high)
	noApp := e.mitid(identity.LevelSubstantial)
	blocked := e.mitid(identity.LevelSubstantial)
	e.pair(blocked)
	if err := e.store.BlockMitID(ctx, blocked.ID, identity.BlockStolen, identity.ActorCitizen, nil); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		username  string
		wantMitID int64
		wantLevel identity.Level
		wantErr   error
	}{
		{"with app", withApp.Username, withApp.ID, identity.LevelSubstantial, nil},
		{"username in other case", strings.ToUpper(withApp.Username), withApp.ID, identity.LevelSubstantial, nil},
		{"high identity assurance", high.Username, high.ID, identity.LevelHigh, nil},
		// Neither may be told from a real request by the browser: both simply expire.
		{"unknown username", "findes-ikke", 0, identity.LevelSubstantial, nil},
		{"no app", noApp.Username, 0, identity.LevelSubstantial, nil},
		{"blocked", blocked.Username, 0, "", identity.ErrMitIDBlocked},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := e.login(tt.username)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if r.MitIDID != tt.wantMitID || r.Level != tt.wantLevel || r.Status != identity.AppPending ||
				len(r.DisplayCode) != 4 || len(r.Challenge) != 32 ||
				!r.ExpiresAt.Equal(r.CreatedAt.Add(identity.AppRequestTTL)) {
				t.Errorf("request = %+v", r)
			}
			if st, err := e.store.AppRequestState(ctx, r.ID, secret); err != nil || st != identity.AppPending {
				t.Errorf("state = %v, %v; want pending", st, err)
			}
		})
	}

	t.Run("support's check of a MitID without app", func(t *testing.T) {
		_, err := e.store.StartAppRequest(ctx, identity.AppRequestInput{MitIDID: noApp.ID,
			Purpose: identity.AppPurposeVerify, Service: "Supporten"})
		if !errors.Is(err, identity.ErrNoApp) {
			t.Errorf("err = %v, want ErrNoApp", err)
		}
	})

	t.Run("unanswerable request expires", func(t *testing.T) {
		r := e.mustLogin("findes-heller-ikke")
		if _, err := e.store.FinishAppLogin(ctx, r.ID, secret, "198.51.100.7"); !errors.Is(err, identity.ErrAppPending) {
			t.Errorf("finish while waiting: err = %v", err)
		}
		e.advance(identity.AppRequestTTL)
		if st, _ := e.store.AppRequestState(ctx, r.ID, secret); st != identity.AppExpired {
			t.Errorf("state after TTL = %v", st)
		}
		if _, err := e.store.FinishAppLogin(ctx, r.ID, secret, "198.51.100.7"); !errors.Is(err, identity.ErrAppRequestExpired) {
			t.Errorf("finish after TTL: err = %v", err)
		}
	})
}

func TestAppRequestFloodBound(t *testing.T) {
	t.Parallel()
	e := newAppEnv(t)
	ctx := context.Background()
	m := e.mitid(identity.LevelSubstantial)
	p := e.pair(m)
	var last identity.AppRequest
	for i := range identity.AppRequestsPerWindow {
		r := e.mustLogin(m.Username)
		// A new request cancels the older: the phone shows one at a time.
		list, err := e.store.PendingAppRequests(ctx, p.means.ID)
		if err != nil || len(list) != 1 || list[0].ID != r.ID {
			t.Fatalf("request %d: pending = %+v, %v", i+1, list, err)
		}
		if i > 0 {
			if st, _ := e.store.AppRequestState(ctx, last.ID, secret); st != identity.AppCancelled {
				t.Errorf("older request: state = %v, want cancelled", st)
			}
		}
		last = r
		e.advance(time.Minute)
	}
	_, err := e.login(m.Username)
	var te *fault.Error
	if !throttledAs(err, &te) {
		t.Fatalf("request %d: err = %v, want throttled", identity.AppRequestsPerWindow+1, err)
	}
	// The first request was made 5 minutes ago: the window frees up 10 minutes from now.
	if want := identity.AppRequestWindow - time.Duration(identity.AppRequestsPerWindow)*time.Minute; te.RetryAfter != want {
		t.Errorf("RetryAfter = %v, want %v", te.RetryAfter, want)
	}
	if list, _ := e.store.PendingAppRequests(ctx, p.means.ID); len(list) != 1 || list[0].ID != last.ID {
		t.Errorf("a refused request must not cancel the pending one: %+v", list)
	}
	e.advance(te.RetryAfter - time.Second)
	if _, err := e.login(m.Username); !throttledAs(err, &te) {
		t.Errorf("a second before the window frees: err = %v", err)
	}
	e.advance(time.Second)
	if _, err := e.login(m.Username); err != nil {
		t.Errorf("once the window frees: %v", err)
	}
}

func TestAppRequestFloodBoundInParallel(t *testing.T) {
	t.Parallel()
	e := newAppEnv(t)
	m := e.mitid(identity.LevelSubstantial)
	e.pair(m)
	const tries = 12
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		ok, thr  int
		unexpect []error
	)
	for range tries {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.login(m.Username)
			var te *fault.Error
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case throttledAs(err, &te):
				thr++
			default:
				unexpect = append(unexpect, err)
			}
		}()
	}
	wg.Wait()
	if len(unexpect) > 0 || ok != identity.AppRequestsPerWindow || thr != tries-ok {
		t.Errorf("parallel starts: %d ok, %d throttled, errors %v; want %d ok", ok, thr, unexpect, identity.AppRequestsPerWindow)
	}
}

func TestDecideAppRequest(t *testing.T) {
	t.Parallel()
	e := newAppEnv(t)
	ctx := context.Background()
	m := e.mitid(identity.LevelSubstantial)
	p := e.pair(m)
	second := e.pair(m) // a second phone of the same MitID
	other := e.pair(e.mitid(identity.LevelSubstantial))

	tests := []struct {
		name string
		// prepare runs before the decision and returns what to decide with.
		prepare func(t *testing.T, r identity.AppRequest) (device int64, approve bool, sig []byte)
		wantErr error
	}{
		{"approve", func(t *testing.T, r identity.AppRequest) (int64, bool, []byte) {
			return p.means.ID, true, p.decide(t, true, r)
		}, nil},
		{"reject", func(t *testing.T, r identity.AppRequest) (int64, bool, []byte) {
			return p.means.ID, false, p.decide(t, false, r)
		}, nil},
		{"the MitID's other phone", func(t *testing.T, r identity.AppRequest) (int64, bool, []byte) {
			return second.means.ID, true, second.decide(t, true, r)
		}, nil},
		{"approval replayed as rejection", func(t *testing.T, r identity.AppRequest) (int64, bool, []byte) {
			return p.means.ID, false, p.decide(t, true, r)
		}, identity.ErrAppSignature},
		{"rejection replayed as approval", func(t *testing.T, r identity.AppRequest) (int64, bool, []byte) {
			return p.means.ID, true, p.decide(t, false, r)
		}, identity.ErrAppSignature},
		{"signature of another request", func(t *testing.T, r identity.AppRequest) (int64, bool, []byte) {
			old := identity.AppRequest{Challenge: []byte("another request's challenge....")}
			return p.means.ID, true, p.decide(t, true, old)
		}, identity.ErrAppSignature},
		{"another phone's key under this phone's id", func(t *testing.T, r identity.AppRequest) (int64, bool, []byte) {
			return p.means.ID, true, second.decide(t, true, r)
		}, identity.ErrAppSignature},
		{"garbage signature", func(t *testing.T, r identity.AppRequest) (int64, bool, []byte) {
			return p.means.ID, true, []byte("not a signature")
		}, identity.ErrAppSignature},
		{"another MitID's phone", func(t *testing.T, r identity.AppRequest) (int64, bool, []byte) {
			return other.means.ID, true, other.decide(t, true, r)
		}, identity.ErrAppRequestInvalid},
		{"not an app", func(t *testing.T, r identity.AppRequest) (int64, bool, []byte) {
			return 999999, true, p.decide(t, true, r)
		}, identity.ErrAppDevice},
		{"expired", func(t *testing.T, r identity.AppRequest) (int64, bool, []byte) {
			e.advance(identity.AppRequestTTL)
			return p.means.ID, true, p.decide(t, true, r)
		}, identity.ErrAppRequestExpired},
		{"replaced by a newer request", func(t *testing.T, r identity.AppRequest) (int64, bool, []byte) {
			e.mustLogin(m.Username)
			return p.means.ID, true, p.decide(t, true, r)
		}, identity.ErrAppRequestExpired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.advance(identity.AppRequestWindow) // keep clear of the flood bound
			r := e.mustLogin(m.Username)
			device, approve, sig := tt.prepare(t, r)
			err := e.store.DecideAppRequest(ctx, r.ID, device, approve, sig)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			want := identity.AppPending
			switch {
			case tt.wantErr != nil:
				return
			case approve:
				want = identity.AppApproved
			default:
				want = identity.AppRejected
			}
			if st, _ := e.store.AppRequestState(ctx, r.ID, secret); st != want {
				t.Errorf("state = %v, want %v", st, want)
			}
			// Each request is answered once, either way.
			ph := map[int64]phone{p.means.ID: p, second.means.ID: second}[device]
			for _, again := range []bool{true, false} {
				if err := e.store.DecideAppRequest(ctx, r.ID, device, again, ph.decide(t, again, r)); !errors.Is(err, identity.ErrAppRequestDecided) {
					t.Errorf("second answer (approve=%v): err = %v, want ErrAppRequestDecided", again, err)
				}
			}
		})
	}
}

func TestDecideRefusedForBlocked(t *testing.T) {
	t.Parallel()
	e := newAppEnv(t)
	ctx := context.Background()

	t.Run("blocked phone", func(t *testing.T) {
		m := e.mitid(identity.LevelSubstantial)
		p := e.pair(m)
		keep := e.pair(m)
		_ = keep
		r := e.mustLogin(m.Username)
		if err := e.store.BlockAuthenticator(ctx, m.ID, p.means.ID, identity.BlockLost, identity.ActorCitizen); err != nil {
			t.Fatal(err)
		}
		if err := e.store.DecideAppRequest(ctx, r.ID, p.means.ID, true, p.decide(t, true, r)); !errors.Is(err, identity.ErrAppDevice) {
			t.Errorf("err = %v, want ErrAppDevice", err)
		}
	})

	t.Run("blocked MitID", func(t *testing.T) {
		m := e.mitid(identity.LevelSubstantial)
		p := e.pair(m)
		r := e.mustLogin(m.Username)
		if err := e.store.BlockMitID(ctx, m.ID, identity.BlockStolen, identity.ActorCitizen, nil); err != nil {
			t.Fatal(err)
		}
		if err := e.store.DecideAppRequest(ctx, r.ID, p.means.ID, true, p.decide(t, true, r)); !errors.Is(err, identity.ErrMitIDBlocked) {
			t.Errorf("err = %v, want ErrMitIDBlocked", err)
		}
		now := e.clock().Unix()
		if _, err := e.store.AuthenticateAppDevice(ctx, p.means.ID, now, sign(t, p.key, identity.AppListMessage(p.means.ID, now))); !errors.Is(err, identity.ErrMitIDBlocked) {
			t.Errorf("listing: err = %v, want ErrMitIDBlocked (the phone keeps its key)", err)
		}
		if list, err := e.store.PendingAppRequests(ctx, p.means.ID); err != nil || len(list) != 0 {
			t.Errorf("pending for a blocked MitID = %v, %v", list, err)
		}
		if _, err := e.store.AppRequestState(ctx, r.ID, secret); !errors.Is(err, identity.ErrMitIDBlocked) {
			t.Errorf("state: err = %v, want ErrMitIDBlocked", err)
		}
	})
}

func TestFinishAppLogin(t *testing.T) {
	t.Parallel()
	e := newAppEnv(t)
	ctx := context.Background()
	const addr = "198.51.100.7"

	t.Run("approved, once, by the starting browser only", func(t *testing.T) {
		for _, assurance := range []identity.Level{identity.LevelSubstantial, identity.LevelHigh} {
			m := e.mitid(assurance)
			p := e.pair(m)
			r := e.mustLogin(m.Username)
			if err := e.store.DecideAppRequest(ctx, r.ID, p.means.ID, true, p.decide(t, true, r)); err != nil {
				t.Fatal(err)
			}
			other := []byte("another browser's secret........")
			if _, err := e.store.AppRequestState(ctx, r.ID, other); !errors.Is(err, identity.ErrNotFound) {
				t.Errorf("state for another browser: err = %v", err)
			}
			if _, err := e.store.FinishAppLogin(ctx, r.ID, other, addr); !errors.Is(err, identity.ErrAppRequestInvalid) {
				t.Errorf("finish by another browser: err = %v", err)
			}
			l, err := e.store.FinishAppLogin(ctx, r.ID, secret, addr)
			if err != nil {
				t.Fatal(err)
			}
			if l.MitID.ID != m.ID || l.Means.ID != p.means.ID || l.Level != identity.LoginLevel(identity.KindApp, assurance) {
				t.Errorf("login = %+v", l)
			}
			if _, err := e.store.FinishAppLogin(ctx, r.ID, secret, addr); !errors.Is(err, identity.ErrAppRequestInvalid) {
				t.Errorf("second finish: err = %v, want ErrAppRequestInvalid", err)
			}
			acts, _ := e.store.Activity(ctx, m.ID, 0, 1)
			if len(acts) != 1 || acts[0].Kind != identity.ActivityLogin || acts[0].Detail["means"] != "app" {
				t.Errorf("newest activity = %+v, want the login", acts)
			}
		}
	})

	tests := []struct {
		name    string
		after   func(t *testing.T, m identity.MitID, p phone, r identity.AppRequest)
		wantErr error
	}{
		{"waiting", func(*testing.T, identity.MitID, phone, identity.AppRequest) {}, identity.ErrAppPending},
		{"rejected", func(t *testing.T, _ identity.MitID, p phone, r identity.AppRequest) {
			if err := e.store.DecideAppRequest(ctx, r.ID, p.means.ID, false, p.decide(t, false, r)); err != nil {
				t.Fatal(err)
			}
		}, identity.ErrAppRejected},
		{"expired", func(*testing.T, identity.MitID, phone, identity.AppRequest) {
			e.advance(identity.AppRequestTTL)
		}, identity.ErrAppRequestExpired},
		{"approved, finished too late", func(t *testing.T, _ identity.MitID, p phone, r identity.AppRequest) {
			if err := e.store.DecideAppRequest(ctx, r.ID, p.means.ID, true, p.decide(t, true, r)); err != nil {
				t.Fatal(err)
			}
			e.advance(identity.AppRequestTTL + time.Minute)
		}, identity.ErrAppRequestExpired},
		{"MitID blocked after the approval", func(t *testing.T, m identity.MitID, p phone, r identity.AppRequest) {
			if err := e.store.DecideAppRequest(ctx, r.ID, p.means.ID, true, p.decide(t, true, r)); err != nil {
				t.Fatal(err)
			}
			if err := e.store.BlockMitID(ctx, m.ID, identity.BlockStolen, identity.ActorCitizen, nil); err != nil {
				t.Fatal(err)
			}
		}, identity.ErrMitIDBlocked},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := e.mitid(identity.LevelSubstantial)
			p := e.pair(m)
			r := e.mustLogin(m.Username)
			tt.after(t, m, p, r)
			if _, err := e.store.FinishAppLogin(ctx, r.ID, secret, addr); !errors.Is(err, tt.wantErr) {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestAuthenticateAppDevice(t *testing.T) {
	t.Parallel()
	e := newAppEnv(t)
	ctx := context.Background()
	m := e.mitid(identity.LevelSubstantial)
	p := e.pair(m)
	blocked := e.pair(m)
	if err := e.store.BlockAuthenticator(ctx, m.ID, blocked.means.ID, identity.BlockLost, identity.ActorCitizen); err != nil {
		t.Fatal(err)
	}
	now := e.clock().Unix()
	id := p.means.ID
	tests := []struct {
		name    string
		id      int64
		unix    int64
		sig     []byte
		wantErr error
	}{
		{"now", id, now, sign(t, p.key, identity.AppListMessage(id, now)), nil},
		{"phone clock 2 minutes behind", id, now - 120, sign(t, p.key, identity.AppListMessage(id, now-120)), nil},
		{"phone clock 2 minutes ahead", id, now + 120, sign(t, p.key, identity.AppListMessage(id, now+120)), nil},
		{"too old", id, now - 121, sign(t, p.key, identity.AppListMessage(id, now-121)), identity.ErrAppSignature},
		{"signed for another time", id, now, sign(t, p.key, identity.AppListMessage(id, now-1)), identity.ErrAppSignature},
		{"signed for another means", id, now, sign(t, p.key, identity.AppListMessage(id+1, now)), identity.ErrAppSignature},
		{"a decision is no listing", id, now, sign(t, p.key, identity.AppDecisionMessage(true, []byte("x"))), identity.ErrAppSignature},
		{"another key", id, now, sign(t, newKey(t), identity.AppListMessage(id, now)), identity.ErrAppSignature},
		{"blocked phone", blocked.means.ID, now, sign(t, blocked.key, identity.AppListMessage(blocked.means.ID, now)), identity.ErrAppDevice},
		{"unknown", 987654, now, sign(t, p.key, identity.AppListMessage(987654, now)), identity.ErrAppDevice},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := e.store.AuthenticateAppDevice(ctx, tt.id, tt.unix, tt.sig)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if err == nil && a.ID != tt.id {
				t.Errorf("means = %+v", a)
			}
		})
	}
}

// TestP1363Only checks that the server takes the signature form WebCrypto gives and no other:
// an ASN.1 DER signature of the same message is refused.
func TestP1363Only(t *testing.T) {
	t.Parallel()
	e := newAppEnv(t)
	m := e.mitid(identity.LevelSubstantial)
	p := e.pair(m)
	now := e.clock().Unix()
	h := sha256.Sum256([]byte(identity.AppListMessage(p.means.ID, now)))
	der, err := ecdsa.SignASN1(rand.Reader, p.key, h[:])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.AuthenticateAppDevice(context.Background(), p.means.ID, now, der); !errors.Is(err, identity.ErrAppSignature) {
		t.Errorf("DER signature: err = %v, want ErrAppSignature", err)
	}
}

// throttledAs is errors.As for a throttled refusal.
func throttledAs(err error, te **fault.Error) bool {
	e, ok := fault.OfKind(err, fault.Throttled)
	if ok {
		*te = e
	}
	return ok
}
