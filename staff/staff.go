// Package staff holds the accounts of the people who work in the portal: support agents,
// supervisors, registration officers, campaign editors, auditors and admins (DESIGN.md §4): accounts and
// roles, one-time enrolment links, and the login with password plus security key (WebAuthn),
// with failed logins counted per account. It owns their rules and SQL; the WebAuthn ceremonies
// themselves and the sessions are the web layer's, so it knows nothing of HTTP.
package staff

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"mitidportal/audit"
	"mitidportal/db"
	"mitidportal/fault"
	"mitidportal/identity"
)

// Roles a staff account can hold.
// An auditor reads the whole audit log and nothing else (DESIGN.md §4).
var Roles = []string{"agent", "supervisor", "ra_officer", "fulfilment", "campaign_editor", "auditor", "admin"}

// EnrolmentLifetime is how long a new account's enrolment link works.
const EnrolmentLifetime = 72 * time.Hour

// Errors of this package; each carries the message ID a handler shows.
var (
	ErrEmailTaken   = fault.New("staff", fault.Conflict, "staff.err.email_taken")
	ErrInvalidEmail = fault.New("staff", fault.Invalid, "staff.err.invalid_email")
	ErrInvalidRole  = fault.New("staff", fault.Invalid, "staff.err.invalid_role")
	ErrNameRequired = fault.New("staff", fault.Invalid, "staff.err.name_required")
	ErrNotFound     = fault.New("staff", fault.NotFound, "staff.err.not_found")

	// ErrLoginFailed is every refused login: unknown address, wrong password, a key that was
	// refused, a locked, disabled or unenrolled account. One answer, so a login never tells
	// whether an address belongs to staff.
	ErrLoginFailed = fault.New("staff", fault.Invalid, "staff.err.login_failed")
	// ErrEnrolmentInvalid is an enrolment link that is unknown, used, expired or for a disabled
	// account.
	ErrEnrolmentInvalid = fault.New("staff", fault.Invalid, "staff.err.enrolment_invalid")
	// ErrKeyRegistered is a security key that is already registered to a staff account.
	ErrKeyRegistered = fault.New("staff", fault.Invalid, "staff.err.key_registered")
	// ErrOwnAdminRole and ErrDisableSelf keep an admin from locking themselves out.
	ErrOwnAdminRole = fault.New("staff", fault.Conflict, "staff.err.own_admin_role")
	ErrDisableSelf  = fault.New("staff", fault.Conflict, "staff.err.disable_self")
	// ErrLastAdmin refuses a change that would leave no enabled admin.
	ErrLastAdmin = fault.New("staff", fault.Conflict, "staff.err.last_admin")
)

// Error is a rule broken by the caller's input: the portal's one error type (package fault).
type Error = fault.Error

// User is a staff account.
type User struct {
	ID          int64
	Email       string
	Name        string
	Roles       []string
	CreatedAt   time.Time
	DisabledAt  *time.Time
	LockedAt    *time.Time // until then too many failed logins lock the address; `portal staff unlock` and Enable end it early
	LastLoginAt *time.Time
	Enrolled    bool // a password is set (it is set together with the first key)
	Keys        int  // registered security keys
}

// Account states, as Status reports them.
const (
	StatusActive   = "active"
	StatusPending  = "pending" // created, enrolment not completed
	StatusLocked   = "locked"
	StatusDisabled = "disabled"
)

// Status is the account's state; disabled outranks locked, which outranks pending.
func (u User) Status() string {
	switch {
	case u.DisabledAt != nil:
		return StatusDisabled
	case u.LockedAt != nil:
		return StatusLocked
	case !u.Enrolled:
		return StatusPending
	}
	return StatusActive
}

// HasRole reports whether the account holds role.
func (u User) HasRole(role string) bool { return slices.Contains(u.Roles, role) }

// Config holds what a Store needs besides the pool. The zero value takes the defaults.
type Config struct {
	// Hasher bounds the argon2id computations of logins (shared with the citizens' logins, so
	// that one bound covers the process); nil gives one with the defaults.
	Hasher *identity.Hasher
	// Limits bound consecutive failed logins of one e-mail address (timed, never for ever).
	Limits identity.Limits
	// Now is the clock of the lock-outs; nil is time.Now.
	Now func() time.Time
	// EndSessions, when set, ends every web session of an account in tx: a change of roles or
	// a disable and the end of the account's sessions commit together, on every instance.
	EndSessions func(ctx context.Context, tx pgx.Tx, staffID int64) error
}

// Store reads and writes staff accounts.
type Store struct {
	pool     *pgxpool.Pool
	audit    *audit.Log
	hasher   *identity.Hasher
	lockouts *identity.Lockouts
	endSess  func(ctx context.Context, tx pgx.Tx, staffID int64) error
}

// NewStore returns a Store on pool.
func NewStore(pool *pgxpool.Pool, cfg Config) *Store {
	h := cfg.Hasher
	if h == nil {
		h = identity.NewHasher(identity.HasherConfig{})
	}
	return &Store{pool: pool, audit: audit.NewLog(pool), hasher: h,
		lockouts: identity.NewLockouts(pool, cfg.Limits, cfg.Now), endSess: cfg.EndSessions}
}

