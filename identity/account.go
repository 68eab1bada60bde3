package identity

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"golang.org/x/text/unicode/norm"

	"mitidportal/db"
)

// Status is the state of a whole MitID.
type Status string

// MitID statuses. A block is its own status: the means keep theirs, so lifting the block gives
// the citizen back exactly what they had.
const (
	StatusActive  Status = "active"
	StatusBlocked Status = "blocked"
	StatusRevoked Status = "revoked"
)

// MsgID is the message ID of the status's display name.
func (s Status) MsgID() string { return "identity.status." + string(s) }

// usable returns nil for an active MitID and the error a blocked or revoked one gives.
func (s Status) usable() error {
	switch s {
	case StatusActive:
		return nil
	case StatusBlocked:
		return ErrMitIDBlocked
	default:
		return ErrMitIDRevoked
	}
}

// MitID is a citizen's digital identity.
type MitID struct {
	ID       int64
	CPR      CPR
	Username string
	Status   Status
	// Assurance is how well the identity was proven when the MitID was made: LevelHigh in
	// person or with the identification app, LevelSubstantial by activation letter.
	Assurance   Level
	CreatedAt   time.Time
	BlockedAt   *time.Time
	BlockReason BlockReason
}

// NewMitID is what CreateMitID needs. The identity is proven either by an activation code
// (ActivationID: the code is used up in the same transaction and gives the identity assurance)
// or, with ActivationID 0, by the caller itself, such as the identification app's verified
// result, which then states Assurance.
type NewMitID struct {
	CPR          CPR
	Username     string
	Password     string
	ActivationID int64
	Assurance    Level
	Actor        string
}

// Username length bounds, in characters.
const (
	UsernameMinLength = 3
	UsernameMaxLength = 30
)

// ValidateUsername checks a chosen username and returns it trimmed and in Unicode NFC form: 3–30
// characters, each a Latin letter (æ, ø, å, é and the like included), a digit or one of . - _,
// and no CPR number inside it, even with separators (usernames are shown to support staff and
// typed on shared screens, and a CPR number is not to be put there). Otherwise ErrUsernameInvalid.
func ValidateUsername(s string) (string, error) {
	s = norm.NFC.String(strings.TrimSpace(s))
	n := utf8.RuneCountInString(s)
	if n < UsernameMinLength || n > UsernameMaxLength {
		return "", ErrUsernameInvalid
	}
	var digits strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits.WriteRune(r)
		case r == '.' || r == '-' || r == '_':
			// separators do not break a run of digits: "010190-1234" is a CPR number
		case unicode.IsLetter(r) && unicode.Is(unicode.Latin, r):
			digits.WriteRune(' ')
		default:
			return "", ErrUsernameInvalid
		}
	}
	for _, run := range strings.Fields(digits.String()) {
		for i := 0; i+10 <= len(run); i++ {
			if _, err := ParseCPR(run[i : i+10]); err == nil {
				return "", ErrUsernameInvalid
			}
		}
	}
	return s, nil
}

const mitidColumns = `id, cpr, username, status, identity_assurance, created_at, blocked_at,
	coalesce(block_reason, '')`

// scanMitID scans mitidColumns, then more.
func scanMitID(row pgx.Row, more ...any) (MitID, error) {
	var m MitID
	err := row.Scan(append([]any{&m.ID, &m.CPR, &m.Username, &m.Status, &m.Assurance, &m.CreatedAt,
		&m.BlockedAt, &m.BlockReason}, more...)...)
	return m, err
}

