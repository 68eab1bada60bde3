package identity

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestLoginWithCode(t *testing.T) {
	e := newEnv(t, Config{})
	ctx := context.Background()
	type counts struct{ mitid, password, token int }
	tests := []struct {
		name string
		// setup may change the fresh MitID and returns the input to try.
		setup  func(m MitID, serial string) LoginInput
		want   error
		counts counts
	}{
		{"right password and code", func(m MitID, serial string) LoginInput {
			return LoginInput{Username: m.Username, Password: testPassword, Code: e.code(serial)}
		}, nil, counts{}},
		{"username in another case with spaces", func(m MitID, serial string) LoginInput {
			return LoginInput{Username: "  " + strings.ToUpper(m.Username) + " ", Password: testPassword, Code: e.code(serial)}
		}, nil, counts{}},
		{"code typed with a space", func(m MitID, serial string) LoginInput {
			c := e.code(serial)
			return LoginInput{Username: m.Username, Password: testPassword, Code: c[:3] + " " + c[3:]}
		}, nil, counts{}},
		{"wrong password", func(m MitID, serial string) LoginInput {
			return LoginInput{Username: m.Username, Password: testPassword + "x", Code: e.code(serial)}
		}, ErrLoginFailed, counts{mitid: 1, password: 1}},
		{"wrong code", func(m MitID, serial string) LoginInput {
			return LoginInput{Username: m.Username, Password: testPassword, Code: e.wrongCode(serial)}
		}, ErrLoginFailed, counts{mitid: 1, token: 1}},
		{"no code", func(m MitID, serial string) LoginInput {
			return LoginInput{Username: m.Username, Password: testPassword}
		}, ErrLoginFailed, counts{mitid: 1, token: 1}},
		{"unknown username", func(m MitID, serial string) LoginInput {
			return LoginInput{Username: m.Username + "x", Password: testPassword, Code: e.code(serial)}
		}, ErrLoginFailed, counts{}},
		{"blocked MitID, right password", func(m MitID, serial string) LoginInput {
			if err := e.store.BlockMitID(ctx, m.ID, BlockLost, ActorCitizen, nil); err != nil {
				t.Fatal(err)
			}
			return LoginInput{Username: m.Username, Password: testPassword, Code: e.code(serial)}
		}, ErrMitIDBlocked, counts{}},
		{"blocked MitID, wrong password says nothing of the block", func(m MitID, serial string) LoginInput {
			if err := e.store.BlockMitID(ctx, m.ID, BlockLost, ActorCitizen, nil); err != nil {
				t.Fatal(err)
			}
			return LoginInput{Username: m.Username, Password: "wrong-password", Code: e.code(serial)}
		}, ErrLoginFailed, counts{mitid: 1, password: 1}},
		{"locked password, right password", func(m MitID, serial string) LoginInput {
			e.exec(`UPDATE authenticator SET status = 'locked' WHERE mitid_id = $1 AND kind = 'password'`, m.ID)
			return LoginInput{Username: m.Username, Password: testPassword, Code: e.code(serial)}
		}, ErrAuthenticatorLocked, counts{}},
		{"blocked token", func(m MitID, serial string) LoginInput {
			e.exec(`UPDATE authenticator SET status = 'blocked' WHERE token_serial = $1`, serial)
			return LoginInput{Username: m.Username, Password: testPassword, Code: e.code(serial)}
		}, ErrLoginFailed, counts{mitid: 1}},
		{"locked token", func(m MitID, serial string) LoginInput {
			e.exec(`UPDATE authenticator SET status = 'locked' WHERE token_serial = $1`, serial)
			return LoginInput{Username: m.Username, Password: testPassword, Code: e.code(serial)}
		}, ErrAuthenticatorLocked, counts{}},
		{"expired temporary password", func(m MitID, serial string) LoginInput {
			e.exec(`UPDATE authenticator SET must_change = true, expires_at = $2 WHERE mitid_id = $1 AND kind = 'password'`,
				m.ID, e.clock.Now().Add(-time.Minute))
			return LoginInput{Username: m.Username, Password: testPassword, Code: e.code(serial)}
		}, ErrPasswordExpired, counts{}},
		{"code of a unit of another MitID", func(m MitID, serial string) LoginInput {
			_, other := e.mitid()
			return LoginInput{Username: m.Username, Password: testPassword, Code: e.code(other)}
		}, ErrLoginFailed, counts{mitid: 1, token: 1}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, serial := e.mitid()
			in := tt.setup(m, serial)
			in.Service, in.ClientAddr = "Testtjenesten", fmt.Sprintf("192.0.2.%d", i+1)
			login, err := e.store.LoginWithCode(ctx, in)
			if !errors.Is(err, tt.want) {
				t.Fatalf("LoginWithCode = %v, want %v", err, tt.want)
			}
			got := counts{
				mitid:    one[int](t, e.pool, `SELECT failed_count FROM mitid WHERE id = $1`, m.ID),
				password: one[int](t, e.pool, `SELECT failed_count FROM authenticator WHERE mitid_id = $1 AND kind = 'password'`, m.ID),
				token:    one[int](t, e.pool, `SELECT failed_count FROM authenticator WHERE token_serial = $1`, serial),
			}
			if got != tt.counts {
				t.Errorf("failure counts %+v, want %+v", got, tt.counts)
			}
			addrFailures := one[int](t, e.pool, `SELECT count(*) FROM address_throttle WHERE key = $1`,
				ThrottleKey(ThrottleLogin, in.ClientAddr))
			if wantAddr := map[bool]int{true: 1, false: 0}[errors.Is(tt.want, ErrLoginFailed)]; addrFailures != wantAddr {
				t.Errorf("%d failures counted on the address, want %d", addrFailures, wantAddr)
			}
			if tt.want != nil {
				return
			}
			if login.MitID.ID != m.ID || login.Means.Kind != KindCodeDisplay || login.Level != LevelSubstantial {
				t.Errorf("login = %+v", login)
			}
			acts, _ := e.store.Activity(ctx, m.ID, 0, 1)
			if len(acts) != 1 || acts[0].Kind != ActivityLogin || acts[0].Detail["service"] != "Testtjenesten" ||
				acts[0].Detail["level"] != "substantial" || acts[0].Detail["means"] != "code_display" {
				t.Errorf("last activity %+v, want a login with service, level and means", acts)
			}
			if one[*time.Time](t, e.pool, `SELECT last_used_at FROM authenticator WHERE token_serial = $1`, serial) == nil {
				t.Error("last_used_at not set")
			}
			// The same code does not log in twice.
			if _, err := e.store.LoginWithCode(ctx, in); !errors.Is(err, ErrLoginFailed) {
				t.Errorf("replayed code: %v, want ErrLoginFailed", err)
			}
		})
	}
}

