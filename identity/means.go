package identity

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"golang.org/x/text/unicode/norm"

	"mitidportal/db"
)

// LabelMaxLength bounds the name a citizen gives a means ("Nøglering", "Arbejdstelefon").
const LabelMaxLength = 40

// ValidateLabel trims a means' name and checks it: 1–40 characters and no control characters
// (a label is shown in lists and mails). Otherwise ErrLabelInvalid.
func ValidateLabel(label string) (string, error) {
	label = norm.NFC.String(strings.TrimSpace(label))
	n := utf8.RuneCountInString(label)
	if n < 1 || n > LabelMaxLength || strings.IndexFunc(label, unicode.IsControl) >= 0 {
		return "", ErrLabelInvalid
	}
	return label, nil
}

// Means returns the MitID's means that are not revoked, oldest first.
func (s *Store) Means(ctx context.Context, mitidID int64) ([]Authenticator, error) {
	return meansOf(ctx, s.pool, mitidID, "")
}

// liveMeansQuery reads MitID $1's means that are not revoked, oldest first.
var liveMeansQuery = liveMeansSQL("$1", authenticatorColumns)

// liveMeansSQL is liveMeansQuery for the MitID whose ID is the SQL expression id, selecting
// cols: authenticatorColumns, or one record of them (the overview reads them as an array).
func liveMeansSQL(id, cols string) string {
	return `SELECT ` + cols + ` FROM authenticator a
		WHERE a.mitid_id = ` + id + ` AND a.status <> 'revoked' ORDER BY a.created_at, a.id`
}

// meansOf reads the MitID's means that are not revoked; lock is "" or "FOR UPDATE".
func meansOf(ctx context.Context, q Querier, mitidID int64, lock string) ([]Authenticator, error) {
	rows, err := q.Query(ctx, liveMeansQuery+` `+lock, mitidID)
	if err != nil {
		return nil, fmt.Errorf("means: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Authenticator, error) {
		return scanAuthenticator(row)
	})
	if err != nil {
		return nil, fmt.Errorf("means: %w", err)
	}
	return list, nil
}

// Authenticator returns one means of the MitID that is not revoked, or ErrNotFound (also when
// the means belongs to another MitID).
func (s *Store) Authenticator(ctx context.Context, mitidID, id int64) (Authenticator, error) {
	a, err := scanAuthenticator(s.pool.QueryRow(ctx, `SELECT `+authenticatorColumns+` FROM authenticator a
		WHERE a.id = $1 AND a.mitid_id = $2 AND a.status <> 'revoked'`, id, mitidID))
	if errors.Is(err, pgx.ErrNoRows) {
		return Authenticator{}, ErrNotFound
	}
	if err != nil {
		return Authenticator{}, fmt.Errorf("means: %w", err)
	}
	return a, nil
}

// authenticatorTx is Authenticator inside tx, with the means' row locked.
func authenticatorTx(ctx context.Context, tx pgx.Tx, mitidID, id int64) (Authenticator, error) {
	a, err := scanAuthenticator(tx.QueryRow(ctx, `SELECT `+authenticatorColumns+` FROM authenticator a
		WHERE a.id = $1 AND a.mitid_id = $2 AND a.status <> 'revoked' FOR UPDATE`, id, mitidID))
	if errors.Is(err, pgx.ErrNoRows) {
		return Authenticator{}, ErrNotFound
	}
	if err != nil {
		return Authenticator{}, fmt.Errorf("means: %w", err)
	}
	return a, nil
}

// RenameAuthenticator gives a means a new label (see ValidateLabel).
func (s *Store) RenameAuthenticator(ctx context.Context, mitidID, id int64, label, actor string) error {
	label, err := ValidateLabel(label)
	if err != nil {
		return err
	}
	return db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		if err := lockActiveMitID(ctx, tx, mitidID); err != nil {
			return err
		}
		a, err := authenticatorTx(ctx, tx, mitidID, id)
		if err != nil {
			return err
		}
		if a.Label == label {
			return nil
		}
		if _, err := tx.Exec(ctx, `UPDATE authenticator SET label = $2 WHERE id = $1`, id, label); err != nil {
			return fmt.Errorf("rename means: %w", err)
		}
		return s.record(ctx, tx, Activity{MitIDID: mitidID, Kind: ActivityMeansRenamed, Actor: actor,
			Detail: map[string]any{"means": string(a.Kind), "means_id": id, "from": a.Label, "to": label}})
	})
}

// RemoveAuthenticator revokes a means, unless it is active and the means left could not log in
// any more (ErrLastMeans; see CanLogIn). The MitID's row lock makes removals one at a time, so
// two parallel removals of the last two means cannot both pass the rule. A removed token unit
// is retired: it stays with the citizen and is never handed out again.
func (s *Store) RemoveAuthenticator(ctx context.Context, mitidID, id int64, actor string) error {
	return db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		if err := lockActiveMitID(ctx, tx, mitidID); err != nil {
			return err
		}
		means, err := meansOf(ctx, tx, mitidID, "FOR UPDATE")
		if err != nil {
			return err
		}
		if err := checkRemoval(means, id); err != nil {
			return err
		}
		var a Authenticator
		for _, m := range means {
			if m.ID == id {
				a = m
			}
		}
		if err := s.setAuthStatus(ctx, tx, a, AuthRevoked); err != nil {
			return err
		}
		return s.record(ctx, tx, Activity{MitIDID: mitidID, Kind: ActivityMeansRemoved, Actor: actor,
			Detail: map[string]any{"means": string(a.Kind), "means_id": id, "label": a.Label}})
	})
}

