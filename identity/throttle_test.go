package identity

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"mitidportal/fault"
)

func TestThrottleKey(t *testing.T) {
	t.Parallel()
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
		{"mitid:7", "login:?mitid:7"},
		{"mail:ab12", "login:?mail:ab12"},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			if got := ThrottleKey(ThrottleLogin, tt.addr); got != tt.want {
				t.Errorf("ThrottleKey(%q) = %q, want %q", tt.addr, got, tt.want)
			}
		})
	}
}

// TestAddressThrottleWindow checks the bound, the window, refunds and that a purpose without a
// rule is an error.
func TestAddressThrottleWindow(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	ctx := context.Background()
	th := NewAddressThrottle(e.pool, map[string]ThrottleRule{"login": {Max: 3, Window: 10 * time.Minute}})
	th.clock = e.clock.Now
	addr := "192.0.2.9"
	take := func(want time.Duration) {
		t.Helper()
		err := th.Take(ctx, "login", addr)
		var te *fault.Error
		switch {
		case want == 0 && err != nil:
			t.Fatalf("Take = %v, want nil", err)
		case want != 0 && (!throttledAs(err, &te) || te.RetryAfter != want):
			t.Fatalf("Take = %v, want throttled for %s", err, want)
		}
	}
	take(0) // t=0: the window starts
	e.clock.Add(4 * time.Minute)
	take(0)
	take(0)
	take(6 * time.Minute) // the fourth in the window
	if err := th.Take(ctx, "login", "192.0.2.10"); err != nil {
		t.Errorf("another address: %v", err)
	}
	if err := th.Take(ctx, "block", addr); err == nil || errors.Is(err, ErrThrottled) {
		t.Errorf("a purpose without a rule: %v", err)
	}
	// A success gives one attempt back, even after refused ones.
	if err := th.Refund(ctx, "login", addr); err != nil {
		t.Fatal(err)
	}
	take(0)
	take(6 * time.Minute)
	e.clock.Add(6 * time.Minute) // t=10: the window ends, a new one starts
	take(0)
	e.clock.Add(25 * time.Minute)
	if n, err := th.Prune(ctx); err != nil || n != 2 {
		t.Errorf("Prune = %d, %v; want both counters (two windows old) deleted", n, err)
	}
}

// TestAddressThrottleTakeParallel: parallel attempts cannot pass the bound together.
func TestAddressThrottleTakeParallel(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	th := NewAddressThrottle(e.pool, map[string]ThrottleRule{"block": {Max: 10, Window: time.Hour}})
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		ok, thr  int
		start    = make(chan struct{})
		otherErr error
	)
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			err := th.Take(context.Background(), "block", "192.0.2.50")
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
	if ok != 10 || thr != 90 {
		t.Errorf("%d allowed and %d throttled, want 10 and 90", ok, thr)
	}
}
