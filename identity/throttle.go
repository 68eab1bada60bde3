package identity

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"time"

	"mitidportal/fault"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Throttle purposes: each counts on its own keys, so that one purpose used up from an address
// (ten contact forms from an office) leaves the others usable there (MitID creation).
const (
	ThrottleLogin      = "login"       // citizen logins: code, chip and app share one bound
	ThrottleStaffLogin = "staff-login" // staff logins
	ThrottleBlock      = "block"       // every use of the public block page, hit or miss
	ThrottleActivation = "activation"  // activating a token or pairing an app
	ThrottleCreate     = "create"      // matching a person to start creating a MitID
	ThrottleContact    = "contact"     // the contact form, anonymous and logged in
)

// ThrottleRule allows at most Max attempts in a window of Window that starts with the first
// attempt after the previous window ended.
type ThrottleRule struct {
	Max    int
	Window time.Duration
}

// DefaultThrottleRules are the bounds per client address. Login allows more than one person's
// typos because many people share an address behind a NAT, and a successful login gives its
// attempt back; the per-account counters (Lockouts) are the real protection of an account.
var DefaultThrottleRules = map[string]ThrottleRule{
	ThrottleLogin:      {Max: 30, Window: 15 * time.Minute},
	ThrottleStaffLogin: {Max: 30, Window: 15 * time.Minute},
	ThrottleBlock:      {Max: 10, Window: time.Hour},
	ThrottleActivation: {Max: 10, Window: time.Hour},
	ThrottleCreate:     {Max: 10, Window: time.Hour},
	ThrottleContact:    {Max: 10, Window: time.Hour},
}

// Querier is what both a pool and a transaction offer.
type Querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// AddressThrottle counts attempts per purpose and key (a client address, or another key such
// as a MitID) in the throttle_counter table, so that every instance of the portal sees the same
// counts. The check and the count are one statement on one row: parallel attempts queue on the
// row lock and exactly the bound get through.
type AddressThrottle struct {
	pool  *pgxpool.Pool
	rules map[string]ThrottleRule
	clock func() time.Time
}

// NewAddressThrottle returns a throttle with rules per purpose; a purpose without a rule is a
// programming error reported by every method.
func NewAddressThrottle(pool *pgxpool.Pool, rules map[string]ThrottleRule) *AddressThrottle {
	return &AddressThrottle{pool: pool, rules: rules, clock: time.Now}
}

// ThrottleKey is the counter a client address counts on for purpose: an IPv4 address by
// itself, an IPv6 address by its /64 (one subscriber usually holds a whole /64, so counting
// single addresses would let them rotate freely). A port is ignored; a value that is no IP
// address (a caller's own key, such as "mail:HASH") counts as it is.
func ThrottleKey(purpose, addr string) string {
	addr = strings.TrimSpace(addr)
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		// An address with a port; a key of the caller's own ("mitid:7") is no host and port.
		if host, _, serr := net.SplitHostPort(addr); serr == nil {
			ip, err = netip.ParseAddr(host)
		}
	}
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

// Take counts an attempt of addr for purpose before the work it guards and returns a
// throttled refusal (ErrThrottled with its wait) when the attempt is over the bound. Call it first, before any slow work: the
// bound then holds however many attempts run in parallel.
func (t *AddressThrottle) Take(ctx context.Context, purpose, addr string) error {
	return t.take(ctx, t.pool, purpose, ThrottleKey(purpose, addr))
}

// Count counts an attempt of addr for purpose that turned out bad after the fact (a refused
// security key, a forged finish of a login). It refuses nothing: the next Take does.
func (t *AddressThrottle) Count(ctx context.Context, purpose, addr string) error {
	return t.countIn(ctx, t.pool, purpose, addr)
}

// countIn is Count in q, the transaction of the refusal it belongs to.
func (t *AddressThrottle) countIn(ctx context.Context, q Querier, purpose, addr string) error {
	err := t.take(ctx, q, purpose, ThrottleKey(purpose, addr))
	if _, ok := fault.OfKind(err, fault.Throttled); ok {
		return nil
	}
	return err
}

// Refund gives back one attempt of addr for purpose in the current window, after a success: a
// refused attempt above the bound is not given back, so a success over the bound lets exactly
// one more attempt in.
func (t *AddressThrottle) Refund(ctx context.Context, purpose, addr string) error {
	return t.refund(ctx, purpose, ThrottleKey(purpose, addr))
}

func (t *AddressThrottle) take(ctx context.Context, q Querier, purpose, key string) error {
	r, err := t.rule(purpose)
	if err != nil {
		return err
	}
	now := t.clock()
	var (
		start time.Time
		count int
	)
	// One statement: the row lock of ON CONFLICT orders parallel attempts, and each sees the
	// count the ones before it produced. A window that has ended starts again at this attempt.
	err = q.QueryRow(ctx, `
		INSERT INTO throttle_counter AS c (key, window_start, count) VALUES ($1, $2, 1)
		ON CONFLICT (key) DO UPDATE SET
			window_start = CASE WHEN c.window_start <= $3 THEN $2 ELSE c.window_start END,
			count = CASE WHEN c.window_start <= $3 THEN 1 ELSE c.count + 1 END
		RETURNING window_start, count`, key, now, now.Add(-r.Window)).Scan(&start, &count)
	if err != nil {
		return fmt.Errorf("throttle %s: %w", purpose, err)
	}
	if count > r.Max {
		return throttled(start.Add(r.Window).Sub(now))
	}
	return nil
}

func (t *AddressThrottle) refund(ctx context.Context, purpose, key string) error {
	r, err := t.rule(purpose)
	if err != nil {
		return err
	}
	_, err = t.pool.Exec(ctx, `
		UPDATE throttle_counter SET count = least(count, $2) - 1
		WHERE key = $1 AND count > 0 AND window_start > $3`, key, r.Max, t.clock().Add(-r.Window))
	if err != nil {
		return fmt.Errorf("throttle refund %s: %w", purpose, err)
	}
	return nil
}

func (t *AddressThrottle) rule(purpose string) (ThrottleRule, error) {
	r, ok := t.rules[purpose]
	if !ok || r.Max <= 0 || r.Window <= 0 {
		return ThrottleRule{}, fmt.Errorf("throttle: no rule for purpose %q", purpose)
	}
	return r, nil
}

// Prune deletes counters whose window ended longer than the longest window ago, for a periodic
// job; it returns how many it deleted.
func (t *AddressThrottle) Prune(ctx context.Context) (int64, error) {
	var longest time.Duration
	for _, r := range t.rules {
		longest = max(longest, r.Window)
	}
	tag, err := t.pool.Exec(ctx, `DELETE FROM throttle_counter WHERE window_start <= $1`, t.clock().Add(-2*longest))
	if err != nil {
		return 0, fmt.Errorf("throttle prune: %w", err)
	}
	return tag.RowsAffected(), nil
}
