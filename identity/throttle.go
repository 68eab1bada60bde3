package identity

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"mitidportal/db"
)

// Throttle purposes: each counts its own failures.
const (
	ThrottleLogin      = "login"      // wrong username, password or code
	ThrottleBlock      = "block"      // every use of the public block page, hit or miss
	ThrottleActivation = "activation" // wrong serial or code when activating a token
)

// ThrottleRule allows at most Max failures in any Window (a sliding window: each failure
// counts for Window after it happened).
type ThrottleRule struct {
	Max    int
	Window time.Duration
}

// DefaultThrottleRules are the bounds per client address. Login allows more than one person's
// typos because many people share an address behind a NAT; the per-MitID counters are the
// real protection of an account.
var DefaultThrottleRules = map[string]ThrottleRule{
	ThrottleLogin:      {Max: 30, Window: 15 * time.Minute},
	ThrottleBlock:      {Max: 10, Window: time.Hour},
	ThrottleActivation: {Max: 10, Window: time.Hour},
}

// Querier is what both a pool and a transaction offer; the throttle works on either, so a
// failure can be written in the transaction of the attempt it belongs to.
type Querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// AddressThrottle counts failures per purpose and client address in the address_throttle table,
// so that every instance of the portal sees the same counts.
type AddressThrottle struct {
	pool  *pgxpool.Pool
	rules map[string]ThrottleRule
	clock func() time.Time
}

// NewAddressThrottle returns a throttle with rules per purpose; a purpose without a rule is a
// programming error reported by Check and Fail.
func NewAddressThrottle(pool *pgxpool.Pool, rules map[string]ThrottleRule) *AddressThrottle {
	return &AddressThrottle{pool: pool, rules: rules, clock: time.Now}
}

// ThrottleKey is the counter a client address counts on for purpose: an IPv4 address by
// itself, an IPv6 address by its /64 (one subscriber usually holds a whole /64, so counting
// single addresses would let them rotate freely). A port is ignored; a value that is no IP
// address counts as it is.
func ThrottleKey(purpose, addr string) string {
	addr = strings.TrimSpace(addr)
	if host, _, err := net.SplitHostPort(addr); err == nil {
		addr = host
	}
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		if len(addr) > 100 {
			addr = addr[:100]
		}
		return purpose + ":?" + addr
	}
	ip = ip.Unmap().WithZone("")
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return purpose + ":" + p.String()
	}
	return purpose + ":" + ip.String()
}

// Check returns a *ThrottledError when addr has used up its failures for purpose. It writes
// nothing.
func (t *AddressThrottle) Check(ctx context.Context, q Querier, purpose, addr string) error {
	return t.checkKey(ctx, q, purpose, ThrottleKey(purpose, addr))
}

// Fail counts one failure of addr for purpose.
func (t *AddressThrottle) Fail(ctx context.Context, q Querier, purpose, addr string) error {
	return t.failKey(ctx, q, purpose, ThrottleKey(purpose, addr))
}

// Hit counts an attempt of addr for purpose and returns a *ThrottledError, without counting,
// when the bound was already reached. Check and count happen under a lock on the counter, so
// parallel attempts cannot get past the bound together. It is for purposes where every attempt
// counts, hit or miss.
func (t *AddressThrottle) Hit(ctx context.Context, purpose, addr string) error {
	return t.hitKey(ctx, purpose, ThrottleKey(purpose, addr))
}

func (t *AddressThrottle) hitKey(ctx context.Context, purpose, key string) error {
	return db.Transact(ctx, t.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, key); err != nil {
			return fmt.Errorf("throttle lock: %w", err)
		}
		if err := t.checkKey(ctx, tx, purpose, key); err != nil {
			return err
		}
		return t.failKey(ctx, tx, purpose, key)
	})
}

func (t *AddressThrottle) rule(purpose string) (ThrottleRule, error) {
	r, ok := t.rules[purpose]
	if !ok || r.Max <= 0 || r.Window <= 0 {
		return ThrottleRule{}, fmt.Errorf("throttle: no rule for purpose %q", purpose)
	}
	return r, nil
}

func (t *AddressThrottle) checkKey(ctx context.Context, q Querier, purpose, key string) error {
	r, err := t.rule(purpose)
	if err != nil {
		return err
	}
	now := t.clock()
	// The Max-th newest failure in the window: while it is inside, the bound is reached, and
	// when it leaves the window one more attempt is allowed.
	var at time.Time
	err = q.QueryRow(ctx, `
		SELECT at FROM address_throttle WHERE key = $1 AND at > $2
		ORDER BY at DESC OFFSET $3 LIMIT 1`, key, now.Add(-r.Window), r.Max-1).Scan(&at)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("throttle check: %w", err)
	}
	return throttled(at.Add(r.Window).Sub(now))
}

func (t *AddressThrottle) failKey(ctx context.Context, q Querier, purpose, key string) error {
	r, err := t.rule(purpose)
	if err != nil {
		return err
	}
	now := t.clock()
	// Failures that left the window are dropped as the key is used again; Prune clears keys
	// that never come back.
	if _, err := q.Exec(ctx, `DELETE FROM address_throttle WHERE key = $1 AND at <= $2`,
		key, now.Add(-r.Window)); err != nil {
		return fmt.Errorf("throttle prune: %w", err)
	}
	if _, err := q.Exec(ctx, `INSERT INTO address_throttle (key, at) VALUES ($1, $2)`, key, now); err != nil {
		return fmt.Errorf("throttle fail: %w", err)
	}
	return nil
}

// Prune deletes failures older than the longest window, for a periodic job; it returns how
// many it deleted.
func (t *AddressThrottle) Prune(ctx context.Context) (int64, error) {
	var longest time.Duration
	for _, r := range t.rules {
		longest = max(longest, r.Window)
	}
	tag, err := t.pool.Exec(ctx, `DELETE FROM address_throttle WHERE at <= $1`, t.clock().Add(-longest))
	if err != nil {
		return 0, fmt.Errorf("throttle prune: %w", err)
	}
	return tag.RowsAffected(), nil
}
