package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"mitidportal/db"
	"mitidportal/logging"
	"mitidportal/staff"
)

// roleFlags collects repeated --role flags.
type roleFlags []string

func (r *roleFlags) String() string     { return strings.Join(*r, ",") }
func (r *roleFlags) Set(v string) error { *r = append(*r, v); return nil }

func cmdStaff(ctx context.Context, env *environment, args []string) error {
	if len(args) == 0 || args[0] != "create" {
		if len(args) > 0 && (args[0] == "--help" || args[0] == "-h") {
			fmt.Fprintln(env.stdout, "Usage: portal staff create --role ROLE [--role ROLE...] [--name NAME] EMAIL")
			return nil
		}
		return errors.New("usage: portal staff create --role ROLE [--role ROLE...] [--name NAME] EMAIL")
	}
	fs := newFlags(env, "staff create", "staff create --role ROLE [--role ROLE...] [--name NAME] EMAIL")
	var roles roleFlags
	fs.Var(&roles, "role", "role to grant, repeatable: "+strings.Join(staff.Roles, ", "))
	name := fs.String("name", "", "full name (defaults to the part of EMAIL before @)")
	if help, err := parseFlags(fs, args[1:]); help || err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("give exactly one EMAIL")
	}
	email := fs.Arg(0)
	if *name == "" {
		*name, _, _ = strings.Cut(email, "@")
	}
	cfg, _, err := loadConfig(env.getenv)
	if err != nil {
		return err
	}
	pool, err := db.Open(ctx, cfg.DatabaseURL, 2)
	if err != nil {
		return err
	}
	defer pool.Close()
	if err := db.Migrate(ctx, pool, logging.New(io.Discard, 0)); err != nil {
		return err
	}
	u, token, err := staff.NewStore(pool).Create(ctx, email, *name, roles)
	var se *staff.Error
	if errors.As(err, &se) {
		return fmt.Errorf("cannot create %s: %s", email, staffErrorText[se.MsgID])
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "Created staff user %d <%s> with roles %s.\n", u.ID, u.Email, strings.Join(u.Roles, ", "))
	fmt.Fprintf(env.stdout, "One-time enrolment link (valid %s): %s/medarbejder/tilmeld/%s\n",
		staff.EnrolmentLifetime, cfg.BaseURL, token)
	return nil
}

// staffErrorText is the command line's wording of staff rules (the command line is for
// operators and speaks English; the web pages translate the same message IDs).
var staffErrorText = map[string]string{
	"staff.err.email_taken":   "a staff user with that e-mail address exists",
	"staff.err.invalid_email": "not a valid e-mail address",
	"staff.err.invalid_role":  "give at least one --role from " + strings.Join(staff.Roles, ", "),
	"staff.err.name_required": "a name is required",
}
