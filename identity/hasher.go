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

// Hasher computes argon2id hashes of passwords and activation codes behind two bounds, so that
// a burst of logins neither takes memory without bound nor queues without end:
//
//   - computation slots (MaxConcurrent, sized to memory): at most that many argon2id
//     computations run at once, each holding its slot only while it computes;
//   - admissions (AdmitFactor × MaxConcurrent): the password steps in progress, each of which
//     reads and counts in the database before it computes. A step that gets no admission
//     within the wait is answered ErrBusy before anything is counted; an admitted one is sure
//     to compute soon, since at most the admitted steps queue for the slots.
//
// A slot is never held while a step waits for the database: under a burst, the pool's queue is
// long, and a slot held across it would leave the cores idle while every other login times
// out. Nothing here runs inside a transaction that holds row locks: callers hash first and
// lock afterwards.
type Hasher struct {
	params ArgonParams
	sem    chan struct{}
	admit  chan struct{}
	wait   time.Duration
	dummy  func() string
	// running and peak count computations, for the tests of the bound.
	running, peak atomic.Int64
}

// AdmitFactor is how many password steps may be in progress per computation slot: enough to
// keep the slots busy while the others read and count in the database, few enough that an
// admitted step waits only a few computations for its slot.
const AdmitFactor = 4

// admittedWait bounds how long an admitted step waits for a computation slot; it is reached
// only when the machine is far slower than the bound assumes (ErrBusy then, after counting).
const admittedWait = 10 * time.Second

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
	h := &Hasher{params: p, sem: make(chan struct{}, n), admit: make(chan struct{}, AdmitFactor*n), wait: wait}
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

// Peak is the most computations that ran at once since the Hasher was made or ResetPeak: what
// a burst test compares with MaxConcurrent.
func (h *Hasher) Peak() int { return int(h.peak.Load()) }

// ResetPeak starts a new Peak from the computations running now.
func (h *Hasher) ResetPeak() { h.peak.Store(h.running.Load()) }

// Admit admits one password step (waiting at most the configured wait, ErrBusy after that);
// the caller calls release when the step is done. A login takes one around its whole password
// step, so that a busy answer comes before anything is counted on the account, and verifies
// inside it with VerifyAdmitted. Hash and Verify take their own.
func (h *Hasher) Admit(ctx context.Context) (release func(), err error) {
	if err := take(ctx, h.admit, h.wait); err != nil {
		return nil, err
	}
	return func() { <-h.admit }, nil
}

// take puts a token into sem, waiting at most wait (ErrBusy) or until ctx ends.
func take(ctx context.Context, sem chan struct{}, wait time.Duration) error {
	select {
	case sem <- struct{}{}:
		return nil
	default:
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case sem <- struct{}{}:
		return nil
	case <-t.C:
		return ErrBusy
	case <-ctx.Done():
		return ctx.Err()
	}
}

// compute runs f in a computation slot.
func (h *Hasher) compute(ctx context.Context, f func()) error {
	if err := take(ctx, h.sem, admittedWait); err != nil {
		return err
	}
	n := h.running.Add(1)
	for {
		p := h.peak.Load()
		if n <= p || h.peak.CompareAndSwap(p, n) {
			break
		}
	}
	defer func() { h.running.Add(-1); <-h.sem }()
	f()
	return nil
}

// VerifyAdmitted is Verify for a step that holds an admission (Admit).
func (h *Hasher) VerifyAdmitted(ctx context.Context, encoded, secret string) (ok bool, err error) {
	if cerr := h.compute(ctx, func() { ok, err = VerifyPassword(encoded, secret) }); cerr != nil {
		return false, cerr
	}
	return ok, err
}

// Hash returns the argon2id hash of secret as a PHC string.
func (h *Hasher) Hash(ctx context.Context, secret string) (s string, err error) {
	release, err := h.Admit(ctx)
	if err != nil {
		return "", err
	}
	defer release()
	if cerr := h.compute(ctx, func() { s, err = hashWith(h.params, secret) }); cerr != nil {
		return "", cerr
	}
	return s, err
}

// Verify reports whether secret matches encoded (a hash of any parameters), in constant time.
func (h *Hasher) Verify(ctx context.Context, encoded, secret string) (bool, error) {
	release, err := h.Admit(ctx)
	if err != nil {
		return false, err
	}
	defer release()
	return h.VerifyAdmitted(ctx, encoded, secret)
}

// DummyHash is a hash of this Hasher's parameters that no secret matches, for steps that verify
// (VerifyAdmitted) when there is no account, so that they take as long.
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
