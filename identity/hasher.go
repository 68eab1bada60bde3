package identity

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"mitidportal/fault"

	"golang.org/x/crypto/argon2"
)

// ArgonParams are the argon2id cost parameters of new hashes. A hash carries its parameters, so
// changing them never invalidates stored hashes.
type ArgonParams struct {
	MemoryKiB uint32
	Time      uint32
	Threads   uint8
}

// DefaultArgonParams is OWASP's first recommended set (19 MiB, 2 passes, 1 lane): about
// 30–60 ms of one core here.
var DefaultArgonParams = ArgonParams{MemoryKiB: 19 * 1024, Time: 2, Threads: 1}

// TestArgonParams are cheap parameters for tests only (64 KiB, 1 pass): a test verifies
// hundreds of passwords, and what it tests does not depend on the cost.
var TestArgonParams = ArgonParams{MemoryKiB: 64, Time: 1, Threads: 1}

// HashMemoryBudget is the memory the argon2id computations running at once may take together
// when HasherConfig.MaxConcurrent is not set: with the default parameters, 13 at a time.
const HashMemoryBudget = 256 << 20

// DefaultHashWait is how long a verification waits for a free slot before ErrBusy.
const DefaultHashWait = time.Second

// BusyRetryAfter is what a busy answer tells the client to wait before trying again.
const BusyRetryAfter = 2 * time.Second

// ErrBusy says that too many password checks are running and this one did not get a slot within
// the wait: the web layer answers 503 with Retry-After (BusyRetryAfter), never a queue without
// bound. It is no *Error: it says nothing about the person's input.
var ErrBusy = fault.New("identity", fault.Unavailable, "identity.err.busy").After(BusyRetryAfter)

// HasherConfig configures a Hasher. The zero value takes the defaults.
type HasherConfig struct {
	Params ArgonParams
	// MaxConcurrent bounds the argon2id computations running at once; 0 derives it from
	// HashMemoryBudget and the memory parameter (and at most four per CPU).
	MaxConcurrent int
	// Wait is how long a computation waits for a slot before ErrBusy (default DefaultHashWait).
	Wait time.Duration
}

// Hasher computes argon2id hashes of passwords and activation codes behind a semaphore, so
// that a burst of logins neither takes memory without bound nor queues without end. It never
// runs inside a transaction that holds row locks: callers hash first and lock afterwards.
type Hasher struct {
	params ArgonParams
	sem    chan struct{}
	wait   time.Duration
	dummy  func() string
	// running and peak count computations, for the tests of the bound.
	running, peak atomic.Int64
}

// NewHasher returns a Hasher with cfg.
func NewHasher(cfg HasherConfig) *Hasher {
	p := cfg.Params
	if p.MemoryKiB == 0 || p.Time == 0 || p.Threads == 0 {
		p = DefaultArgonParams
	}
	n := cfg.MaxConcurrent
	if n <= 0 {
		n = DefaultMaxConcurrent(p)
	}
	wait := cfg.Wait
	if wait <= 0 {
		wait = DefaultHashWait
	}
	h := &Hasher{params: p, sem: make(chan struct{}, n), wait: wait}
	h.dummy = sync.OnceValue(func() string {
		s, err := hashWith(p, "no such account: this hash is only ever compared against")
		if err != nil {
			panic(err)
		}
		return s
	})
	return h
}

// DefaultMaxConcurrent is the bound on parallel computations with parameters p: what fits in
// HashMemoryBudget, at least 1 and at most four per CPU (more only queue for a core).
func DefaultMaxConcurrent(p ArgonParams) int {
	n := int(HashMemoryBudget / (uint64(max(p.MemoryKiB, 1)) << 10))
	return min(max(n, 1), 4*runtime.GOMAXPROCS(0))
}

// MaxConcurrent is the Hasher's bound on parallel computations.
func (h *Hasher) MaxConcurrent() int { return cap(h.sem) }

// Acquire takes a slot for one computation, waiting at most the configured wait (ErrBusy after
// that); the caller calls release when done. Hash and Verify take their own; a login takes one
// around its whole password step, so that a busy answer comes before anything is counted on
// the account.
func (h *Hasher) Acquire(ctx context.Context) (release func(), err error) {
	return h.acquire(ctx)
}

func (h *Hasher) acquire(ctx context.Context) (func(), error) {
	select {
	case h.sem <- struct{}{}:
	default:
		t := time.NewTimer(h.wait)
		defer t.Stop()
		select {
		case h.sem <- struct{}{}:
		case <-t.C:
			return nil, ErrBusy
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	n := h.running.Add(1)
	for {
		p := h.peak.Load()
		if n <= p || h.peak.CompareAndSwap(p, n) {
			break
		}
	}
	return func() { h.running.Add(-1); <-h.sem }, nil
}

// Hash returns the argon2id hash of secret as a PHC string.
func (h *Hasher) Hash(ctx context.Context, secret string) (string, error) {
	release, err := h.acquire(ctx)
	if err != nil {
		return "", err
	}
	defer release()
	return hashWith(h.params, secret)
}

// Verify reports whether secret matches encoded (a hash of any parameters), in constant time.
func (h *Hasher) Verify(ctx context.Context, encoded, secret string) (bool, error) {
	release, err := h.acquire(ctx)
	if err != nil {
		return false, err
	}
	defer release()
	return VerifyPassword(encoded, secret)
}

// DummyHash is a hash of this Hasher's parameters that no secret matches, for callers that verify
// inside their own slot (Acquire) when there is no account.
func (h *Hasher) DummyHash() string { return h.dummy() }

func hashWith(p ArgonParams, secret string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password salt: %w", err)
	}
	key := argon2.IDKey([]byte(secret), salt, p.Time, p.MemoryKiB, p.Threads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.MemoryKiB,
		p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// constantTimeEqual compares two keys in constant time.
func constantTimeEqual(a, b []byte) bool { return subtle.ConstantTimeCompare(a, b) == 1 }
