package identity

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"mitidportal/db"
)

// The first means of a MitID being created (DESIGN.md §3.4) is added without a login: the
// browser that used the activation code holds the MitID's id in its session. That door must
// close the moment the MitID can log in, whatever the browser does next (it may be abandoned
// on a shared computer before /opret/faerdig), so the operations behind /opret/* check it here,
// in their transaction under the MitID's row lock, and not in the session.

// requireFirstMeans takes the MitID's row lock in tx and refuses (ErrCreationDone) when the
// MitID can already log in: every means after the first is added by a logged-in citizen.
func requireFirstMeans(ctx context.Context, tx pgx.Tx, mitidID int64) error {
	if err := lockActiveMitID(ctx, tx, mitidID); err != nil {
		return err
	}
	means, err := meansOf(ctx, tx, mitidID, "")
	if err != nil {
		return err
	}
	if CanLogIn(means) {
		return ErrCreationDone
	}
	return nil
}

// ActivateFirstToken is ActivateToken for the MitID being created: refused with
// ErrCreationDone once the MitID can log in.
func (s *Store) ActivateFirstToken(ctx context.Context, mitidID int64, serial, code, actor string) (Authenticator, error) {
	return s.activateToken(ctx, mitidID, serial, code, actor, true)
}

// AddFirstChip is AddChip for the MitID being created: refused with ErrCreationDone once the
// MitID can log in.
func (s *Store) AddFirstChip(ctx context.Context, mitidID int64, label string, c ChipCredential, actor string) (Authenticator, error) {
	return s.addChip(ctx, mitidID, label, c, actor, true)
}

// StartFirstPairing is StartPairing for the MitID being created: refused with ErrCreationDone
// once the MitID can log in, and the code it makes pairs only while the MitID still cannot
// (CompletePairing checks again when the phone uses it).
func (s *Store) StartFirstPairing(ctx context.Context, mitidID int64) (code string, expires time.Time, err error) {
	return s.startPairing(ctx, mitidID, true)
}

// MadeWith returns the MitID of cpr that activation code activationID made and that still
// waits for its first means. A creation's step 3 sent twice at once (a double click) is two
// requests with the same grant: the one that finds the code spent asks this, and the person
// goes on with the MitID their code made instead of being told to order a new letter.
func (s *Store) MadeWith(ctx context.Context, cpr CPR, activationID int64) (int64, bool, error) {
	var id int64
	err := s.pool.QueryRow(ctx, `SELECT m.id FROM mitid m
		WHERE m.cpr = $1 AND m.activation_id = $2 AND `+unfinishedCondition, cpr, activationID).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("mitid made with code: %w", err)
	}
	return id, true, nil
}

// unfinishedCondition is the SQL condition on a MitID row m whose creation never finished
// (Store.Completed is false): it never had a means beside the password.
const unfinishedCondition = `m.status = 'active' AND NOT EXISTS (SELECT 1 FROM authenticator x
	WHERE x.mitid_id = m.id AND x.kind <> 'password')`

// deleteUnfinished removes a MitID whose creation never finished, with everything that hangs on
// it, in tx (the caller holds its row lock). Nobody could ever log in with it, so nothing of it
// is worth keeping; its username becomes free again. It returns whether it deleted a row: a
// MitID that meanwhile got a means is kept.
func deleteUnfinished(ctx context.Context, tx pgx.Tx, mitidID int64) (bool, error) {
	var unfinished bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM mitid m WHERE m.id = $1 AND `+unfinishedCondition+`)`,
		mitidID).Scan(&unfinished); err != nil {
		return false, fmt.Errorf("unfinished mitid: %w", err)
	}
	if !unfinished {
		return false, nil
	}
	for _, q := range []string{
		`DELETE FROM app_pairing WHERE mitid_id = $1`,
		`DELETE FROM app_request WHERE mitid_id = $1`,
		`DELETE FROM activity WHERE mitid_id = $1`,
		`DELETE FROM authenticator WHERE mitid_id = $1`,
		`UPDATE hw_token SET mitid_id = NULL WHERE mitid_id = $1`,
		`UPDATE support_case SET mitid_id = NULL WHERE mitid_id = $1`,
		`DELETE FROM mitid WHERE id = $1`,
	} {
		if _, err := tx.Exec(ctx, q, mitidID); err != nil {
			return false, fmt.Errorf("delete unfinished mitid: %w", err)
		}
	}
	return true, nil
}

// DeleteUnfinished deletes the MitIDs whose creation never finished, made more than olderThan
// ago, whose person has no live creation code (one may be on its way to finish or start over).
// It returns how many it deleted; the clean-up job calls it.
func (s *Store) DeleteUnfinished(ctx context.Context, olderThan time.Duration) (int, error) {
	now := s.now()
	rows, err := s.pool.Query(ctx, `SELECT m.id FROM mitid m
		WHERE m.created_at < $1 AND `+unfinishedCondition+`
		AND NOT EXISTS (SELECT 1 FROM activation_code c WHERE c.cpr = m.cpr AND c.used_at IS NULL
			AND c.replaced_at IS NULL AND c.tries < c.max_tries AND c.expires_at > $2)
		ORDER BY m.id LIMIT 1000`, now.Add(-olderThan), now)
	if err != nil {
		return 0, fmt.Errorf("unfinished mitids: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return 0, fmt.Errorf("unfinished mitids: %w", err)
	}
	n := 0
	for _, id := range ids {
		// One transaction per MitID under its row lock, so a creation step running right now
		// either finishes first (and the MitID is kept) or finds it gone.
		err := db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
			if _, err := lockMitID(ctx, tx, id); errors.Is(err, ErrNotFound) {
				return nil // gone meanwhile
			} else if err != nil {
				return err
			}
			ok, err := deleteUnfinished(ctx, tx, id)
			if ok {
				n++
			}
			return err
		})
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
