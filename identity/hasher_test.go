package identity

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// TestHasherBound runs more verifications at once than a hasher of N slots admits: never more
// than N compute together, and those that find no admission within the wait get ErrBusy
// instead of queueing.
func TestHasherBound(t *testing.T) {
	const n, k = 2, AdmitFactor*2 + 6
	h := NewHasher(HasherConfig{Params: ArgonParams{MemoryKiB: 8 * 1024, Time: 2, Threads: 1},
		MaxConcurrent: n, Wait: time.Millisecond})
	hash, err := h.Hash(context.Background(), "secret")
	if err != nil {
		t.Fatal(err)
	}
	t.Run("a full hasher answers busy", func(t *testing.T) {
		for range cap(h.admit) {
			h.admit <- struct{}{}
		}
		_, err := h.Verify(context.Background(), hash, "secret")
		for range cap(h.admit) {
			<-h.admit
		}
		if !errors.Is(err, ErrBusy) {
			t.Fatalf("Verify with every admission taken = %v, want ErrBusy", err)
		}
		if ok, err := h.Verify(context.Background(), hash, "secret"); !ok || err != nil {
			t.Fatalf("Verify with free slots = %v, %v", ok, err)
		}
	})
	t.Run("parallel", func(t *testing.T) {
		h.peak.Store(0)
		var (
			wg        sync.WaitGroup
			mu        sync.Mutex
			ok, busy  int
			start     = make(chan struct{})
			unexpectd error
		)
		for range n + k {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				match, err := h.Verify(context.Background(), hash, "secret")
				mu.Lock()
				defer mu.Unlock()
				switch {
				case errors.Is(err, ErrBusy):
					busy++
				case err == nil && match:
					ok++
				default:
					unexpectd = err
				}
			}()
		}
		close(start)
		wg.Wait()
		if unexpectd != nil {
			t.Fatal(unexpectd)
		}
		if p := h.peak.Load(); p > n {
			t.Errorf("%d verifications ran at once, bound %d", p, n)
		}
		if ok < 1 || busy < 1 || ok+busy != n+k {
			t.Errorf("%d verified and %d busy of %d; want some of each", ok, busy, n+k)
		}
	})
}

func TestDefaultMaxConcurrent(t *testing.T) {
	t.Parallel()
	if got := DefaultMaxConcurrent(ArgonParams{MemoryKiB: 64 * 1024}); got < 1 || got > 4 {
		t.Errorf("64 MiB each: %d at once, want what fits in 256 MiB (at most 4)", got)
	}
	if got := DefaultMaxConcurrent(DefaultArgonParams); got < 1 {
		t.Errorf("default: %d", got)
	}
}
