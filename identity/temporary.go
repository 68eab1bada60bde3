package identity

import (
	"context"
	"crypto/rand"
	"fmt"
	"maps"
	"math/big"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"mitidportal/db"
	"mitidportal/fault"
)

// Temporary passwords (DESIGN.md §3.5): support issues one after verifying the caller and
// reads it out on the phone. It replaces the MitID's password and must be changed at the first
// login (Login.MustChangePassword: the session reaches nothing else). It works for logins until
// the new password is set (ChangePassword replaces it at once) or until TemporaryPasswordTTL has
// passed (then ErrPasswordExpired at login), so a session lost before the change costs nothing.
const (
	// TemporaryPasswordTTL is how long a temporary password works.
	TemporaryPasswordTTL = 24 * time.Hour
	// temporaryAlphabet has no 0/o, 1/i/l: the password is read out and typed by hand. Lower
	// case, so that it is typed as heard; 31 symbols to the power of 16 is about 79 bits.
	temporaryAlphabet = "abcdefghjkmnpqrstuvwxyz23456789"
	temporaryGroups   = 4
	temporaryGroupLen = 4
)

// ErrPasswordIsTemporary refuses the temporary password as the new password: support read it
// out on the phone, so it is not the citizen's secret.
var ErrPasswordIsTemporary = fault.New("identity", fault.Invalid, "identity.err.password_is_temporary")

// notTheTemporary refuses newPassword when the MitID's current password is a temporary one and
// newPassword is it. Only then is a hash verified (one argon2id slot), so an ordinary change
// costs nothing more.
func (s *Store) notTheTemporary(ctx context.Context, mitidID int64, newPassword string) error {
	means, err := meansOf(ctx, s.pool, mitidID, "")
	if err != nil {
		return err
	}
	for _, a := range means {
		if a.Kind != KindPassword || !a.mustChange || a.Status == AuthRevoked {
			continue
		}
		same, err := s.hasher.Verify(ctx, a.passwordHash, newPassword)
		if err != nil {
			return err
		}
		if same {
			return ErrPasswordIsTemporary
		}
	}
	return nil
}

// NewTemporaryPassword returns a random password of four groups of four symbols from an
// unambiguous alphabet, joined by hyphens (which are part of it): "k7mq-3xva-ph9e-tr2w".
func NewTemporaryPassword() (string, error) {
	var b strings.Builder
	limit := big.NewInt(int64(len(temporaryAlphabet)))
	for g := range temporaryGroups {
		if g > 0 {
			b.WriteByte('-')
		}
		for range temporaryGroupLen {
			n, err := rand.Int(rand.Reader, limit)
			if err != nil {
				return "", fmt.Errorf("temporary password: %w", err)
			}
			b.WriteByte(temporaryAlphabet[n.Int64()])
		}
	}
	return b.String(), nil
}

// IssueTemporaryPassword gives an active MitID a new temporary password and returns it; it is
// shown once, to the support agent who reads it out, and is never stored in clear. The current
// password (whatever its state: active, locked, blocked) is revoked and a new active password
// means is inserted with must_change set and an expiry TemporaryPasswordTTL from now. The
// change is recorded as ActivityPasswordChanged with detail temporary (the citizen is
// notified), and also runs in the same transaction (the support desk writes its audit entry
// there). A blocked MitID is ErrMitIDBlocked: a block is lifted only at high assurance.
func (s *Store) IssueTemporaryPassword(ctx context.Context, mitidID int64, actor string, also TxFunc) (string, error) {
	pw, _, err := s.issueTemporaryPassword(ctx, mitidID, actor, nil, also)
	return pw, err
}

func (s *Store) issueTemporaryPassword(ctx context.Context, mitidID int64, actor string, extra map[string]any,
	also TxFunc) (string, time.Time, error) {
	pw, err := NewTemporaryPassword()
	if err != nil {
		return "", time.Time{}, err
	}
	// Hashing takes tens of milliseconds: done before the row lock is taken.
	hash, err := s.hasher.Hash(ctx, pw)
	if err != nil {
		return "", time.Time{}, err
	}
	var expires time.Time
	err = db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		if err := lockActiveMitID(ctx, tx, mitidID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `
			UPDATE authenticator SET status = 'revoked'
			WHERE mitid_id = $1 AND kind = 'password' AND status <> 'revoked'`, mitidID); err != nil {
			return fmt.Errorf("revoke password: %w", err)
		}
		expires = s.now().Add(TemporaryPasswordTTL)
		if _, err := tx.Exec(ctx, `
			INSERT INTO authenticator (mitid_id, kind, status, password_hash, must_change, expires_at)
			VALUES ($1, 'password', 'active', $2, true, $3)`, mitidID, hash, expires); err != nil {
			return fmt.Errorf("temporary password: %w", err)
		}
		detail := map[string]any{"temporary": true}
		maps.Copy(detail, extra)
		if err := s.record(ctx, tx, Activity{MitIDID: mitidID, Kind: ActivityPasswordChanged, Actor: actor,
			Detail: detail}); err != nil {
			return err
		}
		// Whoever is logged in with the old password is out: the temporary one replaces it.
		if err := s.endSessions(ctx, tx, mitidID, ""); err != nil {
			return err
		}
		return also.run(tx)
	})
	if err != nil {
		return "", time.Time{}, err
	}
	return pw, expires, nil
}
