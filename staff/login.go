package staff

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"

	"mitidportal/db"
	"mitidportal/identity"
)

// MaxFailures consecutive failed logins lock an account until an admin unlocks it. The
// per-address throttle of the web layer bounds how fast anyone can get there.
const MaxFailures = 10

// Password rules broken by a new staff password.
var (
	ErrPasswordTooShort = &Error{MsgID: "staff.err.password_too_short"}
	ErrPasswordTooLong  = &Error{MsgID: "staff.err.password_too_long"}
	ErrPasswordHasEmail = &Error{MsgID: "staff.err.password_has_email"}
	ErrPasswordCommon   = &Error{MsgID: "staff.err.password_common"}
)

// HashNewPassword checks a new password against the citizens' rules (identity.ValidatePassword)
// with the e-mail address, and its part before the @, in the place of the username, and returns
// its argon2id hash.
func HashNewPassword(password, email string) (string, error) {
	local := email
	if addr, err := mail.ParseAddress(email); err == nil {
		local, _, _ = strings.Cut(addr.Address, "@")
	}
	for _, name := range []string{email, local} {
		err := identity.ValidatePassword(password, name, "")
		switch {
		case errors.Is(err, identity.ErrPasswordTooShort):
			return "", ErrPasswordTooShort
		case errors.Is(err, identity.ErrPasswordTooLong):
			return "", ErrPasswordTooLong
		case errors.Is(err, identity.ErrPasswordIsUsername):
			return "", ErrPasswordHasEmail
		case errors.Is(err, identity.ErrPasswordCommon):
			return "", ErrPasswordCommon
		case err != nil:
			return "", err
		}
	}
	return identity.HashPassword(password)
}

// dummyHash is verified against when nobody with the address can log in, so that the answer
// takes as long as for a wrong password.
var dummyHash = sync.OnceValue(func() string {
	h, err := identity.HashPassword("no such staff user: this hash is only ever compared against")
	if err != nil {
		panic(err)
	}
	return h
})

// loginRow is what a login step reads of an account, under a row lock.
type loginRow struct {
	User
	hash *string
}

func lockForLogin(ctx context.Context, tx pgx.Tx, where string, arg any) (loginRow, error) {
	var r loginRow
	err := tx.QueryRow(ctx, `SELECT `+userColumns+`, u.password_hash FROM staff_user u WHERE `+where+` FOR UPDATE`, arg).
		Scan(&r.ID, &r.Email, &r.Name, &r.Roles, &r.CreatedAt, &r.DisabledAt, &r.LockedAt, &r.LastLoginAt,
			&r.Enrolled, &r.Keys, &r.hash)
	if errors.Is(err, pgx.ErrNoRows) {
		return loginRow{}, ErrNotFound
	}
	if err != nil {
		return loginRow{}, fmt.Errorf("staff login: %w", err)
	}
	return r, nil
}

// canLogIn reports whether the account may log in at all: enrolled, with a key, neither
// disabled nor locked.
func (r loginRow) canLogIn() bool {
	return r.hash != nil && r.Keys > 0 && r.DisabledAt == nil && r.LockedAt == nil
}

// CheckPassword is the first step of a staff login. A wrong password counts a failure on the
// account (MaxFailures lock it); every refusal is ErrLoginFailed, and an address nobody can log
// in with takes as long to refuse as a wrong password. A right password resets nothing: only
// FinishLogin, after the security key, does.
func (s *Store) CheckPassword(ctx context.Context, email, password string) (User, error) {
	var u User
	err := db.TransactOutcome(ctx, s.pool, func(tx pgx.Tx) (error, error) {
		r, err := lockForLogin(ctx, tx, `lower(u.email) = lower($1)`, strings.TrimSpace(email))
		if errors.Is(err, ErrNotFound) {
			_, _ = identity.VerifyPassword(dummyHash(), password)
			return ErrLoginFailed, nil
		}
		if err != nil {
			return nil, err
		}
		if !r.canLogIn() {
			// Nothing to count on an account that cannot log in anyway.
			_, _ = identity.VerifyPassword(dummyHash(), password)
			return ErrLoginFailed, nil
		}
		ok, err := identity.VerifyPassword(*r.hash, password)
		if err != nil {
			return nil, err
		}
		if !ok {
			return ErrLoginFailed, countFailure(ctx, tx, r.ID)
		}
		u = r.User
		return nil, nil
	})
	return u, err
}

