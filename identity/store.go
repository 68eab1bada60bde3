// Package identity is the MitID domain (DESIGN.md §3): the register of persons, MitIDs and
// their means (password, app, code display, audio code reader, chip), the hardware token
// inventory with its TOTP codes, activation codes, failure counting and throttling, blocks and
// the citizen's activity log. It owns the rules and the SQL; it knows nothing of HTTP, sessions
// or templates, and its errors carry message IDs that handlers translate.
//
// Store is the MitID aggregate (accounts, means, blocks, activity). Persons is the local CPR
// register, Tokens the hardware token inventory, Activations the one-time activation codes and
// AddressThrottle the per-client-address throttle, Lockouts the per-username failure counts
// and Hasher the bounded argon2id computations. Each takes the pool in its constructor.
package identity

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Actors that are not staff; staff actions carry StaffActor(id).
const (
	ActorCitizen = "citizen"
	ActorSystem  = "system"
	// ActorPublic is whoever used the public block page: not logged in, so not known.
	ActorPublic = "public"
)

// StaffActor names a staff member as the actor of a change.
func StaffActor(staffID int64) string { return "staff:" + strconv.FormatInt(staffID, 10) }

// Config holds what a Store needs besides the pool.
type Config struct {
	// Limits bound the consecutive failed logins of a username (Lockouts).
	Limits Limits
	// OnActivity, when set, runs in the same transaction as every activity the Store records
	// (every change of a MitID and every login), so that the wiring can write the notification
	// mail to the outbox atomically with the change it reports (DESIGN.md §7). An error rolls
	// the change back.
	OnActivity func(ctx context.Context, tx pgx.Tx, a Activity) error
	// Throttle counts failures per client address (login, public block, token activation);
	// nil gives one with DefaultThrottleRules on the same pool.
	Throttle *AddressThrottle
	// Hasher computes argon2id hashes behind a concurrency bound; nil gives one with the
	// defaults. Tests pass cheap parameters.
	Hasher *Hasher
	// EndSessions, when set, ends the web sessions of a MitID (all but keep, when keep is not
	// empty) in tx: the Store calls it in the transaction of a block and of a password change, so
	// that the change and the end of the sessions are one, on every instance at once.
	EndSessions func(ctx context.Context, tx pgx.Tx, mitidID int64, keep string) error
	// Now is the clock; nil is time.Now. Tests move it to cross back-off delays and TOTP steps.
	Now func() time.Time
	// NemIDExtensionDays is how many days the one extension of a NemID deadline adds (nemid.go);
	// 0 is DefaultNemIDExtensionDays.
	NemIDExtensionDays int
}

// Store keeps MitIDs and their means. Its public methods each run in one transaction.
type Store struct {
	pool       *pgxpool.Pool
	tokens     *Tokens
	lockouts   *Lockouts
	hasher     *Hasher
	onActivity func(ctx context.Context, tx pgx.Tx, a Activity) error
	endSess    func(ctx context.Context, tx pgx.Tx, mitidID int64, keep string) error
	throttle   *AddressThrottle
	clock      func() time.Time
	// nemidExtension is Config.NemIDExtensionDays with its default.
	nemidExtension int
}

// NewStore returns a Store on pool; tokens verifies the codes of code displays and audio code
// readers.
func NewStore(pool *pgxpool.Pool, tokens *Tokens, cfg Config) *Store {
	s := &Store{pool: pool, tokens: tokens, onActivity: cfg.OnActivity, endSess: cfg.EndSessions,
		throttle: cfg.Throttle, hasher: cfg.Hasher, clock: cfg.Now}
	if s.clock == nil {
		s.clock = time.Now
	}
	if s.nemidExtension = cfg.NemIDExtensionDays; s.nemidExtension <= 0 {
		s.nemidExtension = DefaultNemIDExtensionDays
	}
	if s.hasher == nil {
		s.hasher = NewHasher(HasherConfig{})
	}
	s.lockouts = NewLockouts(pool, cfg.Limits, s.clock)
	if s.throttle == nil {
		s.throttle = NewAddressThrottle(pool, DefaultThrottleRules)
		s.throttle.clock = s.clock
	}
	return s
}

// endSessions ends the MitID's web sessions but keep through Config.EndSessions, if set.
func (s *Store) endSessions(ctx context.Context, tx pgx.Tx, mitidID int64, keep string) error {
	if s.endSess == nil {
		return nil
	}
	return s.endSess(ctx, tx, mitidID, keep)
}

// now is the Store's clock, truncated to what PostgreSQL keeps, so that a time written and read
// back compares equal.
func (s *Store) now() time.Time { return s.clock().Truncate(time.Microsecond) }

// TxFunc is the caller's own work to do in the same transaction as a change of this package,
// such as ending the MitID's web sessions after a block or writing to the outbox. An error
// rolls the whole change back. A nil TxFunc does nothing.
type TxFunc func(tx pgx.Tx) error

func (f TxFunc) run(tx pgx.Tx) error {
	if f == nil {
		return nil
	}
	return f(tx)
}

// lockMitID takes the MitID's row lock for the rest of tx, so that changes of one MitID's means
// happen one after the other (two parallel removals cannot both pass the last-means rule), and
// returns its status.
func lockMitID(ctx context.Context, tx pgx.Tx, mitidID int64) (Status, error) {
	var st Status
	err := tx.QueryRow(ctx, `SELECT status FROM mitid WHERE id = $1 FOR UPDATE`, mitidID).Scan(&st)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("lock mitid: %w", err)
	}
	return st, nil
}

// lockActiveMitID is lockMitID for changes that only an active MitID may make.
func lockActiveMitID(ctx context.Context, tx pgx.Tx, mitidID int64) error {
	st, err := lockMitID(ctx, tx, mitidID)
	if err != nil {
		return err
	}
	return st.usable()
}