// dummy is the hash verified against when nobody with the address can log in, so that the
// answer takes as long as for a wrong password.
func (s *Store) dummy() string { return s.hasher.DummyHash() }

// Create adds an account with roles and returns it with a one-time enrolment token, the only
// copy of which is returned here. The audit log names the system as its creator (the command
// line, the demo); an admin's page uses CreateBy.
func (s *Store) Create(ctx context.Context, email, name string, roles []string) (User, string, error) {
	return s.CreateBy(ctx, 0, email, name, roles)
}

// CreateBy is Create by admin by, who is named in the audit entry.
func (s *Store) CreateBy(ctx context.Context, by int64, email, name string, roles []string) (User, string, error) {
	addr, err := mail.ParseAddress(strings.TrimSpace(email))
	// ASCII only: the lock-out count of an address is keyed in Go (identity.StaffKey) and read
	// back in SQL (userColumns), and lower() agrees with strings.ToLower on ASCII under every
	// database locale. Staff addresses are the agency's own.
	if err != nil || addr.Name != "" || !isASCII(addr.Address) {
		return User{}, "", ErrInvalidEmail
	}
	name = strings.TrimSpace(name)
	if name == "" {
		return User{}, "", ErrNameRequired
	}
	roles, err = validRoles(roles)
	if err != nil {
		return User{}, "", err
	}
	u := User{Email: addr.Address, Name: name, Roles: roles}
	token := newToken()
	err = db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `
			INSERT INTO staff_user (email, name, roles) VALUES ($1, $2, $3)
			RETURNING id, created_at`, u.Email, u.Name, u.Roles).Scan(&u.ID, &u.CreatedAt)
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "23505" {
			return ErrEmailTaken
		}
		if err != nil {
			return fmt.Errorf("insert staff user: %w", err)
		}
		_, err = tx.Exec(ctx, `
			INSERT INTO staff_enrolment (token_hash, staff_id, expires_at) VALUES ($1, $2, now() + $3::interval)`,
			hashToken(token), u.ID, EnrolmentLifetime.String())
		if err != nil {
			return fmt.Errorf("insert enrolment: %w", err)
		}
		return s.record(ctx, tx, by, audit.ActionStaffCreated, u.ID, map[string]any{"roles": u.Roles})
	})
	if err != nil {
		return User{}, "", err
	}
	return u, token, nil
}

// ByEmail returns the account with email, whatever its case.
func (s *Store) ByEmail(ctx context.Context, email string) (User, error) {
	return userWhere(ctx, s.pool, `lower(u.email) = lower($1)`, strings.TrimSpace(email))
}

// ByID returns the account with id.
func (s *Store) ByID(ctx context.Context, id int64) (User, error) {
	return userWhere(ctx, s.pool, `u.id = $1`, id)
}

// List returns every account, by name.
func (s *Store) List(ctx context.Context) ([]User, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+userColumns+` FROM staff_user u ORDER BY lower(u.name), u.id`)
	if err != nil {
		return nil, fmt.Errorf("list staff: %w", err)
	}
	users, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (User, error) { return scanUser(row) })
	if err != nil {
		return nil, fmt.Errorf("list staff: %w", err)
	}
	return users, nil
}

// userColumns are the columns scanUser reads, from staff_user aliased u.
// LockedAt is read from the lock-out count of the address (identity.StaffKey in SQL: the
// SHA-256 of "staff:" and the lower-cased address, which is ASCII: see Create).
const userColumns = `u.id, u.email, u.name, u.roles, u.created_at, u.disabled_at,
	(SELECT f.locked_until FROM login_failure f WHERE f.key = sha256(convert_to(lower('staff:' || u.email), 'UTF8'))
		AND f.locked_until > now()), u.last_login_at,
	u.password_hash IS NOT NULL, (SELECT count(*) FROM staff_credential c WHERE c.staff_id = u.id)`

func scanUser(row pgx.Row) (User, error) {
	var u User
	err := row.Scan(&u.ID, &u.Email, &u.Name, &u.Roles, &u.CreatedAt, &u.DisabledAt, &u.LockedAt,
		&u.LastLoginAt, &u.Enrolled, &u.Keys)
	return u, err
}

// querier is what both a pool and a transaction offer.
type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

func userWhere(ctx context.Context, q querier, where string, args ...any) (User, error) {
	u, err := scanUser(q.QueryRow(ctx, `SELECT `+userColumns+` FROM staff_user u WHERE `+where, args...))
	if errors.Is(err, pgx.ErrNoRows) {
		return User{}, ErrNotFound
	}
	if err != nil {
		return User{}, fmt.Errorf("staff user: %w", err)
	}
	return u, nil
}

func isASCII(s string) bool {
	for i := range len(s) {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// validRoles checks that roles holds at least one known staff role and returns them sorted
// without repeats.
func validRoles(roles []string) ([]string, error) {
	if len(roles) == 0 {
		return nil, ErrInvalidRole
	}
	for _, r := range roles {
		if !slices.Contains(Roles, r) {
			return nil, ErrInvalidRole
		}
	}
	roles = slices.Clone(roles)
	slices.Sort(roles)
	return slices.Compact(roles), nil
}

func newToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashToken(t string) []byte {
	h := sha256.Sum256([]byte(t))
	return h[:]
}