func (e *env) exec(sql string, args ...any) {
	e.t.Helper()
	if _, err := e.pool.Exec(context.Background(), sql, args...); err != nil {
		e.t.Fatalf("%s: %v", sql, err)
	}
}

func TestLoginSuccessResetsCountersAndTemporaryPassword(t *testing.T) {
	e := newEnv(t, Config{})
	ctx := context.Background()
	m, serial := e.mitid()
	wrong := LoginInput{Username: m.Username, Password: "nope-nope-nope", ClientAddr: "192.0.2.1"}
	for range 3 {
		if _, err := e.store.LoginWithCode(ctx, wrong); !errors.Is(err, ErrLoginFailed) {
			t.Fatal(err)
		}
	}
	e.exec(`UPDATE authenticator SET must_change = true, expires_at = $2 WHERE mitid_id = $1 AND kind = 'password'`,
		m.ID, e.clock.Now().Add(time.Hour))
	login, err := e.store.LoginWithCode(ctx, LoginInput{Username: m.Username, Password: testPassword,
		Code: e.code(serial), ClientAddr: "192.0.2.1"})
	if err != nil {
		t.Fatal(err)
	}
	if !login.MustChangePassword {
		t.Error("MustChangePassword not set for a temporary password")
	}
	if n := one[int](t, e.pool, `SELECT failed_count FROM mitid WHERE id = $1`, m.ID); n != 0 {
		t.Errorf("MitID failed_count %d after success", n)
	}
	if n := one[int](t, e.pool, `SELECT failed_count FROM authenticator WHERE mitid_id = $1 AND kind = 'password'`, m.ID); n != 0 {
		t.Errorf("password failed_count %d after success", n)
	}
	// The temporary password worked once; a second login with it is refused.
	e.clock.Add(30 * time.Second)
	if _, err := e.store.LoginWithCode(ctx, LoginInput{Username: m.Username, Password: testPassword,
		Code: e.code(serial), ClientAddr: "192.0.2.1"}); !errors.Is(err, ErrPasswordExpired) {
		t.Errorf("a second login with the temporary password: %v, want ErrPasswordExpired", err)
	}
	if err := e.store.ChangePassword(ctx, m.ID, "Nyt-og-bedre-kodeord-9", ActorCitizen); err != nil {
		t.Fatal(err)
	}
	e.clock.Add(30 * time.Second)
	login, err = e.store.LoginWithCode(ctx, LoginInput{Username: m.Username, Password: "Nyt-og-bedre-kodeord-9",
		Code: e.code(serial), ClientAddr: "192.0.2.1"})
	if err != nil || login.MustChangePassword {
		t.Errorf("after the change: %v, must change %v", err, login.MustChangePassword)
	}
}

