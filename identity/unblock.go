package identity

import (
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"mitidportal/db"
	"mitidportal/fault"
)

// Refusals of UnblockAuthenticator.
var (
	ErrMeansNotBlocked = fault.New("identity", fault.Conflict, "identity.err.means_not_blocked")
	// ErrUnblockSameMeans: the login was made with the means to be unblocked (or with none the
	// MitID has): whoever holds only that means cannot vouch for it.
	ErrUnblockSameMeans = fault.New("identity", fault.Forbidden, "identity.err.unblock_same_means")
	// ErrChipBlocked answers a chip login with a chip the citizen (or support) blocked.
	ErrChipBlocked = fault.New("identity", fault.Forbidden, "identity.err.chip_blocked")
)

// CheckUnblock is the rule for unblocking one means (DESIGN.md §3.6): the MitID is active (a
// whole-MitID block is lifted only at high assurance, never here), the means is blocked, and
// the login that asks was made with another means of the MitID that is active and reaches at
// least substantial by itself (an app, a code display or audio reader, a chip; the password is
// never a login alone). How recent the login is, is the web layer's rule (web.CitizenRecent).
func CheckUnblock(m MitID, means []Authenticator, id, usedMeansID int64) error {
	if err := m.Status.usable(); err != nil {
		return err
	}
	i := slices.IndexFunc(means, func(a Authenticator) bool { return a.ID == id })
	if i < 0 || means[i].Status == AuthRevoked {
		return ErrNotFound
	}
	if means[i].Status != AuthBlocked {
		return ErrMeansNotBlocked
	}
	// The login's means must be an active one of this MitID: the blocked means itself never is,
	// nor one blocked since the login, nor another MitID's.
	u := slices.IndexFunc(means, func(a Authenticator) bool { return a.ID == usedMeansID })
	if u < 0 || means[u].Status != AuthActive || !LoginLevel(means[u].Kind, m.Assurance).AtLeast(LevelSubstantial) {
		return ErrUnblockSameMeans
	}
	return nil
}

// CanUnblock reports whether UnblockAuthenticator would unblock the means id of m for a login
// made with usedMeansID: the overview offers "unblock" exactly then. means are m's means.
func CanUnblock(m MitID, means []Authenticator, id, usedMeansID int64) bool {
	return CheckUnblock(m, means, id, usedMeansID) == nil
}

// UnblockAuthenticator lifts the block of one means of an active MitID for a citizen logged in
// with another of its means (usedMeansID; see CheckUnblock for the rule and its refusals). The
// means gets back the state it had before the block: a code display that was activated is
// active again (and its unit in the inventory), one ordered but never activated is pending
// again, waiting for its activation code; an app or a chip is active. The change is recorded
// as ActivityMeansUnblocked (the citizen is notified) in the same transaction.
func (s *Store) UnblockAuthenticator(ctx context.Context, mitidID, id, usedMeansID int64, actor string) error {
	return db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		// The MitID's row lock: one change of its means at a time.
		st, err := lockForLogin(ctx, tx, `id = $1`, mitidID)
		if err != nil {
			return err
		}
		m := st.m
		means, err := meansOf(ctx, tx, mitidID, "FOR UPDATE")
		if err != nil {
			return err
		}
		if err := CheckUnblock(m, means, id, usedMeansID); err != nil {
			return err
		}
		a := means[slices.IndexFunc(means, func(a Authenticator) bool { return a.ID == id })]
		status, unit := AuthActive, "active"
		if a.Kind.IsToken() {
			// Only activation records means_added for a unit; an ordered unit has only
			// token_ordered, so without it the unit was blocked on its way and stays unproven.
			var activated bool
			if err := tx.QueryRow(ctx, `
				SELECT EXISTS (SELECT 1 FROM activity WHERE mitid_id = $1 AND kind = 'means_added'
					AND (detail->>'means_id')::bigint = $2)`, mitidID, a.ID).Scan(&activated); err != nil {
				return fmt.Errorf("unblock means: %w", err)
			}
			if !activated {
				status, unit = AuthPending, "sent"
			}
			if _, err := tx.Exec(ctx, `UPDATE hw_token SET state = $2, updated_at = $3 WHERE serial = $1`,
				a.TokenSerial, unit, s.now()); err != nil {
				return fmt.Errorf("unblock token: %w", err)
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE authenticator SET status = $2, failed_count = 0 WHERE id = $1`,
			a.ID, status); err != nil {
			return fmt.Errorf("unblock means: %w", err)
		}
		return s.record(ctx, tx, Activity{MitIDID: mitidID, Kind: ActivityMeansUnblocked, Actor: actor,
			Detail: map[string]any{"means": string(a.Kind), "means_id": a.ID, "used_means_id": usedMeansID}})
	})
}
