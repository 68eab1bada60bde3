package identity

import (
	"context"
	"errors"
	"fmt"
)

// PurposeFor tells what an activation code issued now for the person with cpr would do, from
// the state of their MitID: create one when they have none (or only a revoked one, or one whose
// creation never finished, which is started over), lift the block of a blocked one, recover an
// active one. It also returns that MitID (zero for create without one). Whoever issues a code
// for a person in front of them (borgerservice, the identification app) asks this first; a
// letter the citizen orders on the web never lifts a block, so that path refuses
// ActivationLift itself.
func (s *Store) PurposeFor(ctx context.Context, cpr CPR) (ActivationPurpose, MitID, error) {
	m, err := s.MitIDByCPR(ctx, cpr)
	if errors.Is(err, ErrNotFound) {
		return ActivationCreate, MitID{}, nil
	}
	if err != nil {
		return "", MitID{}, err
	}
	if m.Status == StatusBlocked {
		return ActivationLift, m, nil
	}
	done, err := s.Completed(ctx, m.ID)
	if err != nil {
		return "", MitID{}, err
	}
	if !done {
		return ActivationCreate, m, nil
	}
	return ActivationRecover, m, nil
}

// Completed reports whether the MitID's creation ever finished: it once had a means beside the
// password, whatever became of it since. One that never did cannot be used and is started over
// by a new creation code; one whose means are all blocked, lost or revoked is recovered instead,
// keeping its username and history.
func (s *Store) Completed(ctx context.Context, mitidID int64) (bool, error) {
	var done bool
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM authenticator
		WHERE mitid_id = $1 AND kind <> 'password')`, mitidID).Scan(&done)
	if err != nil {
		return false, fmt.Errorf("mitid completed: %w", err)
	}
	return done, nil
}
