package staff

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"mitidportal/audit"
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
		var old []string
		err := tx.QueryRow(ctx, `SELECT roles FROM staff_user WHERE id = $1 FOR UPDATE`, id).Scan(&old)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("set staff roles: %w", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE staff_user SET roles = $2 WHERE id = $1`, id, roles); err != nil {
			return fmt.Errorf("set staff roles: %w", err)
		}
		if !slices.Equal(old, roles) {
			if err := s.record(ctx, tx, by, audit.ActionRoleChanged, id, map[string]any{"from": old, "to": roles}); err != nil {
				return err
			}
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
		var was *time.Time
		err := tx.QueryRow(ctx, `SELECT disabled_at FROM staff_user WHERE id = $1 FOR UPDATE`, id).Scan(&was)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("disable staff user: %w", err)
		}
		if was == nil {
			if _, err := tx.Exec(ctx, `UPDATE staff_user SET disabled_at = now() WHERE id = $1`, id); err != nil {
				return fmt.Errorf("disable staff user: %w", err)
			}
			if err := s.record(ctx, tx, by, audit.ActionStaffDisabled, id, nil); err != nil {
				return err
			}
		}
		return s.endSessions(ctx, tx, id)
	})
}

// Enable lets account id log in again, as admin by: it clears both a disable and a lock after
// too many failed logins.
func (s *Store) Enable(ctx context.Context, by, id int64) error {
	return db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		var (
			email string
			was   *time.Time
		)
		err := tx.QueryRow(ctx, `SELECT email, disabled_at FROM staff_user WHERE id = $1 FOR UPDATE`, id).Scan(&email, &was)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("enable staff user: %w", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE staff_user SET disabled_at = NULL WHERE id = $1`, id); err != nil {
			return fmt.Errorf("enable staff user: %w", err)
		}
		cleared, err := s.lockouts.Succeeded(ctx, tx, identity.StaffKey(email))
		if err != nil {
			return err
		}
		return s.record(ctx, tx, by, audit.ActionStaffEnabled, id,
			map[string]any{"was_disabled": was != nil, "failures_cleared": cleared})
	})
}

// Unlock ends the lock of the account with email after too many failed logins, before its time
// is up, as by (0: the command line, named via), audited in the same transaction. It reports
// whether there was a count to clear; an unknown address is ErrNotFound. A lock ends by itself
// when its time is up (identity.Limits); this is for the person who cannot wait.
func (s *Store) Unlock(ctx context.Context, by int64, email, via string) (User, bool, error) {
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
		return s.record(ctx, tx, by, audit.ActionStaffUnlocked, u.ID,
			map[string]any{"via": via, "locked": u.LockedAt != nil, "failures_cleared": cleared})
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
