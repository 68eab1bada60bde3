package idapp

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"mitidportal/fault"
	"mitidportal/identity"
)

// Refusals of a verified result that does not fit the register.
var (
	// ErrRegisterMismatch is a result whose person the CPR register does not know, who is dead,
	// or whose names or birth date differ from the passport's. One answer for all, so the page
	// does not tell which fact was wrong.
	ErrRegisterMismatch = fault.New("idapp", fault.Invalid, "idapp.err.register_mismatch")
	// ErrPassportExpired is a result read from a passport past its expiry date.
	ErrPassportExpired = fault.New("idapp", fault.Invalid, "idapp.err.passport_expired")
)

// IssuedBy is the activation code's issued_by of a code the identification app earned.
const IssuedBy = "idapp"

// Flow is the identification app's path to an activation code at assurance high (DESIGN.md §3.4
// path 3): a verified result, its nonce spent once in the session that started it, and a person
// the register knows with the passport's names and birth date.
type Flow struct {
	Verifier    *Verifier
	Nonces      *Nonces
	Register    identity.Register
	Identity    *identity.Store
	Activations *identity.Activations
	// Now is the clock; nil is time.Now.
	Now func() time.Time
}

func (f *Flow) now() time.Time {
	if f.Now == nil {
		return time.Now()
	}
	return f.Now()
}

// Complete checks the compact JWS result for the session holding binding (nil for a session
// that started nothing: no nonce is bound to it) and issues an
// activation code at assurance high for what the person's MitID needs (create, recover or lift,
// identity.Store.PurposeFor). No letter goes out: the code is handed over in this session. Where
// the person has a MitID, its activity log records the identification (and so the citizen is
// notified) in the issuing transaction.
//
// The nonce is spent before the register is asked, so every signed result counts once whatever
// its outcome.
func (f *Flow) Complete(ctx context.Context, compact string, binding []byte) (identity.ActivationCode, error) {
	now := f.now()
	r, err := f.Verifier.Verify(compact, now)
	if err != nil {
		return identity.ActivationCode{}, err
	}
	hint, err := f.Nonces.Use(ctx, r.Nonce, binding)
	if err != nil {
		return identity.ActivationCode{}, err
	}
	cpr, err := identity.ParseCPR(r.CPR)
	if err != nil {
		return identity.ActivationCode{}, ErrRegisterMismatch
	}
	p, err := f.Register.ByCPR(ctx, cpr)
	if errors.Is(err, identity.ErrNotFound) {
		return identity.ActivationCode{}, ErrRegisterMismatch
	}
	if err != nil {
		return identity.ActivationCode{}, err
	}
	if err := Match(p, r, now); err != nil {
		return identity.ActivationCode{}, err
	}
	purpose, m, err := f.Identity.PurposeFor(ctx, cpr)
	if err != nil {
		return identity.ActivationCode{}, err
	}
	_, ac, err := f.Activations.IssueAndDeliver(ctx, cpr, purpose, identity.LevelHigh, IssuedBy,
		func(tx pgx.Tx, _ string, c identity.ActivationCode) error {
			// No letter: the code is handed over in this session. The code itself is not kept.
			if m.ID == 0 {
				return nil
			}
			return f.Identity.RecordActivity(ctx, tx, identity.Activity{MitIDID: m.ID,
				Kind: identity.ActivityIdentifiedByApp, Actor: identity.ActorCitizen,
				Detail: map[string]any{"purpose": string(purpose), "hint": hint, "key_id": r.KeyID,
					"expires": c.ExpiresAt.UTC().Format(time.RFC3339)}})
		})
	return ac, err
}

// Match checks a verified result against the register's entry of its CPR number: alive, the
// passport's birth date and names (as the MRZ writes them, and as the chip's claims give them),
// and a passport that has not expired.
func Match(p identity.Person, r Result, now time.Time) error {
	if p.Deceased {
		return ErrRegisterMismatch
	}
	birth := r.Passport.Birth.Time(now, false)
	if !sameDay(birth, p.BirthDate) || !sameDay(birth, p.CPR.BirthDate()) {
		return ErrRegisterMismatch
	}
	if !nameFieldMatches(r.MRZ[0], p.FamilyName, p.GivenName) ||
		Transliterate(r.Surname) != Transliterate(p.FamilyName) ||
		Transliterate(r.GivenNames) != Transliterate(p.GivenName) {
		return ErrRegisterMismatch
	}
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	if r.Passport.Expiry.Time(now, true).Before(today) {
		return ErrPassportExpired
	}
	return nil
}

func sameDay(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}

// ThrottleStart is the throttle purpose of starting an identification, counted per client
// address; StartThrottle its bound. A start costs one row, but nobody needs thirty an hour.
const ThrottleStart = "idapp-start"

// StartThrottle bounds the starts of one client address.
var StartThrottle = identity.ThrottleRule{Max: 30, Window: time.Hour}
