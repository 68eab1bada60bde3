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
// WebAuthn assertion (blocked chips included, so that using one is answered ErrChipBlocked);
// the username's count is cleared only by FinishChipLogin. A MitID without a chip answers
// ErrLoginFailed after a right password: the same answer as a wrong password, so this step
// never tells whether a password was right without a chip to finish with. A MitID whose chips
// are all blocked answers ErrChipBlocked, which only someone who knows the password learns.
func (s *Store) CheckPasswordForChip(ctx context.Context, in LoginInput) (MitID, []ChipCredential, error) {
	ch, err := s.passwordStep(ctx, in)
	if err != nil {
		return MitID{}, nil, err
	}
	chips, active, err := loginChips(ctx, s.pool, ch.m.ID)
	if err != nil {
		return MitID{}, nil, err
	}
	switch {
	case len(chips) == 0:
		return MitID{}, nil, ErrLoginFailed
	case active == 0:
		// Only blocked chips: say so now (the password was right, as for a blocked MitID),
		// rather than ask for a key that cannot log in.
		return MitID{}, nil, ErrChipBlocked
	}
	return ch.m, chips, nil
}

// ChipLoginCredentials returns the credentials a chip login of the MitID may present: its
// active chips and its blocked ones, so that a blocked chip is recognised and answered
// ErrChipBlocked by FinishChipLogin instead of "not accepted".
func (s *Store) ChipLoginCredentials(ctx context.Context, mitidID int64) ([]ChipCredential, error) {
	chips, _, err := loginChips(ctx, s.pool, mitidID)
	return chips, err
}

// loginChips returns the credentials of the MitID's active and blocked chips and how many of
// them are active.
func loginChips(ctx context.Context, q Querier, mitidID int64) ([]ChipCredential, int, error) {
	means, err := meansOf(ctx, q, mitidID, "")
	if err != nil {
		return nil, 0, err
	}
	var (
		out    []ChipCredential
		active int
	)
	for _, a := range means {
		if a.Kind != KindChip || a.Chip == nil || (a.Status != AuthActive && a.Status != AuthBlocked) {
			continue
		}
		if a.Status == AuthActive {
			active++
		}
		out = append(out, *a.Chip)
	}
	return out, active, nil
}

// FinishChipLogin completes a chip login after the web layer verified the WebAuthn assertion
// for credentialID (and CheckPasswordForChip passed for mitidID). The credential must be an
// active chip of that MitID (else ErrLoginFailed; a locked one ErrAuthenticatorLocked, a
// blocked one ErrChipBlocked). The
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
		case chip.Status == AuthBlocked:
			return ErrChipBlocked, nil
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