// LoginKeys returns the account and its security keys for the assertion of a login whose
// password step passed; ErrLoginFailed when the account can no longer log in.
func (s *Store) LoginKeys(ctx context.Context, id int64) (User, []Credential, error) {
	u, err := s.ByID(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return User{}, nil, ErrLoginFailed
	}
	if err != nil {
		return User{}, nil, err
	}
	if u.Status() != StatusActive || u.Keys == 0 {
		return User{}, nil, ErrLoginFailed
	}
	creds, err := credentials(ctx, s.pool, id)
	if err != nil {
		return User{}, nil, err
	}
	return u, creds, nil
}

// KeyFlags are the authenticator-data flags of a verified assertion.
type KeyFlags struct {
	UserPresent, UserVerified, BackupEligible, BackupState bool
}

// FinishLogin completes a login after the web layer verified the WebAuthn assertion of
// credentialID for account id. The key must be the account's, present and verified (PIN or
// biometrics), and its signature counter must grow when either value is non-zero (else the key
// may have been copied); any of that failing counts a failure like a wrong password. Success
// writes the counter back and resets the failures.
func (s *Store) FinishLogin(ctx context.Context, id int64, credentialID []byte, signCount uint32, flags KeyFlags) (User, error) {
	var u User
	err := db.TransactOutcome(ctx, s.pool, func(tx pgx.Tx) (error, error) {
		r, err := lockForLogin(ctx, tx, `u.id = $1`, id)
		if errors.Is(err, ErrNotFound) {
			return ErrLoginFailed, nil
		}
		if err != nil {
			return nil, err
		}
		if !r.canLogIn() {
			return ErrLoginFailed, nil
		}
		var credID int64
		var stored int64
		err = tx.QueryRow(ctx, `SELECT id, sign_count FROM staff_credential WHERE staff_id = $1 AND credential_id = $2 FOR UPDATE`,
			id, credentialID).Scan(&credID, &stored)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrLoginFailed, countFailure(ctx, tx, id)
		}
		if err != nil {
			return nil, fmt.Errorf("staff key: %w", err)
		}
		if !flags.UserPresent || !flags.UserVerified ||
			((stored != 0 || signCount != 0) && int64(signCount) <= stored) {
			return ErrLoginFailed, countFailure(ctx, tx, id)
		}
		if _, err := tx.Exec(ctx, `
			UPDATE staff_credential SET sign_count = $2, user_verified = $3, backup_eligible = $4, backup_state = $5,
				last_used_at = now() WHERE id = $1`,
			credID, int64(signCount), flags.UserVerified, flags.BackupEligible, flags.BackupState); err != nil {
			return nil, fmt.Errorf("staff key counter: %w", err)
		}
		if err := tx.QueryRow(ctx, `UPDATE staff_user SET failed_count = 0, last_login_at = now() WHERE id = $1
			RETURNING last_login_at`, id).Scan(&r.LastLoginAt); err != nil {
			return nil, fmt.Errorf("staff login: %w", err)
		}
		u = r.User
		return nil, nil
	})
	return u, err
}

// KeyRefused counts a failure on account id for a security key whose assertion did not verify
// after a right password.
func (s *Store) KeyRefused(ctx context.Context, id int64) error {
	return db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		r, err := lockForLogin(ctx, tx, `u.id = $1`, id)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil || !r.canLogIn() {
			return err
		}
		return countFailure(ctx, tx, id)
	})
}

// countFailure adds one failure and locks the account at MaxFailures.
func countFailure(ctx context.Context, tx pgx.Tx, id int64) error {
	_, err := tx.Exec(ctx, `
		UPDATE staff_user SET failed_count = failed_count + 1,
			locked_at = CASE WHEN failed_count + 1 >= $2 THEN coalesce(locked_at, now()) ELSE locked_at END
		WHERE id = $1`, id, MaxFailures)
	if err != nil {
		return fmt.Errorf("count staff login failure: %w", err)
	}
	return nil
}