// CreateMitID makes a MitID with its password for a living person in the register who has no
// usable MitID (ErrIdentityNotMatched, ErrMitIDExists). A MitID of theirs whose creation never
// finished (no means beside the password, ever) is deleted in the same transaction: the new one
// starts over. With an ActivationID, that code must be a
// live code of this person for ActivationCreate (else ErrActivationInvalid); it is used up and
// gives the identity assurance. The second means (app, chip or token) is added afterwards.
func (s *Store) CreateMitID(ctx context.Context, n NewMitID) (MitID, error) {
	username, err := ValidateUsername(n.Username)
	if err != nil {
		return MitID{}, err
	}
	if err := ValidatePassword(n.Password, username, n.CPR); err != nil {
		return MitID{}, err
	}
	if n.ActivationID == 0 && n.Assurance != LevelSubstantial && n.Assurance != LevelHigh {
		return MitID{}, fmt.Errorf("create mitid: identity assurance %q", n.Assurance)
	}
	hash, err := s.hasher.Hash(ctx, n.Password)
	if err != nil {
		return MitID{}, err
	}
	var m MitID
	err = db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		var deceased bool
		err := tx.QueryRow(ctx, `SELECT deceased FROM person WHERE cpr = $1 FOR SHARE`, n.CPR).Scan(&deceased)
		if errors.Is(err, pgx.ErrNoRows) || deceased {
			return ErrIdentityNotMatched
		}
		if err != nil {
			return fmt.Errorf("person for mitid: %w", err)
		}
		assurance := n.Assurance
		if n.ActivationID != 0 {
			code, err := useActivation(ctx, tx, n.ActivationID, n.CPR, ActivationCreate, s.now())
			if err != nil {
				return err
			}
			assurance = code.Assurance
		}
		if err := startOver(ctx, tx, n.CPR); err != nil {
			return err
		}
		m, err = scanMitID(tx.QueryRow(ctx, `
			INSERT INTO mitid (cpr, username, identity_assurance, created_at, activation_id)
			VALUES ($1, $2, $3, $4, nullif($5::bigint, 0)) RETURNING `+mitidColumns, n.CPR, username, assurance, s.now(),
			n.ActivationID))
		if err != nil {
			return uniqueViolation(err, map[string]error{
				"mitid_username": ErrUsernameTaken, "mitid_cpr": ErrMitIDExists})
		}
		_, err = tx.Exec(ctx, `
			INSERT INTO authenticator (mitid_id, kind, status, password_hash)
			VALUES ($1, 'password', 'active', $2)`, m.ID, hash)
		if err != nil {
			return fmt.Errorf("insert password: %w", err)
		}
		return s.record(ctx, tx, Activity{MitIDID: m.ID, Kind: ActivityMitIDCreated, Actor: n.Actor,
			Detail: map[string]any{"assurance": string(assurance)}})
	})
	return m, err
}

// startOver makes room in tx for a new MitID of the person with cpr: a MitID of theirs that is
// not revoked is deleted when its creation never finished, else ErrMitIDExists.
func startOver(ctx context.Context, tx pgx.Tx, cpr CPR) error {
	var id int64
	err := tx.QueryRow(ctx, `SELECT id FROM mitid WHERE cpr = $1 AND status <> 'revoked' FOR UPDATE`, cpr).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("existing mitid: %w", err)
	}
	deleted, err := deleteUnfinished(ctx, tx, id)
	if err != nil {
		return err
	}
	if !deleted {
		return ErrMitIDExists
	}
	return nil
}

// MitID returns the MitID with that id, or ErrNotFound.
func (s *Store) MitID(ctx context.Context, id int64) (MitID, error) {
	return s.mitidWhere(ctx, `id = $1`, id)
}

// MitIDByUsername returns the MitID whose username matches whatever the case, or ErrNotFound.
func (s *Store) MitIDByUsername(ctx context.Context, username string) (MitID, error) {
	return s.mitidWhere(ctx, `lower(username) = lower($1)`, normUsername(username))
}

// MitIDByCPR returns the person's MitID that is not revoked, or ErrNotFound.
func (s *Store) MitIDByCPR(ctx context.Context, cpr CPR) (MitID, error) {
	return s.mitidWhere(ctx, `cpr = $1 AND status <> 'revoked'`, cpr)
}

func (s *Store) mitidWhere(ctx context.Context, where string, arg any) (MitID, error) {
	m, err := scanMitID(s.pool.QueryRow(ctx, `SELECT `+mitidColumns+` FROM mitid WHERE `+where, arg))
	if errors.Is(err, pgx.ErrNoRows) {
		return MitID{}, ErrNotFound
	}
	if err != nil {
		return MitID{}, fmt.Errorf("mitid: %w", err)
	}
	return m, nil
}

// ChangeUsername gives an active MitID a new username (a change of case only is allowed).
func (s *Store) ChangeUsername(ctx context.Context, mitidID int64, username, actor string) error {
	username, err := ValidateUsername(username)
	if err != nil {
		return err
	}
	return db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		if err := lockActiveMitID(ctx, tx, mitidID); err != nil {
			return err
		}
		var old string
		if err := tx.QueryRow(ctx, `SELECT username FROM mitid WHERE id = $1`, mitidID).Scan(&old); err != nil {
			return fmt.Errorf("read username: %w", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE mitid SET username = $2 WHERE id = $1`, mitidID, username); err != nil {
			return uniqueViolation(err, map[string]error{"mitid_username": ErrUsernameTaken})
		}
		return s.record(ctx, tx, Activity{MitIDID: mitidID, Kind: ActivityUsernameChanged, Actor: actor,
			Detail: map[string]any{"from": old, "to": username}})
	})
}

// uniqueViolation maps a unique-index violation to the rule error for that index.
func uniqueViolation(err error, byIndex map[string]error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		if e, ok := byIndex[pgErr.ConstraintName]; ok {
			return e
		}
	}
	return fmt.Errorf("write mitid: %w", err)
}

// normUsername is how a typed username is compared: trimmed, NFC, and (in SQL) lower-cased.
func normUsername(s string) string { return norm.NFC.String(strings.TrimSpace(s)) }
