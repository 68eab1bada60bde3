package staff

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"mitidportal/audit"
	"mitidportal/db"
	"mitidportal/fault"
)

// Refusals of NewEnrolment.
var (
	// ErrEnrolDisabled: a disabled account gets no enrolment link; an admin enables it first.
	ErrEnrolDisabled = fault.New("staff", fault.Conflict, "staff.err.enrol_disabled")
	// ErrReplaceOwnKeys keeps an admin from removing their own keys, which would log them out
	// with no way back in but another admin or the command line.
	ErrReplaceOwnKeys = fault.New("staff", fault.Conflict, "staff.err.replace_own_keys")
)

// EnrolmentOptions say what a new enrolment link does besides replacing the earlier ones.
type EnrolmentOptions struct {
	// ReplaceKeys is for a lost security key: the account's keys and its password are removed
	// and its sessions ended in the same transaction, so that the lost key logs in nowhere and
	// the account waits for the enrolment (StatusPending). Without it the keys and the
	// password stay until the enrolment completes, which sets a new password and adds a key.
	ReplaceKeys bool
}

// NewEnrolment issues a new one-time enrolment link for account id, as admin by (0: the
// command line), for a link that was lost or expired, or, with o.ReplaceKeys, a security key
// that was lost. Every earlier link of the account that was not used stops working. It returns
// the account as it is afterwards and the token, the only copy of which is returned here. A
// disabled account gets none (ErrEnrolDisabled); an admin cannot replace their own keys
// (ErrReplaceOwnKeys). The account's row is locked while the links change, so that of any
// number of requests at once exactly one link stays live: the last one's.
func (s *Store) NewEnrolment(ctx context.Context, by, id int64, o EnrolmentOptions) (User, string, error) {
	if o.ReplaceKeys && by == id {
		return User{}, "", ErrReplaceOwnKeys
	}
	token := newToken()
	var u User
	err := db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		var disabled *time.Time
		err := tx.QueryRow(ctx, `SELECT disabled_at FROM staff_user WHERE id = $1 FOR UPDATE`, id).Scan(&disabled)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("new enrolment: %w", err)
		}
		if disabled != nil {
			return ErrEnrolDisabled
		}
		// An earlier link ends by expiring now: its row stays, as the record of the link.
		ended, err := tx.Exec(ctx, `
			UPDATE staff_enrolment SET expires_at = now()
			WHERE staff_id = $1 AND used_at IS NULL AND expires_at > now()`, id)
		if err != nil {
			return fmt.Errorf("end earlier enrolments: %w", err)
		}
		var removed int64
		if o.ReplaceKeys {
			if removed, err = s.removeKeys(ctx, tx, id); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO staff_enrolment (token_hash, staff_id, expires_at) VALUES ($1, $2, now() + $3::interval)`,
			hashToken(token), id, EnrolmentLifetime.String()); err != nil {
			return fmt.Errorf("insert enrolment: %w", err)
		}
		if err := s.record(ctx, tx, by, audit.ActionStaffEnrolmentIssued, id, map[string]any{
			"replace_keys": o.ReplaceKeys, "keys_removed": removed, "links_ended": ended.RowsAffected(),
		}); err != nil {
			return err
		}
		u, err = userWhere(ctx, tx, `u.id = $1`, id)
		return err
	})
	if err != nil {
		return User{}, "", err
	}
	return u, token, nil
}

// removeKeys deletes account id's security keys and password and ends its sessions, in tx,
// and reports how many keys there were.
func (s *Store) removeKeys(ctx context.Context, tx pgx.Tx, id int64) (int64, error) {
	tag, err := tx.Exec(ctx, `DELETE FROM staff_credential WHERE staff_id = $1`, id)
	if err != nil {
		return 0, fmt.Errorf("remove staff keys: %w", err)
	}
	if _, err := tx.Exec(ctx, `UPDATE staff_user SET password_hash = NULL WHERE id = $1`, id); err != nil {
		return 0, fmt.Errorf("remove staff password: %w", err)
	}
	return tag.RowsAffected(), s.endSessions(ctx, tx, id)
}
