package identity

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/text/unicode/norm"
)

// Limits bound consecutive failed logins of one account name. The zero value of a field takes
// its default. Nothing locks for ever: NIST SP 800-63B allows at most 100 consecutive failures
// before a lock and asks for rate limiting before that.
type Limits struct {
	// FreeFailures consecutive failures are allowed without waiting (default 5).
	FreeFailures int
	// BaseDelay is the wait after the first failure beyond the free ones; it doubles with every
	// further failure up to MaxDelay (defaults 30 s and 15 min).
	BaseDelay time.Duration
	MaxDelay  time.Duration
	// LockAfter consecutive failures lock the name for LockFor, and so does every further
	// failure until a success (defaults 20 and 1 hour; LockAfter is at most 100).
	LockAfter int
	LockFor   time.Duration
}

func (l Limits) withDefaults() Limits {
	if l.FreeFailures <= 0 {
		l.FreeFailures = 5
	}
	if l.BaseDelay <= 0 {
		l.BaseDelay = 30 * time.Second
	}
	if l.MaxDelay <= 0 {
		l.MaxDelay = 15 * time.Minute
	}
	if l.LockAfter <= 0 {
		l.LockAfter = 20
	}
	l.LockAfter = min(l.LockAfter, 100)
	if l.LockFor <= 0 {
		l.LockFor = time.Hour
	}
	return l
}

// Wait is how long the next attempt waits after the failed-th consecutive failure.
func (l Limits) Wait(failed int) time.Duration {
	l = l.withDefaults()
	switch {
	case failed >= l.LockAfter:
		return l.LockFor
	case failed <= l.FreeFailures:
		return 0
	}
	d := l.BaseDelay
	for range failed - l.FreeFailures - 1 {
		d *= 2
		if d >= l.MaxDelay {
			return l.MaxDelay
		}
	}
	return min(d, l.MaxDelay)
}

// Message IDs of the answer to a name that must wait: it tells the way that works meanwhile
// and is the same whether the name exists or not, and whatever means the account has.
const (
	MsgCitizenLocked = "identity.err.login_locked"
	MsgStaffLocked   = "staff.err.login_locked"
)

// Lockouts counts consecutive failed logins per account name in login_failure, for names that
// exist and names that do not alike, so that no answer at any count tells which names are real.
type Lockouts struct {
	pool   *pgxpool.Pool
	limits Limits
	clock  func() time.Time
}

// NewLockouts returns Lockouts with limits; a nil clock is time.Now.
func NewLockouts(pool *pgxpool.Pool, limits Limits, clock func() time.Time) *Lockouts {
	if clock == nil {
		clock = time.Now
	}
	return &Lockouts{pool: pool, limits: limits.withDefaults(), clock: clock}
}

// CitizenKey is the counter of a citizen username as typed: trimmed, NFC, lower-cased, hashed.
func CitizenKey(username string) []byte { return lockKey("citizen:" + normUsername(username)) }

// StaffKey is the counter of a staff e-mail address as typed.
func StaffKey(email string) []byte { return lockKey("staff:" + strings.TrimSpace(email)) }

func lockKey(s string) []byte {
	h := sha256.Sum256([]byte(strings.ToLower(norm.NFC.String(s))))
	return h[:]
}

// waitSQL is Wait in SQL for the failure count n, from now ($2); NULL for no wait.
func waitSQL(n string) string {
	return `CASE WHEN ` + n + ` >= $6::int THEN $2::timestamptz + make_interval(secs => $7::float8)
		WHEN ` + n + ` > $3::int THEN $2::timestamptz + make_interval(secs =>
			least($4::float8 * power(2, least(` + n + ` - $3::int - 1, 40)), $5::float8))
		END`
}

// Attempt counts an attempt on key before the secret is verified, so that parallel attempts
// cannot outrun the count: the attempt's own wait is written with it, and a success removes it
// (Succeeded). An attempt while the key waits counts nothing and is ErrThrottled (a variant) with
// msgID.
func (l *Lockouts) Attempt(ctx context.Context, key []byte, msgID string) error {
	_, err := l.AttemptLocking(ctx, key, msgID)
	return err
}

// AttemptLocking is Attempt that also reports whether this attempt's failure, if it fails,
// starts the lock (the LockAfter-th failure in a row): exactly one attempt reports it, however
// many arrive at once, so the lock is recorded once.
func (l *Lockouts) AttemptLocking(ctx context.Context, key []byte, msgID string) (locks bool, err error) {
	now := l.clock()
	var n int
	err = l.pool.QueryRow(ctx, `
		INSERT INTO login_failure AS f (key, failed, locked_until, last_failed_at)
		VALUES ($1, 1, `+waitSQL("1")+`, $2::timestamptz)
		ON CONFLICT (key) DO UPDATE SET failed = f.failed + 1, locked_until = `+waitSQL("f.failed + 1")+`,
			last_failed_at = $2
		WHERE f.locked_until IS NULL OR f.locked_until <= $2
		RETURNING failed`,
		key, now, l.limits.FreeFailures, l.limits.BaseDelay.Seconds(), l.limits.MaxDelay.Seconds(),
		l.limits.LockAfter, l.limits.LockFor.Seconds()).Scan(&n)
	if err == nil {
		return n == l.limits.LockAfter, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return false, fmt.Errorf("count login attempt: %w", err)
	}
	until, err := l.LockedUntil(ctx, key)
	if err != nil {
		return false, err
	}
	if until == nil { // the wait ended between the two statements
		return false, ErrThrottled.Variant(msgID).After(time.Second)
	}
	return false, ErrThrottled.Variant(msgID).After(until.Sub(now))
}

// LockAfter is the number of failures in a row that starts a lock.
func (l *Lockouts) LockAfter() int { return l.limits.LockAfter }

// LockedUntil is when the key's wait ends, or nil when it does not wait.
func (l *Lockouts) LockedUntil(ctx context.Context, key []byte) (*time.Time, error) {
	var until *time.Time
	err := l.pool.QueryRow(ctx, `SELECT locked_until FROM login_failure WHERE key = $1 AND locked_until > $2`,
		key, l.clock()).Scan(&until)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("login lock: %w", err)
	}
	return until, nil
}

// Failures is the key's count of consecutive failures (attempts not yet followed by a success).
func (l *Lockouts) Failures(ctx context.Context, key []byte) (int, error) {
	var n int
	err := l.pool.QueryRow(ctx, `SELECT failed FROM login_failure WHERE key = $1`, key).Scan(&n)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("login failures: %w", err)
	}
	return n, nil
}

// Succeeded clears the key's count after a successful login, in q (the login's transaction).
// It also unlocks: `portal staff unlock` and an admin's enable use it with an audit entry.
func (l *Lockouts) Succeeded(ctx context.Context, q Querier, key []byte) (bool, error) {
	tag, err := q.Exec(ctx, `DELETE FROM login_failure WHERE key = $1`, key)
	if err != nil {
		return false, fmt.Errorf("reset login failures: %w", err)
	}
	return tag.RowsAffected() > 0, nil
}

// Prune deletes the counts of names that failed last a day ago or longer and do not wait now,
// for the periodic clean-up; it returns how many it deleted.
func (l *Lockouts) Prune(ctx context.Context) (int64, error) {
	now := l.clock()
	tag, err := l.pool.Exec(ctx, `DELETE FROM login_failure
		WHERE last_failed_at <= $1 AND (locked_until IS NULL OR locked_until <= $2)`, now.Add(-24*time.Hour), now)
	if err != nil {
		return 0, fmt.Errorf("prune login failures: %w", err)
	}
	return tag.RowsAffected(), nil
}
