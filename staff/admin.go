package staff

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"mitidportal/db"
	"mitidportal/fault"
	"mitidportal/identity"
)

// SetRoles gives account id exactly roles, as admin by, and ends its sessions (Config.EndSessions)
// in the same transaction, so the new roles hold from its next request on. An admin cannot take their own admin
// role (ErrOwnAdminRole), and the last enabled admin keeps theirs (ErrLastAdmin).
func (s *Store) SetRoles(ctx context.Context, by, id int64, roles []string) (User, error) {
	roles, err := validRoles(roles)
	if err != nil {
		return User{}, err
	}
	if by == id && !slices.Contains(roles, "admin") {
		return User{}, ErrOwnAdminRole
	}
	var u User
	err = db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		if !slices.Contains(roles, "admin") {
			if err := keepAnAdmin(ctx, tx, id); err != nil {
				return err
			}
		}
		tag, err := tx.Exec(ctx, `UPDATE staff_user SET roles = $2 WHERE id = $1`, id, roles)
		if err != nil {
			return fmt.Errorf("set staff roles: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return ErrNotFound
		}
		if err := s.endSessions(ctx, tx, id); err != nil {
			return err
		}
		u, err = userWhere(ctx, tx, `u.id = $1`, id)
		return err
	})
	if err != nil {
		return User{}, err
	}
	return u, nil
}

// Disable stops account id from logging in, as admin by, and ends its sessions in the same
// transaction. An admin cannot disable themselves (ErrDisableSelf), nor the last enabled admin
// (ErrLastAdmin). Disabling a disabled account changes nothing but still ends its sessions.
func (s *Store) Disable(ctx context.Context, by, id int64) error {
	if by == id {
		return ErrDisableSelf
	}
	return db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		if err := keepAnAdmin(ctx, tx, id); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `UPDATE staff_user SET disabled_at = coalesce(disabled_at, now()) WHERE id = $1`, id)
		if err != nil {
			return fmt.Errorf("disable staff user: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return ErrNotFound
		}
		return s.endSessions(ctx, tx, id)
	})
}

// Enable lets account id log in again: it clears both a disable and a lock after too many
// failed logins.
func (s *Store) Enable(ctx context.Context, id int64) error {
	return db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		var email string
		err := tx.QueryRow(ctx, `UPDATE staff_user SET disabled_at = NULL WHERE id = $1 RETURNING email`, id).Scan(&email)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("enable staff user: %w", err)
		}
		_, err = s.lockouts.Succeeded(ctx, tx, identity.StaffKey(email))
		return err
	})
}

// Unlock ends the lock of the account with email after too many failed logins, before its time
// is up, and runs also (the audit entry) in the same transaction with the account. It reports
// whether there was a count to clear; an unknown address is ErrNotFound. A lock ends by itself
// when its time is up (identity.Limits); this is for the person who cannot wait.
func (s *Store) Unlock(ctx context.Context, email string, also func(tx pgx.Tx, u User) error) (User, bool, error) {
	var (
		u       User
		cleared bool
	)
	err := db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		u, err = userWhere(ctx, tx, `lower(u.email) = lower($1)`, strings.TrimSpace(email))
		if err != nil {
			return err
		}
		if cleared, err = s.lockouts.Succeeded(ctx, tx, identity.StaffKey(u.Email)); err != nil {
			return err
		}
		if also != nil {
			return also(tx, u)
		}
		return nil
	})
	if err != nil {
		return User{}, false, err
	}
	u.LockedAt = nil
	return u, cleared, nil
}

// keepAnAdmin returns ErrLastAdmin when account id is the only enabled admin, so it must not
// lose the role or be disabled. The enabled admins' rows stay locked until the transaction
// ends, so two admins cannot remove each other at the same moment.
func keepAnAdmin(ctx context.Context, tx pgx.Tx, id int64) error {
	rows, err := tx.Query(ctx, `
		SELECT id FROM staff_user WHERE 'admin' = ANY (roles) AND disabled_at IS NULL ORDER BY id FOR UPDATE`)
	if err != nil {
		return fmt.Errorf("lock admins: %w", err)
	}
	admins, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return fmt.Errorf("lock admins: %w", err)
	}
	if slices.Contains(admins, id) && len(admins) == 1 {
		return ErrLastAdmin
	}
	return nil
}

// endSessions ends account id's sessions through Config.EndSessions, if set.
func (s *Store) endSessions(ctx context.Context, tx pgx.Tx, id int64) error {
	if s.endSess == nil {
		return nil
	}
	if err := s.endSess(ctx, tx, id); err != nil {
		return fmt.Errorf("end staff sessions: %w", err)
	}
	return nil
}

// IsRule reports whether err is a rule of this package that a form shows at a field, and
// returns it.
func IsRule(err error) (*Error, bool) {
	return fault.Rule(err)
}
