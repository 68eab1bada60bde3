package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"mitidportal/app"
	"mitidportal/identity"
)

// The demo citizen in the middle of the move from NemID to MitID (issue 11): their bank
// selected them nemidDemoDaysAgo days before the first seed, they already have a MitID with a
// code display to log in with, and their NemID is not closed yet, so /mitid shows the deadline
// and offers the one extension.
const (
	nemidDemoUsername = "demo.nemid"
	nemidDemoSerial   = "DEMO-CD-0003"
	nemidDemoDaysAgo  = 12
)

// seedNemID adds the selected demo citizen and prints how to log in as them. A second run
// finds the MitID and keeps the first selection, so it adds nothing.
func seedNemID(ctx context.Context, env *environment, cfg app.Config, a *app.App) error {
	now := time.Now
	if cfg.Now != nil {
		now = cfg.Now
	}
	// Its own generator: the other demo citizens' draws stay as they were.
	rng := rand.New(rand.NewPCG(2026, 35))
	var person identity.Person
	for _, p := range identity.GenerateDemoPersons(rng, 20) {
		if !p.Deceased && p.Email != "" && p.IDDocumentNumber != "" {
			person = p
			break
		}
	}
	secret := make([]byte, 20)
	for i := range secret {
		secret[i] = byte(rng.IntN(256))
	}
	m, err := a.Identity.SetUpDemoCitizen(ctx, identity.DemoCitizen{Person: person, Username: nemidDemoUsername,
		Password: identity.DemoPassword, Assurance: identity.LevelSubstantial,
		Token: &identity.TokenSeed{Serial: nemidDemoSerial, Kind: identity.KindCodeDisplay, Secret: secret,
			Algorithm: "SHA1", Digits: 6, Period: 30}})
	if err != nil {
		return fmt.Errorf("demo nemid citizen: %w", err)
	}
	if err := a.Persons.SelectForNemIDMove(ctx, m.CPR, now().Add(-nemidDemoDaysAgo*24*time.Hour)); err != nil {
		return fmt.Errorf("demo nemid selection: %w", err)
	}
	st, err := a.Identity.NemIDStatusOf(ctx, m.ID)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "Demo citizen moving from NemID (selected by the bank, deadline %s, %d days left):\n",
		st.Deadline.Format("02-01-2006"), st.DaysLeft)
	fmt.Fprintf(env.stdout, "  %-20s %s %s; its current code: PORTAL_DEMO=true scripts/devdb.sh bin/portal tokens code %s\n",
		nemidDemoUsername, identity.KindCodeDisplay, nemidDemoSerial, nemidDemoSerial)
	return nil
}
