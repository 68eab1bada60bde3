package identity

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"mitidportal/db"
)

// Recovery and lifting a block (DESIGN.md §3.5, §3.6): a checked activation code proves the
// identity again, and is spent in the same transaction as what it is used for.

// How an activation code was proven, as the activity log and the audit log name it ("via").
const (
	ViaLetter            = "letter"             // a letter the citizen ordered on the web
	ViaSupportLetter     = "support_letter"     // a letter sent by support after verifying the caller
	ViaBorgerservice     = "borgerservice"      // handed over in person by a registration officer
	ViaIdentificationApp = "identification_app" // the identification app's verified result
)

// Vias lists how an activation code can be proven; ViaMsgID names each.
var Vias = []string{ViaLetter, ViaSupportLetter, ViaBorgerservice, ViaIdentificationApp}

// ViaMsgID is the message ID of how a code was proven, and false for any other "via" (a
// support look-up's "cpr" or "case" is not one).
func ViaMsgID(via string) (string, bool) {
	for _, v := range Vias {
		if v == via {
			return "identity.via." + via, true
		}
	}
	return "", false
}

// provenVia tells how the identity behind a code was proven. A code issued by staff is either
// handed over in person (high: only borgerservice proves that much) or sent by letter after
// support verified the caller; a code no member of staff issued is high only when the
// identification app proved it, and otherwise came from the citizen's own web letter.
func provenVia(c ActivationCode) string {
	staff := strings.HasPrefix(c.IssuedBy, "staff:")
	switch {
	case staff && c.Assurance == LevelHigh:
		return ViaBorgerservice
	case staff:
		return ViaSupportLetter
	case c.Assurance == LevelHigh:
		return ViaIdentificationApp
	default:
		return ViaLetter
	}
}

// RecoverInput is what Recover needs.
type RecoverInput struct {
	CPR          CPR
	ActivationID int64
	NewPassword  string
	// LostEverything revokes every means but the password, so that the citizen sets up new
	// ones; without it the means stay and only the password is new.
	LostEverything bool
	Actor          string
	// KeepSession is the web session that stays logged in ("" ends every session).
	KeepSession string
}

// Recover lets the holder of a live recovery code (ActivationRecover) of an active MitID set
// a new password and, with LostEverything, revokes every other means (token units retired,
// pending app requests cancelled, unused pairing codes expired). In one transaction it spends
// the code (wrong purpose, used, replaced or expired: ErrActivationInvalid), sets the password
// (the old one stops working at once), clears the username's failed-login count, raises the
// MitID's identity assurance to the code's when that is higher, records the changes (and so
// notifies) and ends the MitID's sessions but KeepSession. A blocked MitID is ErrMitIDBlocked:
// only LiftBlock, with its stricter rule, opens it.
func (s *Store) Recover(ctx context.Context, in RecoverInput) (MitID, error) {
	m, hash, err := s.newPasswordFor(ctx, in.CPR, in.NewPassword)
	if err != nil {
		return MitID{}, err
	}
	err = db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		code, err := useActivation(ctx, tx, in.ActivationID, in.CPR, ActivationRecover, s.now())
		if err != nil {
			return err
		}
		st, err := lockMitID(ctx, tx, m.ID)
		if err != nil {
			return err
		}
		if err := st.usable(); err != nil {
			return err
		}
		via := provenVia(code)
		if err := s.setPasswordTx(ctx, tx, m, hash, in.Actor, via); err != nil {
			return err
		}
		if in.LostEverything {
			if err := s.revokeAllMeans(ctx, tx, m.ID, in.Actor); err != nil {
				return err
			}
		}
		assurance, err := raiseAssurance(ctx, tx, m, code.Assurance)
		if err != nil {
			return err
		}
		m.Assurance = assurance
		if err := s.record(ctx, tx, Activity{MitIDID: m.ID, Kind: ActivityRecovered, Actor: in.Actor,
			Detail: map[string]any{"assurance": string(code.Assurance), "via": via,
				"lost_everything": in.LostEverything}}); err != nil {
			return err
		}
		return s.endSessions(ctx, tx, m.ID, in.KeepSession)
	})
	return m, err
}

// LiftInput is what LiftBlock needs.
type LiftInput struct {
	CPR          CPR
	ActivationID int64
	// NewPassword replaces the password: whoever stole the ID may know the old one.
	NewPassword string
	Actor       string
}

