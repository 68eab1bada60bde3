// Package staff holds the accounts of the people who work in the portal: support agents,
// supervisors, registration officers, campaign editors and admins (DESIGN.md §4). It owns their
// rules and SQL; it knows nothing of HTTP.
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

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"mitidportal/db"
)

// Roles a staff account can hold.
var Roles = []string{"agent", "supervisor", "ra_officer", "campaign_editor", "admin"}

// EnrolmentLifetime is how long a new account's enrolment link works.
const EnrolmentLifetime = 72 * time.Hour

// Errors of this package; each carries the message ID a handler shows.
var (
	ErrEmailTaken   = &Error{MsgID: "staff.err.email_taken"}
	ErrInvalidEmail = &Error{MsgID: "staff.err.invalid_email"}
	ErrInvalidRole  = &Error{MsgID: "staff.err.invalid_role"}
	ErrNameRequired = &Error{MsgID: "staff.err.name_required"}
	ErrNotFound     = errors.New("staff: not found")
)

// Error is a rule broken by the caller's input.
type Error struct{ MsgID string }

func (e *Error) Error() string { return "staff: " + e.MsgID }

// User is a staff account.
type User struct {
	ID         int64
	Email      string
	Name       string
	Roles      []string
	CreatedAt  time.Time
	DisabledAt *time.Time
}

// Store reads and writes staff accounts.
type Store struct{ pool *pgxpool.Pool }

// NewStore returns a Store on pool.
func NewStore(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

// Create adds an account with roles and returns it with a one-time enrolment token, the only
// copy of which is returned here.
func (s *Store) Create(ctx context.Context, email, name string, roles []string) (User, string, error) {
	addr, err := mail.ParseAddress(strings.TrimSpace(email))
	if err != nil || addr.Name != "" {
		return User{}, "", ErrInvalidEmail
	}
	name = strings.TrimSpace(name)
	if name == "" {
		return User{}, "", ErrNameRequired
	}
	if len(roles) == 0 {
		return User{}, "", ErrInvalidRole
	}
	for _, r := range roles {
		if !slices.Contains(Roles, r) {
			return User{}, "", ErrInvalidRole
		}
	}
	slices.Sort(roles)
	roles = slices.Compact(roles)
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
		return nil
	})
	if err != nil {
		return User{}, "", err
	}
	return u, token, nil
}

// ByEmail returns the account with email, whatever its case.
func (s *Store) ByEmail(ctx context.Context, email string) (User, error) {
	var u User
	err := s.pool.QueryRow(ctx, `
		SELECT id, email, name, roles, created_at, disabled_at FROM staff_user WHERE lower(email) = lower($1)`,
		strings.TrimSpace(email)).Scan(&u.ID, &u.Email, &u.Name, &u.Roles, &u.CreatedAt, &u.DisabledAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return User{}, ErrNotFound
	}
	if err != nil {
		return User{}, fmt.Errorf("staff by email: %w", err)
	}
	return u, nil
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
