package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"

	"mitidportal/db"
	"mitidportal/logging"
	"mitidportal/session"
	"mitidportal/staff"
)

// roleFlags collects repeated --role flags.
type roleFlags []string

func (r *roleFlags) String() string     { return strings.Join(*r, ",") }
func (r *roleFlags) Set(v string) error { *r = append(*r, v); return nil }

const staffUsage = `Usage: portal staff COMMAND
  portal staff create --role ROLE [--role ROLE...] [--name NAME] EMAIL
  portal staff enrol EMAIL [--replace-keys]
                              a new one-time enrolment link; earlier links stop working; with
                              --replace-keys (a lost security key) the keys and the password
                              are removed and the sessions ended (audited)
  portal staff unlock EMAIL   end the lock after too many failed logins now (audited)`

func cmdStaff(ctx context.Context, env *environment, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "create":
			return cmdStaffCreate(ctx, env, args[1:])
		case "enrol":
			return cmdStaffEnrol(ctx, env, args[1:])
		case "unlock":
			return cmdStaffUnlock(ctx, env, args[1:])
		case "--help", "-h":
			fmt.Fprintln(env.stdout, staffUsage)
			return nil
		}
	}
	return errors.New("usage: portal staff create|enrol|unlock ... (see portal staff --help)")
}

// staffPool opens the database of the configuration and migrates it.
func staffPool(ctx context.Context, env *environment) (*pgxpool.Pool, string, error) {
	cfg, _, err := loadConfig(env.getenv)
	if err != nil {
		return nil, "", err
	}
	pool, err := db.Open(ctx, cfg.DatabaseURL, 2)
	if err != nil {
		return nil, "", err
	}
	if err := db.Migrate(ctx, pool, logging.New(io.Discard, 0)); err != nil {
		pool.Close()
		return nil, "", err
	}
	return pool, cfg.BaseURL, nil
}

func cmdStaffCreate(ctx context.Context, env *environment, args []string) error {
	fs := newFlags(env, "staff create", "staff create --role ROLE [--role ROLE...] [--name NAME] EMAIL")
	var roles roleFlags
	fs.Var(&roles, "role", "role to grant, repeatable: "+strings.Join(staff.Roles, ", "))
	name := fs.String("name", "", "full name (defaults to the part of EMAIL before @)")
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("give exactly one EMAIL")
	}
	email := fs.Arg(0)
	if *name == "" {
		*name, _, _ = strings.Cut(email, "@")
	}
	pool, baseURL, err := staffPool(ctx, env)
	if err != nil {
		return err
	}
	defer pool.Close()
	u, token, err := staff.NewStore(pool, staff.Config{}).Create(ctx, email, *name, roles)
	var se *staff.Error
	if errors.As(err, &se) {
		return fmt.Errorf("cannot create %s: %s", email, staffErrorText[se.MsgID])
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "Created staff user %d <%s> with roles %s.\n", u.ID, u.Email, strings.Join(u.Roles, ", "))
	printEnrolmentLink(env.stdout, baseURL, token)
	return nil
}

// printEnrolmentLink prints the one-time enrolment link of token.
func printEnrolmentLink(w io.Writer, baseURL, token string) {
	fmt.Fprintf(w, "One-time enrolment link (valid %s): %s/medarbejder/tilmeld/%s\n", staff.EnrolmentLifetime, baseURL, token)
}

// cmdStaffEnrol prints a new one-time enrolment link for an existing account, as the system:
// for the first admin, or when no admin can log in to make one on the admin page. The flag may
// come before or after EMAIL.
func cmdStaffEnrol(ctx context.Context, env *environment, args []string) error {
	fs := newFlags(env, "staff enrol", "staff enrol EMAIL [--replace-keys]")
	replace := fs.Bool("replace-keys", false, "the security key is lost: remove the account's keys and password and end its sessions")
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	if fs.NArg() < 1 {
		return errors.New("give exactly one EMAIL")
	}
	email := fs.Arg(0)
	if help, err := parseFlags(fs, fs.Args()[1:]); help || err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return errors.New("give exactly one EMAIL")
	}
	pool, baseURL, err := staffPool(ctx, env)
	if err != nil {
		return err
	}
	defer pool.Close()
	store := staff.NewStore(pool, staff.Config{EndSessions: session.NewStore(pool, session.Config{}).EndStaffTx})
	u, err := store.ByEmail(ctx, email)
	var token string
	if err == nil {
		u, token, err = store.NewEnrolment(ctx, 0, u.ID, staff.EnrolmentOptions{ReplaceKeys: *replace})
	}
	var se *staff.Error
	switch {
	case errors.Is(err, staff.ErrNotFound):
		return fmt.Errorf("no staff user with the address %s", email)
	case errors.As(err, &se):
		return fmt.Errorf("no new link for %s: %s", email, staffErrorText[se.MsgID])
	case err != nil:
		return err
	}
	fmt.Fprintf(env.stdout, "New enrolment link for staff user %d <%s>; earlier links no longer work.\n", u.ID, u.Email)
	if *replace {
		fmt.Fprintln(env.stdout, "Security keys and password removed; the account's sessions have ended.")
	}
	printEnrolmentLink(env.stdout, baseURL, token)
	return nil
}

// cmdStaffUnlock ends a staff account's lock after failed logins before its time is up, with
// an audit entry in the same transaction (for the admin who is locked out and cannot use the
// admin page).
func cmdStaffUnlock(ctx context.Context, env *environment, args []string) error {
	fs := newFlags(env, "staff unlock", "staff unlock EMAIL")
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("give exactly one EMAIL")
	}
	pool, _, err := staffPool(ctx, env)
	if err != nil {
		return err
	}
	defer pool.Close()
	u, cleared, err := staff.NewStore(pool, staff.Config{}).Unlock(ctx, 0, fs.Arg(0), "cli")
	if errors.Is(err, staff.ErrNotFound) {
		return fmt.Errorf("no staff user with the address %s", fs.Arg(0))
	}
	if err != nil {
		return err
	}
	if cleared {
		fmt.Fprintf(env.stdout, "Unlocked staff user %d <%s>: failed logins cleared.\n", u.ID, u.Email)
	} else {
		fmt.Fprintf(env.stdout, "Staff user %d <%s> had no failed logins; nothing to unlock (recorded).\n", u.ID, u.Email)
	}
	return nil
}

// staffErrorText is the command line's wording of staff rules (the command line is for
// operators and speaks English; the web pages translate the same message IDs).
var staffErrorText = map[string]string{
	"staff.err.email_taken":    "a staff user with that e-mail address exists",
	"staff.err.invalid_email":  "not a valid e-mail address",
	"staff.err.invalid_role":   "give at least one --role from " + strings.Join(staff.Roles, ", "),
	"staff.err.name_required":  "a name is required",
	"staff.err.enrol_disabled": "the account is disabled; enable it on the admin page first",
}
