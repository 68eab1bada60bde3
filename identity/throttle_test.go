package identity

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

func TestThrottleKey(t *testing.T) {
	tests := []struct{ addr, want string }{
		{"192.0.2.1", "login:192.0.2.1"},
		{" 192.0.2.1 ", "login:192.0.2.1"},
		{"192.0.2.1:5555", "login:192.0.2.1"},
		{"::ffff:192.0.2.1", "login:192.0.2.1"},
		{"2001:db8:a:b:1:2:3:4", "login:2001:db8:a:b::/64"},
		{"2001:db8:a:b::ffff", "login:2001:db8:a:b::/64"},
		{"[2001:db8:a:b::1]:443", "login:2001:db8:a:b::/64"},
		{"fe80::1%eth0", "login:fe80::/64"},
		{"", "login:?"},
		{"not an address", "login:?not an address"},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			if got := ThrottleKey(ThrottleLogin, tt.addr); got != tt.want {
				t.Errorf("ThrottleKey(%q) = %q, want %q", tt.addr, got, tt.want)
			}
		})
	}
}

// TestAddressThrottleWindow checks the bound and that the window slides: each failure counts
// for one window after it happened.
func TestAddressThrottleWindow(t *testing.T) {
	e := newEnv(t, Config{})
	ctx := context.Background()
	th := NewAddressThrottle(e.pool, map[string]ThrottleRule{"login": {Max: 3, Window: 10 * time.Minute}})
	th.clock = e.clock.Now
	addr := "192.0.2.9"
	check := func(want time.Duration) {
		t.Helper()
		err := th.Check(ctx, e.pool, "login", addr)
		var te *ThrottledError
		switch {
		case want == 0 && err != nil:
			t.Fatalf("Check = %v, want nil", err)
		case want != 0 && (!errors.As(err, &te) || te.RetryAfter != want):
			t.Fatalf("Check = %v, want throttled for %s", err, want)
		}
	}
	fail := func() {
		t.Helper()
		if err := th.Fail(ctx, e.pool, "login", addr); err != nil {
			t.Fatal(err)
		}
	}
	fail() // t=0
	e.clock.Add(4 * time.Minute)
	fail() // t=4
	check(0)
	e.clock.Add(2 * time.Minute)
	fail() // t=6: three in the window
	check(4 * time.Minute)
	if err := th.Check(ctx, e.pool, "login", "192.0.2.10"); err != nil {
		t.Errorf("another address: %v", err)
	}
	if err := th.Check(ctx, e.pool, "block", addr); err == nil {
		t.Error("a purpose without a rule is no error")
	}
	e.clock.Add(4 * time.Minute) // t=10: the first failure leaves the window
	check(0)
	fail() // t=10
	check(4 * time.Minute)
	e.clock.Add(20 * time.Minute)
	check(0)
	fail()
	if n := one[int](t, e.pool, `SELECT count(*) FROM address_throttle`); n != 1 {
		t.Errorf("%d rows after the window passed, want the old ones pruned", n)
	}
}

// TestAddressThrottleHitParallel: every attempt counts and parallel attempts cannot pass the
// bound together.
func TestAddressThrottleHitParallel(t *testing.T) {
	e := newEnv(t, Config{})
	th := NewAddressThrottle(e.pool, map[string]ThrottleRule{"block": {Max: 10, Window: time.Hour}})
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		ok, thr  int
		start    = make(chan struct{})
		otherErr error
	)
	for range 25 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			err := th.Hit(context.Background(), "block", "192.0.2.50")
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case errors.Is(err, ErrThrottled):
				thr++
			default:
				otherErr = err
			}
		}()
	}
	close(start)
	wg.Wait()
	if otherErr != nil {
		t.Fatal(otherErr)
	}
	if ok != 10 || thr != 15 {
		t.Errorf("%d allowed and %d throttled, want 10 and 15", ok, thr)
	}
	n, err := th.Prune(context.Background())
	if err != nil || n != 0 {
		t.Errorf("Prune = %d, %v; nothing is old yet", n, err)
	}
}
