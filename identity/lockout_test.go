package identity

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"mitidportal/fault"
)

func TestLimitsWait(t *testing.T) {
	t.Parallel()
	l := Limits{FreeFailures: 3, BaseDelay: 30 * time.Second, MaxDelay: 5 * time.Minute, LockAfter: 10, LockFor: time.Hour}
	tests := []struct {
		failed int
		want   time.Duration
	}{
		{0, 0}, {1, 0}, {3, 0}, {4, 30 * time.Second}, {5, time.Minute}, {6, 2 * time.Minute},
		{7, 4 * time.Minute}, {8, 5 * time.Minute}, {9, 5 * time.Minute}, {10, time.Hour}, {1000, time.Hour},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.failed), func(t *testing.T) {
			if got := l.Wait(tt.failed); got != tt.want {
				t.Errorf("Wait(%d) = %s, want %s", tt.failed, got, tt.want)
			}
		})
	}
	if got := (Limits{LockAfter: 500}).withDefaults().LockAfter; got != 100 {
		t.Errorf("LockAfter 500 became %d, want at most 100 (NIST SP 800-63B)", got)
	}
}

// answer is what a login attempt said, as a comparable string: the error and, for a throttle,
// its message and wait.
func answer(err error) string {
	if te, ok := fault.OfKind(err, fault.Throttled); ok {
		return fmt.Sprintf("%s %s", te.MsgID, te.RetryAfter)
	}
	return fmt.Sprint(err)
}

// TestUnknownUsernameAnswersLikeKnown walks a real username and one nobody has through the
// free failures, the back-off and the timed lock: at every count both get the same answer.
// Then the lock ends by itself and the right password logs in.
func TestUnknownUsernameAnswersLikeKnown(t *testing.T) {
	t.Parallel()
	limits := Limits{FreeFailures: 2, BaseDelay: 30 * time.Second, MaxDelay: 2 * time.Minute, LockAfter: 6, LockFor: time.Hour}
	e := newEnv(t, Config{Limits: limits})
	ctx := context.Background()
	m, serial := e.mitid()
	try := func(username, password string, i int) string {
		_, err := e.store.LoginWithCode(ctx, LoginInput{Username: username, Password: password,
			Code: e.code(serial), ClientAddr: fmt.Sprintf("192.0.2.%d", i)})
		return answer(err)
	}
	locked := func(d time.Duration) string { return fmt.Sprintf("%s %s", MsgCitizenLocked, d) }
	failed := ErrLoginFailed.Error()
	tests := []struct {
		failures int    // failures so far
		want     string // the answer to the next wrong attempt, at once
		thenWait bool   // wait out the back-off, so the next case starts one failure further
	}{
		{0, failed, false},
		{1, failed, false},
		{2, failed, false},
		{3, locked(30 * time.Second), true},
		{4, locked(time.Minute), true},
		{5, locked(2 * time.Minute), true},
		{6, locked(time.Hour), false},
	}
	for i, tt := range tests {
		t.Run(fmt.Sprintf("after %d failures", tt.failures), func(t *testing.T) {
			known, unknown := try(m.Username, "wrong wrong wrong", i), try("nobody-"+m.Username, "wrong wrong wrong", i)
			if tt.want != failed {
				// In back-off: these attempts were refused before anything was checked; the
				// refused attempt does not count, so wait and fail once more.
				if known != tt.want || unknown != tt.want {
					t.Fatalf("while waiting: known %q, unknown %q; want both %q", known, unknown, tt.want)
				}
				if !tt.thenWait {
					return
				}
				e.clock.Add(limits.Wait(tt.failures))
				known, unknown = try(m.Username, "wrong wrong wrong", i), try("nobody-"+m.Username, "wrong wrong wrong", i)
				if known != failed || unknown != failed {
					t.Fatalf("after the wait: known %q, unknown %q; want both %q", known, unknown, failed)
				}
				return
			}
			if known != tt.want || unknown != tt.want {
				t.Fatalf("known %q, unknown %q; want both %q", known, unknown, tt.want)
			}
		})
	}
	// Locked: even the right password is not checked, and the message names the app and support.
	if got := try(m.Username, testPassword, 99); got != locked(time.Hour) {
		t.Fatalf("right password while locked: %q", got)
	}
	e.clock.Add(time.Hour)
	if _, err := e.store.LoginWithCode(ctx, LoginInput{Username: m.Username, Password: testPassword,
		Code: e.code(serial), ClientAddr: "192.0.2.200"}); err != nil {
		t.Fatalf("after the lock's hour: %v", err)
	}
	if n, _ := e.store.lockouts.Failures(ctx, CitizenKey(m.Username)); n != 0 {
		t.Errorf("%d failures left after a login", n)
	}
}

// TestLoginParallelOneAddress fires 100 wrong logins for 100 usernames from one address at
// once: exactly the address bound are evaluated, the rest are refused before any work.
func TestLoginParallelOneAddress(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	bound := DefaultThrottleRules[ThrottleLogin].Max
	results := e.parallel(100, func(i int) LoginInput {
		return LoginInput{Username: fmt.Sprintf("nobody%d", i), Password: "nope-nope-nope", ClientAddr: "203.0.113.7"}
	})
	// Busy (no hashing slot in time, ErrBusy) is refused before anything is counted, like a
	// throttled attempt: on a loaded machine some attempts meet it.
	if results[ErrLoginFailed] != bound || results[ErrThrottled]+results[ErrBusy] != 100-bound {
		t.Errorf("results %v, want %d evaluated (login failed) and %d throttled", results, bound, 100-bound)
	}
	if n := one[int](t, e.pool, `SELECT count(*) FROM login_failure`); n != bound {
		t.Errorf("%d usernames counted, want %d: a throttled attempt must not reach the password step", n, bound)
	}
}

// TestLoginParallelOneUsername fires 100 wrong logins at one username from 100 addresses: the
// count on the username holds exactly, so only the free failures are evaluated.
func TestLoginParallelOneUsername(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{Limits: Limits{FreeFailures: 5}})
	m, _ := e.mitid()
	results := e.parallel(100, func(i int) LoginInput {
		return LoginInput{Username: m.Username, Password: "nope-nope-nope", ClientAddr: fmt.Sprintf("198.51.100.%d", i)}
	})
	// The sixth attempt is counted too (it sets the wait) and evaluated; the rest wait, or are
	// told to try again (ErrBusy, refused before anything is counted) on a loaded machine.
	if results[ErrLoginFailed] != 6 || results[ErrThrottled]+results[ErrBusy] != 94 {
		t.Errorf("results %v, want 6 evaluated and 94 throttled", results)
	}
	if n := one[int](t, e.pool, `SELECT count(*) FROM activity WHERE mitid_id = $1 AND kind = 'login_failed'`, m.ID); n != 6 {
		t.Errorf("%d failures recorded, want 6", n)
	}
}

// parallel runs n logins at once, the i-th with in(i), and counts the outcomes by rule error.
func (e *env) parallel(n int, in func(i int) LoginInput) map[error]int {
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
			<-start
			_, err := e.store.LoginWithCode(context.Background(), in(i))
			for _, want := range []error{ErrLoginFailed, ErrThrottled, ErrBusy} {
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
	t.Parallel()
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
