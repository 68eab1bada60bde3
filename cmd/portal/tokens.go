package main

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"mitidportal/db"
	"mitidportal/identity"
	"mitidportal/identity/pskc"
	"mitidportal/logging"
)

const tokensUsage = `Usage:
  portal tokens import [--psk HEX] FILE   add the units of a PSKC (RFC 6030) file to the inventory
  portal tokens code SERIAL               print a demo unit's current code (demo mode only)`

func cmdTokens(ctx context.Context, env *environment, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(env.stderr, tokensUsage)
		return errors.New("missing tokens command")
	}
	switch args[0] {
	case "-h", "--help", "help":
		fmt.Fprintln(env.stdout, tokensUsage)
		return nil
	case "import":
		return cmdTokensImport(ctx, env, args[1:])
	case "code":
		return cmdTokensCode(ctx, env, args[1:])
	}
	fmt.Fprintln(env.stderr, tokensUsage)
	return fmt.Errorf("unknown tokens command %q", args[0])
}

func cmdTokensImport(ctx context.Context, env *environment, args []string) error {
	fs := newFlags(env, "tokens import", "tokens import [--psk HEX] FILE")
	psk := fs.String("psk", "", "pre-shared key (hex) the maker encrypted the seeds with; empty for plain seeds")
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("give exactly one FILE")
	}
	var key []byte
	if *psk != "" {
		var err error
		if key, err = hex.DecodeString(*psk); err != nil {
			return errors.New("--psk must be hexadecimal")
		}
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	defer f.Close()
	keys, err := pskc.Parse(f, key)
	if err != nil {
		return fmt.Errorf("%s: %w", fs.Arg(0), err)
	}
	tokens, closeDB, err := openTokens(ctx, env)
	if err != nil {
		return err
	}
	defer closeDB()
	added, err := tokens.Import(ctx, tokenSeeds(keys))
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "Read %d units from %s; %d new in the inventory (%d were there already).\n",
		len(keys), fs.Arg(0), added, len(keys)-added)
	return nil
}

func cmdTokensCode(ctx context.Context, env *environment, args []string) error {
	fs := newFlags(env, "tokens code", "tokens code SERIAL")
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("give exactly one SERIAL")
	}
	cfg, _, err := loadConfig(env.getenv)
	if err != nil {
		return err
	}
	if !cfg.Demo {
		// Outside the demo, printing a unit's code would make the unit worthless as a second
		// factor: whoever runs this command could log in as its owner.
		return errors.New("tokens code works only in demo mode (PORTAL_DEMO=true)")
	}
	tokens, closeDB, err := openTokens(ctx, env)
	if err != nil {
		return err
	}
	defer closeDB()
	code, err := tokens.Code(ctx, fs.Arg(0), time.Now())
	if errors.Is(err, identity.ErrNotFound) {
		return fmt.Errorf("no unit with serial %q", fs.Arg(0))
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(env.stdout, code)
	return nil
}

// openTokens opens the database (migrating it) and the token inventory.
func openTokens(ctx context.Context, env *environment) (*identity.Tokens, func(), error) {
	cfg, _, err := loadConfig(env.getenv)
	if err != nil {
		return nil, nil, err
	}
	pool, err := db.Open(ctx, cfg.DatabaseURL, 2)
	if err != nil {
		return nil, nil, err
	}
	if err := db.Migrate(ctx, pool, logging.New(io.Discard, 0)); err != nil {
		pool.Close()
		return nil, nil, err
	}
	tokens, err := identity.NewTokens(pool, cfg.TokenKey)
	if err != nil {
		pool.Close()
		return nil, nil, err
	}
	return tokens, pool.Close, nil
}

// tokenSeeds converts parsed PSKC keys to the inventory's seeds.
func tokenSeeds(keys []pskc.Key) []identity.TokenSeed {
	seeds := make([]identity.TokenSeed, len(keys))
	for i, k := range keys {
		seeds[i] = identity.TokenSeed{Serial: k.Serial, Kind: identity.Kind(k.Kind), Secret: k.Secret,
			Algorithm: k.Algorithm, Digits: k.Digits, Period: k.Period}
	}
	return seeds
}