func TestBackOff(t *testing.T) {
	l := Limits{MitIDFreeFailures: 3, MitIDBaseDelay: 30 * time.Second, MitIDMaxDelay: 5 * time.Minute}.withDefaults()
	tests := []struct {
		failed int
		want   time.Duration
	}{
		{0, 0}, {1, 0}, {2, 0}, {3, 30 * time.Second}, {4, time.Minute}, {5, 2 * time.Minute},
		{6, 4 * time.Minute}, {7, 5 * time.Minute}, {8, 5 * time.Minute}, {1000, 5 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.failed), func(t *testing.T) {
			if got := l.backOff(tt.failed); got != tt.want {
				t.Errorf("backOff(%d) = %s, want %s", tt.failed, got, tt.want)
			}
		})
	}
}

// TestLoginBackOffAndLock walks one MitID through the back-off and the lock with a moving clock.
func TestLoginBackOffAndLock(t *testing.T) {
	e := newEnv(t, Config{Limits: Limits{AuthenticatorFailures: 5, MitIDFreeFailures: 2,
		MitIDBaseDelay: 30 * time.Second, MitIDMaxDelay: 100 * time.Second}})
	ctx := context.Background()
	m, serial := e.mitid()
	wrong := LoginInput{Username: m.Username, Password: "nope-nope-nope", ClientAddr: "192.0.2.1"}
	// failure n waits this long before the next attempt is even checked
	waits := []time.Duration{0, 30 * time.Second, 60 * time.Second, 100 * time.Second}
	for n, wait := range waits {
		if _, err := e.store.LoginWithCode(ctx, wrong); !errors.Is(err, ErrLoginFailed) {
			t.Fatalf("failure %d: %v", n+1, err)
		}
		if wait == 0 {
			continue
		}
		// Even the right password is not checked during the wait.
		_, err := e.store.LoginWithCode(ctx, LoginInput{Username: m.Username, Password: testPassword,
			Code: e.code(serial), ClientAddr: "192.0.2.1"})
		var te *ThrottledError
		if !errors.As(err, &te) || te.RetryAfter != wait || !errors.Is(err, ErrThrottled) {
			t.Fatalf("after failure %d: %v, want throttled for %s", n+1, err, wait)
		}
		e.clock.Add(wait)
	}
	// The fifth failure locks the password; from then on the answer is "locked", even with
	// the right password, and nothing more is counted.
	if _, err := e.store.LoginWithCode(ctx, wrong); !errors.Is(err, ErrAuthenticatorLocked) {
		t.Fatalf("fifth failure: %v, want ErrAuthenticatorLocked", err)
	}
	e.clock.Add(time.Hour)
	if _, err := e.store.LoginWithCode(ctx, LoginInput{Username: m.Username, Password: testPassword,
		Code: e.code(serial), ClientAddr: "192.0.2.1"}); !errors.Is(err, ErrAuthenticatorLocked) {
		t.Fatalf("right password on a locked means: %v", err)
	}
	if n := one[int](t, e.pool, `SELECT failed_count FROM authenticator WHERE mitid_id = $1 AND kind = 'password'`, m.ID); n != 5 {
		t.Errorf("password failed_count %d, want 5", n)
	}
	kinds := activityKinds(t, e.store, m.ID)
	if kinds[0] != ActivityMeansLocked || kinds[1] != ActivityLoginFailed {
		t.Errorf("activity %v, want means_locked after login_failed", kinds[:2])
	}
}

