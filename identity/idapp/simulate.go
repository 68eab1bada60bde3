package idapp

import (
	"crypto/rand"
	"fmt"
	"math/big"
	"time"

	"mitidportal/identity"
)

// Simulation is what the demo simulator's tester chooses: whose passport the app reads, whether
// the liveness check passes, and a refusal to show.
type Simulation struct {
	Person   identity.Person
	Nonce    string
	Liveness bool
	// Expired makes a result that expired before it arrives.
	Expired bool
	// WrongNonce signs a nonce the portal never handed out instead of Nonce.
	WrongNonce bool
}

// Simulate plays the identification app and service for the demo: the claims of
// SimulatedClaims, signed with the demo key, which only the demo mode trusts.
func Simulate(s Simulation, now time.Time) (string, error) {
	c, err := SimulatedClaims(s, now)
	if err != nil {
		return "", err
	}
	return Sign(DemoKey(), DemoKeyID, c)
}

// SimulatedClaims are the claims the identification service would sign after reading an
// invented passport of the person: the MRZ with correct check digits, valid for five more
// years.
func SimulatedClaims(s Simulation, now time.Time) (Claims, error) {
	number, err := rand.Int(rand.Reader, big.NewInt(1e9))
	if err != nil {
		return Claims{}, fmt.Errorf("idapp simulate: %w", err)
	}
	sex := "F"
	if s.Person.CPR.Sex() == identity.SexMale {
		sex = "M"
	}
	lines, err := PassportMRZ(fmt.Sprintf("%09d", number.Int64()), s.Person.FamilyName, s.Person.GivenName,
		s.Person.BirthDate, sex, now.AddDate(5, 0, 0))
	if err != nil {
		return Claims{}, err
	}
	nonce := NormNonce(s.Nonce)
	if s.WrongNonce {
		if nonce, err = newNonceCode(); err != nil {
			return Claims{}, err
		}
	}
	iat, exp := now, now.Add(5*time.Minute)
	if s.Expired {
		iat, exp = now.Add(-20*time.Minute), now.Add(-15*time.Minute)
	}
	return Claims{
		CPR: string(s.Person.CPR), GivenNames: s.Person.GivenName, Surname: s.Person.FamilyName,
		MRZ: lines[:], Liveness: s.Liveness, Nonce: nonce, IssuedAt: iat.Unix(), Expiry: exp.Unix(),
	}, nil
}