// LiftBlock lifts the block of a blocked MitID with a live lift code (ActivationLift). The code
// must prove the identity at high assurance (borgerservice, the identification app) or have been
// issued by staff, who send it by letter to the CPR address only after verifying the caller;
// any other code (a substantial one the citizen ordered on the web) is ErrLiftRefused and is
// not spent. In one transaction it spends the code, makes the MitID active again (blockMitID
// changed only the MitID's status and cancelled its app requests, so the means are as they
// were before the block and nothing else is undone), sets the new password, clears the
// username's failed-login count, raises the identity assurance to the code's when higher, ends
// any session and records the lift with how the identity was proven; the audit hook writes its
// audit entry in the same transaction whoever the actor. A MitID that is not blocked is
// ErrMitIDNotBlocked.
func (s *Store) LiftBlock(ctx context.Context, in LiftInput) (MitID, error) {
	m, hash, err := s.newPasswordFor(ctx, in.CPR, in.NewPassword)
	if err != nil {
		return MitID{}, err
	}
	err = db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		code, err := useActivation(ctx, tx, in.ActivationID, in.CPR, ActivationLift, s.now())
		if err != nil {
			return err
		}
		if code.Assurance != LevelHigh && !strings.HasPrefix(code.IssuedBy, "staff:") {
			return ErrLiftRefused
		}
		switch st, err := lockMitID(ctx, tx, m.ID); {
		case err != nil:
			return err
		case st == StatusRevoked:
			return ErrMitIDRevoked
		case st != StatusBlocked:
			return ErrMitIDNotBlocked
		}
		if _, err := tx.Exec(ctx, `
			UPDATE mitid SET status = 'active', blocked_at = NULL, block_reason = NULL WHERE id = $1`,
			m.ID); err != nil {
			return fmt.Errorf("lift block: %w", err)
		}
		via := provenVia(code)
		detail := map[string]any{"via": via, "assurance": string(code.Assurance), "reason": string(m.BlockReason)}
		if err := s.record(ctx, tx, Activity{MitIDID: m.ID, Kind: ActivityMitIDUnblocked, Actor: in.Actor,
			Detail: detail}); err != nil {
			return err
		}
		if err := s.setPasswordTx(ctx, tx, m, hash, in.Actor, via); err != nil {
			return err
		}
		assurance, err := raiseAssurance(ctx, tx, m, code.Assurance)
		if err != nil {
			return err
		}
		m.Status, m.BlockedAt, m.BlockReason, m.Assurance = StatusActive, nil, "", assurance
		return s.endSessions(ctx, tx, m.ID, "")
	})
	return m, err
}

// newPasswordFor finds the person's MitID and checks and hashes the new password for it; the
// hashing takes tens of milliseconds and is done before any row lock is taken.
func (s *Store) newPasswordFor(ctx context.Context, cpr CPR, password string) (MitID, string, error) {
	m, err := s.MitIDByCPR(ctx, cpr)
	if err != nil {
		return MitID{}, "", err
	}
	if err := ValidatePassword(password, m.Username, m.CPR); err != nil {
		return MitID{}, "", err
	}
	hash, err := s.hasher.Hash(ctx, password)
	if err != nil {
		return MitID{}, "", err
	}
	return m, hash, nil
}

// setPasswordTx gives the MitID (locked by the caller) the password hash as an active,
// unlocked, permanent password, as ChangePassword does, clears the username's failed logins
// and records the change with how the identity was proven.
func (s *Store) setPasswordTx(ctx context.Context, tx pgx.Tx, m MitID, hash, actor, via string) error {
	tag, err := tx.Exec(ctx, `
		UPDATE authenticator SET password_hash = $2, status = 'active', failed_count = 0,
			must_change = false, expires_at = NULL
		WHERE mitid_id = $1 AND kind = 'password' AND status <> 'revoked'`, m.ID, hash)
	if err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	if tag.RowsAffected() == 0 {
		if _, err := tx.Exec(ctx, `
			INSERT INTO authenticator (mitid_id, kind, status, password_hash)
			VALUES ($1, 'password', 'active', $2)`, m.ID, hash); err != nil {
			return fmt.Errorf("new password: %w", err)
		}
	}
	if _, err := s.lockouts.Succeeded(ctx, tx, CitizenKey(m.Username)); err != nil {
		return err
	}
	return s.record(ctx, tx, Activity{MitIDID: m.ID, Kind: ActivityPasswordChanged, Actor: actor,
		Detail: map[string]any{"via": via}})
}

// revokeAllMeans revokes every means of the MitID but its password, whatever their status:
// token units are retired (they have been out of our hands), app requests cancelled, and
// pairing codes not yet used stop working, so that nothing lost can be turned into a login.
func (s *Store) revokeAllMeans(ctx context.Context, tx pgx.Tx, mitidID int64, actor string) error {
	means, err := meansOf(ctx, tx, mitidID, "FOR UPDATE")
	if err != nil {
		return err
	}
	var kinds []string
	for _, a := range means {
		if a.Kind == KindPassword {
			continue
		}
		if err := s.setAuthStatus(ctx, tx, a, AuthRevoked); err != nil {
			return err
		}
		kinds = append(kinds, string(a.Kind))
	}
	if err := cancelAppRequests(ctx, tx, mitidID); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE app_pairing SET expires_at = $2
		WHERE mitid_id = $1 AND used_at IS NULL AND expires_at > $2`, mitidID, s.now()); err != nil {
		return fmt.Errorf("expire pairing codes: %w", err)
	}
	if len(kinds) == 0 {
		return nil
	}
	return s.record(ctx, tx, Activity{MitIDID: mitidID, Kind: ActivityMeansRevoked, Actor: actor,
		Detail: map[string]any{"count": len(kinds), "kinds": kinds}})
}

// raiseAssurance sets the MitID's identity assurance to proven when that is higher, and returns
// the assurance it has now: a MitID made by letter and recovered at borgerservice is high.
func raiseAssurance(ctx context.Context, tx pgx.Tx, m MitID, proven Level) (Level, error) {
	if m.Assurance.AtLeast(proven) {
		return m.Assurance, nil
	}
	if _, err := tx.Exec(ctx, `UPDATE mitid SET identity_assurance = $2 WHERE id = $1`, m.ID, proven); err != nil {
		return "", fmt.Errorf("raise assurance: %w", err)
	}
	return proven, nil
}