// ChangePassword sets a new password (checked with ValidatePassword) on an active MitID. The
// new password is active and unlocked, with its failure count reset and no longer temporary; a
// MitID whose password was removed gets a new one. Every session of the MitID but
// keepSession (the one that made the change; "" keeps none) ends in the same transaction
// (Config.EndSessions), so that whoever knew the old password and logged in with it is out the
// moment the change commits.
func (s *Store) ChangePassword(ctx context.Context, mitidID int64, newPassword, actor, keepSession string) error {
	m, err := s.MitID(ctx, mitidID)
	if err != nil {
		return err
	}
	if err := m.Status.usable(); err != nil {
		return err
	}
	if err := ValidatePassword(newPassword, m.Username, m.CPR); err != nil {
		return err
	}
	if err := s.notTheTemporary(ctx, mitidID, newPassword); err != nil {
		return err
	}
	// Hashing takes tens of milliseconds: done before the row lock is taken.
	hash, err := s.hasher.Hash(ctx, newPassword)
	if err != nil {
		return err
	}
	return db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		if err := lockActiveMitID(ctx, tx, mitidID); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `
			UPDATE authenticator SET password_hash = $2, status = 'active', failed_count = 0,
				must_change = false, expires_at = NULL
			WHERE mitid_id = $1 AND kind = 'password' AND status <> 'revoked'`, mitidID, hash)
		if err != nil {
			return fmt.Errorf("change password: %w", err)
		}
		if tag.RowsAffected() == 0 {
			if _, err := tx.Exec(ctx, `
				INSERT INTO authenticator (mitid_id, kind, status, password_hash)
				VALUES ($1, 'password', 'active', $2)`, mitidID, hash); err != nil {
				return fmt.Errorf("new password: %w", err)
			}
		}
		if err := s.record(ctx, tx, Activity{MitIDID: mitidID, Kind: ActivityPasswordChanged, Actor: actor}); err != nil {
			return err
		}
		return s.endSessions(ctx, tx, mitidID, keepSession)
	})
}

// AddChip adds a security key that WebAuthn registration gave as an active means. A label may
// be empty (the list then shows the kind). A credential registered before, to this or another
// MitID, is ErrChipRegistered.
func (s *Store) AddChip(ctx context.Context, mitidID int64, label string, c ChipCredential, actor string) (Authenticator, error) {
	return s.addChip(ctx, mitidID, label, c, actor, false)
}

// addChip is AddChip; first refuses a MitID that can log in already (AddFirstChip).
func (s *Store) addChip(ctx context.Context, mitidID int64, label string, c ChipCredential, actor string, first bool) (Authenticator, error) {
	if strings.TrimSpace(label) != "" {
		var err error
		if label, err = ValidateLabel(label); err != nil {
			return Authenticator{}, err
		}
	}
	if len(c.CredentialID) == 0 || len(c.PublicKey) == 0 {
		return Authenticator{}, fmt.Errorf("add chip: credential without id or public key")
	}
	var a Authenticator
	lock := lockActiveMitID
	if first {
		lock = requireFirstMeans
	}
	err := db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		if err := lock(ctx, tx, mitidID); err != nil {
			return err
		}
		var err error
		a, err = scanAuthenticator(tx.QueryRow(ctx, `
			INSERT INTO authenticator AS a (mitid_id, kind, status, label, credential_id, public_key,
				sign_count, aaguid, transports, backup_eligible, backup_state, user_verified)
			VALUES ($1, 'chip', 'active', $2, $3, $4, $5, $6, $7, $8, $9, $10)
			RETURNING `+authenticatorColumns,
			mitidID, label, c.CredentialID, c.PublicKey, int64(c.SignCount), c.AAGUID, c.Transports,
			c.BackupEligible, c.BackupState, c.UserVerified))
		if err != nil {
			return uniqueViolation(err, map[string]error{"authenticator_credential": ErrChipRegistered})
		}
		return s.record(ctx, tx, Activity{MitIDID: mitidID, Kind: ActivityMeansAdded, Actor: actor,
			Detail: map[string]any{"means": string(KindChip), "means_id": a.ID, "label": label}})
	})
	return a, err
}

// ChipCredentials returns the WebAuthn credentials of the MitID's active chips, for the
// allowed credentials of a login or the excluded ones of a registration.
func (s *Store) ChipCredentials(ctx context.Context, mitidID int64) ([]ChipCredential, error) {
	return chipCredentials(ctx, s.pool, mitidID)
}

func chipCredentials(ctx context.Context, q Querier, mitidID int64) ([]ChipCredential, error) {
	means, err := meansOf(ctx, q, mitidID, "")
	if err != nil {
		return nil, err
	}
	var out []ChipCredential
	for _, a := range means {
		if a.Kind == KindChip && a.Status == AuthActive && a.Chip != nil {
			out = append(out, *a.Chip)
		}
	}
	return out, nil
}
