package identity

import (
	"context"
	"errors"
	"fmt"

	"mitidportal/db"

	"github.com/jackc/pgx/v5"
)

// ChipFlags are the authenticator-data flags of a verified WebAuthn assertion.
type ChipFlags struct {
	UserPresent    bool
	UserVerified   bool
	BackupEligible bool
	BackupState    bool
}

// CheckPasswordForChip is the password step of a chip login, counted like LoginWithCode's
// (passwordStep). On success it returns the MitID and its active chips' credentials for the
// WebAuthn assertion; the username's count is cleared only by FinishChipLogin. A MitID without
// an active chip answers ErrLoginFailed after a right password: the same answer as a wrong
// password, so this step never tells whether a password was right without a chip to finish with.
func (s *Store) CheckPasswordForChip(ctx context.Context, in LoginInput) (MitID, []ChipCredential, error) {
	ch, err := s.passwordStep(ctx, in)
	if err != nil {
		return MitID{}, nil, err
	}
	chips, err := chipCredentials(ctx, s.pool, ch.m.ID)
	if err != nil {
		return MitID{}, nil, err
	}
	if len(chips) == 0 {
		return MitID{}, nil, ErrLoginFailed
	}
	return ch.m, chips, nil
}

// FinishChipLogin completes a chip login after the web layer verified the WebAuthn assertion
// for credentialID (and CheckPasswordForChip passed for mitidID). The credential must be an
// active chip of that MitID (else ErrLoginFailed; a locked one ErrAuthenticatorLocked). The
// signature counter must grow when either the stored or the new value is non-zero; otherwise
// the key may have been cloned: the chip is locked and the answer is ErrChipCloned. The new
// counter and flags are written back, and the login is recorded at LoginLevel(KindChip, ...).
func (s *Store) FinishChipLogin(ctx context.Context, mitidID int64, credentialID []byte, signCount uint32,
	flags ChipFlags, service, clientAddr string) (Login, error) {
	var login Login
	err := db.TransactOutcome(ctx, s.pool, func(tx pgx.Tx) (error, error) {
		// The assertion was valid for a key, so a mismatch here is a forged or confused request:
		// it counts against the address like a wrong password.
		refuse := func() (error, error) {
			return ErrLoginFailed, s.throttle.countIn(ctx, tx, ThrottleLogin, clientAddr)
		}
		st, err := lockForLogin(ctx, tx, `id = $1`, mitidID)
		if errors.Is(err, ErrNotFound) {
			return refuse()
		}
		if err != nil {
			return nil, err
		}
		switch st.m.Status {
		case StatusBlocked:
			return ErrMitIDBlocked, nil
		case StatusRevoked:
			return refuse()
		}
		chip, err := scanAuthenticator(tx.QueryRow(ctx, `SELECT `+authenticatorColumns+` FROM authenticator a
			WHERE a.credential_id = $1 AND a.mitid_id = $2 AND a.kind = 'chip' AND a.status <> 'revoked'
			FOR UPDATE`, credentialID, mitidID))
		if errors.Is(err, pgx.ErrNoRows) {
			return refuse()
		}
		if err != nil {
			return nil, fmt.Errorf("chip login: %w", err)
		}
		switch {
		case chip.Status == AuthLocked:
			return ErrAuthenticatorLocked, nil
		case chip.Status != AuthActive:
			return ErrAuthenticatorUnused, nil
		case !flags.UserPresent:
			return refuse()
		}
		stored := chip.Chip.SignCount
		if (stored != 0 || signCount != 0) && signCount <= stored {
			if _, err := tx.Exec(ctx, `UPDATE authenticator SET status = 'locked' WHERE id = $1`, chip.ID); err != nil {
				return nil, fmt.Errorf("lock cloned chip: %w", err)
			}
			return ErrChipCloned, s.record(ctx, tx, Activity{MitIDID: mitidID, Kind: ActivityMeansLocked,
				Actor: ActorSystem, Detail: map[string]any{"means": string(KindChip), "means_id": chip.ID,
					"cause": "clone_suspected"}})
		}
		if _, err := tx.Exec(ctx, `
			UPDATE authenticator SET sign_count = $2, user_verified = $3, backup_eligible = $4,
				backup_state = $5 WHERE id = $1`,
			chip.ID, int64(signCount), flags.UserVerified, flags.BackupEligible, flags.BackupState); err != nil {
			return nil, fmt.Errorf("chip counter: %w", err)
		}
		chip.Chip.SignCount, chip.Chip.UserVerified = signCount, flags.UserVerified
		chip.Chip.BackupEligible, chip.Chip.BackupState = flags.BackupEligible, flags.BackupState
		pws, err := meansOfKind(ctx, tx, mitidID, KindPassword)
		if err != nil {
			return nil, err
		}
		var pw Authenticator
		if len(pws) > 0 {
			pw = pws[0]
		}
		login, err = s.succeed(ctx, tx, st, pw, chip, service)
		return nil, err
	})
	if err != nil {
		return Login{}, err
	}
	s.refund(ctx, clientAddr)
	return login, nil
}
