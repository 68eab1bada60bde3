package main

import (
	"context"
	"errors"
	"fmt"

	"mitidportal/app"
	"mitidportal/logging"
	"mitidportal/staff"
)

func cmdSeed(ctx context.Context, env *environment, args []string) error {
	fs := newFlags(env, "seed", "seed")
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	cfg, level, err := loadConfig(env.getenv)
	if err != nil {
		return err
	}
	a, err := app.New(ctx, cfg, logging.New(env.stderr, level))
	if err != nil {
		return err
	}
	defer a.Close(context.Background())
	return seedDemo(ctx, env, cfg, a)
}

// demoStaff are the staff accounts of the demo.
var demoStaff = []struct {
	email, name string
	roles       []string
}{
	{"admin@demo.mitid.example", "Ada Admin", []string{"admin"}},
	{"agent@demo.mitid.example", "Anders Agent", []string{"agent"}},
	{"supervisor@demo.mitid.example", "Sofie Supervisor", []string{"supervisor", "agent"}},
	{"forsendelse@demo.mitid.example", "Frida Forsendelse", []string{"fulfilment"}},
	{demoEditorEmail, "Karla Kampagne", []string{"campaign_editor"}},
}

// seedDemo adds the demo data once (a second run changes nothing) and prints the accounts.
// It refuses outside demo mode, so it can never put invented people into a real database.
func seedDemo(ctx context.Context, env *environment, cfg app.Config, a *app.App) error {
	if !cfg.Demo {
		return errors.New("seed adds invented people and accounts: run it only with PORTAL_DEMO=true")
	}
	if err := seedCitizens(ctx, env, a); err != nil {
		return err
	}
	if err := seedNemID(ctx, env, cfg, a); err != nil {
		return err
	}
	store := staff.NewStore(a.Pool, staff.Config{})
	fmt.Fprintln(env.stdout, "Demo staff accounts (they log in once they have enrolled a security key):")
	for _, d := range demoStaff {
		u, token, err := store.Create(ctx, d.email, d.name, d.roles)
		switch {
		case errors.Is(err, staff.ErrEmailTaken):
			fmt.Fprintf(env.stdout, "  %-32s %v (exists)\n", d.email, d.roles)
		case err != nil:
			return err
		default:
			fmt.Fprintf(env.stdout, "  %-32s %v enrolment: %s/medarbejder/tilmeld/%s\n", u.Email, u.Roles, cfg.BaseURL, token)
		}
	}
	return seedCampaign(ctx, env, cfg, a)
}
