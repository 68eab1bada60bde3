package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"

	"mitidportal/app"
	"mitidportal/identity"
	"mitidportal/identity/pskc"
)

// demoPSKCFile is where the seed writes the demo token maker's file before importing it, the
// way a real delivery of units would arrive. The folder is git-ignored.
const demoPSKCFile = ".cache/demo-tokens.pskc"

// seedCitizens adds the demo citizens (the same ones every run: the generator is seeded) and a
// stock of demo hardware tokens from a PSKC file, and prints how to log in as each.
func seedCitizens(ctx context.Context, env *environment, a *app.App) error {
	rng := rand.New(rand.NewPCG(2026, 11))
	citizens := identity.DemoCitizens(rng)
	for _, c := range citizens {
		if _, err := a.Identity.SetUpDemoCitizen(ctx, c); err != nil {
			return err
		}
	}
	stock, err := writeDemoPSKC(rng)
	if err != nil {
		return err
	}
	added, err := a.Tokens.Import(ctx, tokenSeeds(stock))
	if err != nil {
		return err
	}
	out := env.stdout
	fmt.Fprintf(out, "Demo citizens (password for all: %s):\n", identity.DemoPassword)
	for _, c := range citizens {
		switch {
		case c.Username == "":
			fmt.Fprintf(out, "  no MitID yet: create one at /opret with CPR %s, name %q, document number %s;\n",
				c.Person.CPR, c.Person.FullName(), c.Person.IDDocumentNumber)
			fmt.Fprintln(out, "    the activation letter is in the demo mailbox at /demo/post")
		case c.Blocked:
			fmt.Fprintf(out, "  %-20s blocked: shows what a blocked citizen sees\n", c.Username)
		case c.Token != nil:
			fmt.Fprintf(out, "  %-20s %s %s; its current code: PORTAL_DEMO=true scripts/devdb.sh bin/portal tokens code %s\n",
				c.Username, c.Token.Kind, c.Token.Serial, c.Token.Serial)
		}
	}
	fmt.Fprintf(out, "Demo token stock: %d units from %s (%d new), e.g. %s and %s to add as a means.\n",
		len(stock), demoPSKCFile, added, stock[0].Serial, stock[len(stock)-1].Serial)
	fmt.Fprintln(out, "A chip (security key) or the app can be added once logged in (/mitid).")
	return nil
}

// writeDemoPSKC writes the demo token stock as a PSKC file and returns its keys.
func writeDemoPSKC(rng *rand.Rand) ([]pskc.Key, error) {
	var keys []pskc.Key
	for i := range 12 {
		k := pskc.Key{Serial: fmt.Sprintf("DEMO-KV-%04d", 1001+i), Model: "MitID-KV-2", Kind: pskc.KindCodeDisplay,
			Algorithm: pskc.SHA1, Digits: 6, Period: 30, Secret: make([]byte, 20)}
		if i >= 10 {
			k.Serial = fmt.Sprintf("DEMO-KO-%04d", 1001+i)
			k.Model, k.Kind = "MitID-KO-2", pskc.KindAudioReader
		}
		for j := range k.Secret {
			k.Secret[j] = byte(rng.IntN(256))
		}
		keys = append(keys, k)
	}
	if err := os.MkdirAll(filepath.Dir(demoPSKCFile), 0o700); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(demoPSKCFile, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, err
	}
	if err := pskc.Write(f, keys, nil); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	// Read back through the parser, as `portal tokens import` would.
	f, err = os.Open(demoPSKCFile)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return pskc.Parse(f, nil)
}