// TestLoginParallelAttempts fires many wrong attempts at one MitID at once: the row lock makes
// them count one after the other, so the counters stop exactly at their bounds.
func TestLoginParallelAttempts(t *testing.T) {
	const attempts = 30
	t.Run("lock bound", func(t *testing.T) {
		e := newEnv(t, Config{Limits: Limits{AuthenticatorFailures: 10, MitIDFreeFailures: 1000}})
		m, _ := e.mitid()
		results := e.parallel(attempts, LoginInput{Username: m.Username, Password: "nope-nope-nope"})
		if results[ErrLoginFailed] != 9 || results[ErrAuthenticatorLocked] != attempts-9 {
			t.Errorf("results %v, want 9 failed and %d locked", results, attempts-9)
		}
		if n := one[int](t, e.pool, `SELECT failed_count FROM authenticator WHERE mitid_id = $1 AND kind = 'password'`, m.ID); n != 10 {
			t.Errorf("password failed_count %d, want exactly 10", n)
		}
		if st := one[string](t, e.pool, `SELECT status FROM authenticator WHERE mitid_id = $1 AND kind = 'password'`, m.ID); st != "locked" {
			t.Errorf("password status %s, want locked", st)
		}
		if n := one[int](t, e.pool, `SELECT failed_count FROM mitid WHERE id = $1`, m.ID); n != 10 {
			t.Errorf("MitID failed_count %d, want exactly 10", n)
		}
		if n := one[int](t, e.pool, `SELECT count(*) FROM activity WHERE mitid_id = $1 AND kind = 'means_locked'`, m.ID); n != 1 {
			t.Errorf("%d means_locked entries, want 1", n)
		}
	})
	t.Run("back-off bound", func(t *testing.T) {
		e := newEnv(t, Config{Limits: Limits{AuthenticatorFailures: 100, MitIDFreeFailures: 5}})
		m, _ := e.mitid()
		results := e.parallel(attempts, LoginInput{Username: m.Username, Password: "nope-nope-nope"})
		if results[ErrLoginFailed] != 5 || results[ErrThrottled] != attempts-5 {
			t.Errorf("results %v, want 5 failed and %d throttled", results, attempts-5)
		}
		if n := one[int](t, e.pool, `SELECT failed_count FROM mitid WHERE id = $1`, m.ID); n != 5 {
			t.Errorf("MitID failed_count %d, want exactly 5", n)
		}
	})
}

// parallel runs n copies of in at once, each from its own address, and counts the outcomes by
// rule error.
func (e *env) parallel(n int, in LoginInput) map[error]int {
	e.t.Helper()
	var (
		mu      sync.Mutex
		wg      sync.WaitGroup
		results = map[error]int{}
		start   = make(chan struct{})
	)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in := in
			in.ClientAddr = fmt.Sprintf("198.51.100.%d", i)
			<-start
			_, err := e.store.LoginWithCode(context.Background(), in)
			for _, want := range []error{ErrLoginFailed, ErrAuthenticatorLocked, ErrThrottled} {
				if errors.Is(err, want) {
					err = want
				}
			}
			mu.Lock()
			results[err]++
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()
	return results
}

func TestLoginAddressThrottle(t *testing.T) {
	e := newEnv(t, Config{})
	e.store.throttle.rules = map[string]ThrottleRule{ThrottleLogin: {Max: 3, Window: time.Hour},
		ThrottleActivation: {Max: 3, Window: time.Hour}}
	ctx := context.Background()
	m, serial := e.mitid()
	for i := range 3 {
		_, err := e.store.LoginWithCode(ctx, LoginInput{Username: fmt.Sprintf("nobody%d", i),
			Password: "x", ClientAddr: "2001:db8:1:2::7"})
		if !errors.Is(err, ErrLoginFailed) {
			t.Fatalf("attempt %d: %v", i, err)
		}
	}
	// Another address in the same /64 is throttled too, even with the right credentials.
	_, err := e.store.LoginWithCode(ctx, LoginInput{Username: m.Username, Password: testPassword,
		Code: e.code(serial), ClientAddr: "[2001:db8:1:2::99]:4711"})
	if !errors.Is(err, ErrThrottled) {
		t.Fatalf("same /64: %v, want throttled", err)
	}
	if _, err := e.store.LoginWithCode(ctx, LoginInput{Username: m.Username, Password: testPassword,
		Code: e.code(serial), ClientAddr: "2001:db8:1:3::1"}); err != nil {
		t.Fatalf("next /64: %v", err)
	}
}
