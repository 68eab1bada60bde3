package staff

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"mitidportal/audit"
	"mitidportal/db"
	"mitidportal/identity"
)

// Credential is a staff member's security key (a WebAuthn credential).
type Credential struct {
	CredentialID   []byte
	PublicKey      []byte
	SignCount      uint32
	AAGUID         []byte
	Transports     []string
	BackupEligible bool
	BackupState    bool
	UserVerified   bool
	CreatedAt      time.Time
}

// Credentials returns the security keys of account id, oldest first.
func (s *Store) Credentials(ctx context.Context, id int64) ([]Credential, error) {
	return credentials(ctx, s.pool, id)
}

type rowsQuerier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

func credentials(ctx context.Context, q rowsQuerier, id int64) ([]Credential, error) {
	rows, err := q.Query(ctx, `
		SELECT credential_id, public_key, sign_count, aaguid, transports, backup_eligible, backup_state,
			user_verified, created_at
		FROM staff_credential WHERE staff_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, fmt.Errorf("staff keys: %w", err)
	}
	creds, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Credential, error) {
		var c Credential
		var count int64
		err := row.Scan(&c.CredentialID, &c.PublicKey, &count, &c.AAGUID, &c.Transports, &c.BackupEligible,
			&c.BackupState, &c.UserVerified, &c.CreatedAt)
		c.SignCount = uint32(count)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("staff keys: %w", err)
	}
	return creds, nil
}

// Enrolment is an enrolment link that can still be used.
type Enrolment struct {
	// Ref names the enrolment without being the token: the web layer keeps it in the session
	// between the steps, so the token itself is stored nowhere.
	Ref       string
	User      User
	ExpiresAt time.Time
}

// OpenEnrolment returns the enrolment of token; ErrEnrolmentInvalid when it is unknown, used,
// expired, or for a disabled account.
func (s *Store) OpenEnrolment(ctx context.Context, token string) (Enrolment, error) {
	return s.enrolment(ctx, s.pool, hashToken(token), false)
}

// EnrolmentByRef is OpenEnrolment for the Ref of an Enrolment.
func (s *Store) EnrolmentByRef(ctx context.Context, ref string) (Enrolment, error) {
	hash, err := base64.RawURLEncoding.DecodeString(ref)
	if err != nil || len(hash) == 0 {
		return Enrolment{}, ErrEnrolmentInvalid
	}
	return s.enrolment(ctx, s.pool, hash, false)
}

func (s *Store) enrolment(ctx context.Context, q querier, hash []byte, lock bool) (Enrolment, error) {
	sql := `SELECT e.staff_id, e.expires_at FROM staff_enrolment e JOIN staff_user u ON u.id = e.staff_id
		WHERE e.token_hash = $1 AND e.used_at IS NULL AND e.expires_at > now() AND u.disabled_at IS NULL`
	if lock {
		sql += ` FOR UPDATE OF e, u`
	}
	var e Enrolment
	var id int64
	err := q.QueryRow(ctx, sql, hash).Scan(&id, &e.ExpiresAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return Enrolment{}, ErrEnrolmentInvalid
	}
	if err != nil {
		return Enrolment{}, fmt.Errorf("staff enrolment: %w", err)
	}
	if e.User, err = userWhere(ctx, q, `u.id = $1`, id); err != nil {
		return Enrolment{}, err
	}
	e.Ref = base64.RawURLEncoding.EncodeToString(hash)
	return e, nil
}

// CompleteEnrolment uses up the enrolment ref: in one transaction it sets the password (a hash
// from HashNewPassword), adds the security key and clears any lock. The link works once;
// ErrEnrolmentInvalid when it was used, expired or the account disabled meanwhile, and
// ErrKeyRegistered when the key is already some staff member's.
func (s *Store) CompleteEnrolment(ctx context.Context, ref, passwordHash string, key Credential) (User, error) {
	hash, err := base64.RawURLEncoding.DecodeString(ref)
	if err != nil || len(hash) == 0 {
		return User{}, ErrEnrolmentInvalid
	}
	if passwordHash == "" || len(key.CredentialID) == 0 || len(key.PublicKey) == 0 {
		return User{}, fmt.Errorf("staff enrolment: a password hash and a key are required")
	}
	var u User
	err = db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		e, err := s.enrolment(ctx, tx, hash, true)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE staff_enrolment SET used_at = now() WHERE token_hash = $1`, hash); err != nil {
			return fmt.Errorf("use enrolment: %w", err)
		}
		if _, err := tx.Exec(ctx, `
			UPDATE staff_user SET password_hash = $2 WHERE id = $1`,
			e.User.ID, passwordHash); err != nil {
			return fmt.Errorf("set staff password: %w", err)
		}
		if _, err := s.lockouts.Succeeded(ctx, tx, identity.StaffKey(e.User.Email)); err != nil {
			return err
		}
		transports := key.Transports
		if transports == nil {
			transports = []string{}
		}
		_, err = tx.Exec(ctx, `
			INSERT INTO staff_credential (staff_id, credential_id, public_key, sign_count, aaguid, transports,
				backup_eligible, backup_state, user_verified)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			e.User.ID, key.CredentialID, key.PublicKey, int64(key.SignCount), key.AAGUID, transports,
			key.BackupEligible, key.BackupState, key.UserVerified)
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "23505" {
			return ErrKeyRegistered
		}
		if err != nil {
			return fmt.Errorf("add staff key: %w", err)
		}
		if err := s.record(ctx, tx, e.User.ID, audit.ActionStaffEnrolled, e.User.ID, nil); err != nil {
			return err
		}
		u, err = userWhere(ctx, tx, `u.id = $1`, e.User.ID)
		return err
	})
	if err != nil {
		return User{}, err
	}
	return u, nil
}
