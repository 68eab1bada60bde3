package staff

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"

	"mitidportal/fault"

	"github.com/jackc/pgx/v5"

	"mitidportal/audit"
	"mitidportal/db"
	"mitidportal/identity"
)

// Password rules broken by a new staff password.
var (
	ErrPasswordTooShort = fault.New("staff", fault.Invalid, "staff.err.password_too_short")
	ErrPasswordTooLong  = fault.New("staff", fault.Invalid, "staff.err.password_too_long")
	ErrPasswordHasEmail = fault.New("staff", fault.Invalid, "staff.err.password_has_email")
	ErrPasswordCommon   = fault.New("staff", fault.Invalid, "staff.err.password_common")
)

// HashNewPassword checks a new password against the citizens' rules (identity.ValidatePassword)
// and hashes it with identity.DefaultArgonParams, outside any concurrency bound: for the command
// line and tests. A request (the enrolment's password step) uses Store.HashNewPassword.
func HashNewPassword(password, email string) (string, error) {
	if err := checkNewPassword(password, email); err != nil {
		return "", err
	}
	return identity.HashPassword(password)
}

// HashNewPassword is the package's HashNewPassword behind the hasher's bound and with its
// parameters, like every other argon2id computation a request makes (identity.ErrBusy when no
// slot comes free in time). It runs before any transaction: the hash is kept in the session
// until the key step completes the enrolment.
func (s *Store) HashNewPassword(ctx context.Context, password, email string) (string, error) {
	if err := checkNewPassword(password, email); err != nil {
		return "", err
	}
	return s.hasher.Hash(ctx, password)
}

// checkNewPassword applies identity.ValidatePassword with the address and its local part as
// the names a password may not contain, and returns staff's refusals.
func checkNewPassword(password, email string) error {
	local := email
	if addr, err := mail.ParseAddress(email); err == nil {
		local, _, _ = strings.Cut(addr.Address, "@")
	}
	for _, name := range []string{email, local} {
		err := identity.ValidatePassword(password, name, "")
		switch {
		case errors.Is(err, identity.ErrPasswordTooShort):
			return ErrPasswordTooShort
		case errors.Is(err, identity.ErrPasswordTooLong):
			return ErrPasswordTooLong
		case errors.Is(err, identity.ErrPasswordIsUsername):
			return ErrPasswordHasEmail
		case errors.Is(err, identity.ErrPasswordCommon):
			return ErrPasswordCommon
		case err != nil:
			return err
		}
	}
	return nil
}

// loginRow is what a login step reads of an account.
type loginRow struct {
	User
	hash *string
}

func readForLogin(ctx context.Context, q querier, where string, lock string, arg any) (loginRow, error) {
	var r loginRow
	err := q.QueryRow(ctx, `SELECT `+userColumns+`, u.password_hash FROM staff_user u WHERE `+where+` `+lock, arg).
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

// canLogIn reports whether the account may log in at all: enrolled, with a key, not disabled.
// A lock is checked before (Lockouts.Attempt), for known and unknown addresses alike.
func (r loginRow) canLogIn() bool {
	return r.hash != nil && r.Keys > 0 && r.DisabledAt == nil
}

// CheckPassword is the first step of a staff login. The attempt counts on the e-mail address as
// typed before the password is verified, whether an account has it or not (in back-off or
// locked: identity.ErrThrottled (a variant with identity.MsgStaffLocked), the same answer for every
// address at every count); the password is verified outside any transaction, behind the
// hasher's bounds (identity.ErrBusy before anything is counted when it admits no more). Every
// other refusal is ErrLoginFailed, and an address nobody can log in with takes as long to refuse
// as a wrong password. The count is cleared only by FinishLogin, after the security key.
func (s *Store) CheckPassword(ctx context.Context, email, password string) (User, error) {
	release, err := s.hasher.Admit(ctx)
	if err != nil {
		return User{}, err
	}
	defer release()
	locks, err := s.lockouts.AttemptLocking(ctx, identity.StaffKey(email), identity.MsgStaffLocked)
	if err != nil {
		return User{}, err
	}
	r, err := readForLogin(ctx, s.pool, `lower(u.email) = lower($1)`, "", strings.TrimSpace(email))
	if errors.Is(err, ErrNotFound) {
		// Nobody to record it for: a typed address is not kept (it may be a password typed in
		// the wrong field); the lock-out counts it all the same.
		if _, err := s.hasher.VerifyAdmitted(ctx, s.dummy(), password); err != nil {
			return User{}, err
		}
		return User{}, ErrLoginFailed
	}
	if err != nil {
		return User{}, err
	}
	if !r.canLogIn() {
		if _, err := s.hasher.VerifyAdmitted(ctx, s.dummy(), password); err != nil {
			return User{}, err
		}
		return User{}, s.failed(ctx, r.User, "cannot_log_in", locks)
	}
	ok, err := s.hasher.VerifyAdmitted(ctx, *r.hash, password)
	if err != nil {
		return User{}, err
	}
	if !ok {
		return User{}, s.failed(ctx, r.User, "password", locks)
	}
	return r.User, nil
}

// failed records a refused login of account u (and the lock it starts, when it does) in the
// audit log and returns ErrLoginFailed, or the error of writing the record.
func (s *Store) failed(ctx context.Context, u User, cause string, locks bool) error {
	err := db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		if err := s.record(ctx, tx, 0, audit.ActionStaffLoginFailed, u.ID, map[string]any{"cause": cause}); err != nil {
			return err
		}
		if !locks {
			return nil
		}
		return s.record(ctx, tx, 0, audit.ActionStaffLocked, u.ID, map[string]any{"failures": s.lockouts.LockAfter()})
	})
	if err != nil {
		return err
	}
	return ErrLoginFailed
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
// may have been copied); any of that failing is ErrLoginFailed, and the attempt the password
// step counted stays counted. Success writes the counter back and clears the count.
func (s *Store) FinishLogin(ctx context.Context, id int64, credentialID []byte, signCount uint32, flags KeyFlags) (User, error) {
	var u User
	err := db.TransactOutcome(ctx, s.pool, func(tx pgx.Tx) (error, error) {
		r, err := readForLogin(ctx, tx, `u.id = $1`, "FOR UPDATE OF u", id)
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
			return ErrLoginFailed, nil
		}
		if err != nil {
			return nil, fmt.Errorf("staff key: %w", err)
		}
		if !flags.UserPresent || !flags.UserVerified ||
			((stored != 0 || signCount != 0) && int64(signCount) <= stored) {
			return ErrLoginFailed, s.record(ctx, tx, 0, audit.ActionStaffLoginFailed, id, map[string]any{"cause": "key"})
		}
		if _, err := tx.Exec(ctx, `
			UPDATE staff_credential SET sign_count = $2, user_verified = $3, backup_eligible = $4, backup_state = $5,
				last_used_at = now() WHERE id = $1`,
			credID, int64(signCount), flags.UserVerified, flags.BackupEligible, flags.BackupState); err != nil {
			return nil, fmt.Errorf("staff key counter: %w", err)
		}
		if err := tx.QueryRow(ctx, `UPDATE staff_user SET last_login_at = now() WHERE id = $1
			RETURNING last_login_at`, id).Scan(&r.LastLoginAt); err != nil {
			return nil, fmt.Errorf("staff login: %w", err)
		}
		if _, err := s.lockouts.Succeeded(ctx, tx, identity.StaffKey(r.Email)); err != nil {
			return nil, err
		}
		u = r.User
		return nil, s.record(ctx, tx, id, audit.ActionStaffLogin, id, nil)
	})
	return u, err
}
