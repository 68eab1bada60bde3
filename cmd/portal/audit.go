package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"

	"mitidportal/audit"
	"mitidportal/db"
)

const auditUsage = `Usage:
  portal audit verify   check the audit log's hash chain from the first entry to the last;
                        exits with status 1 and names the first broken entry when it is not intact`

// errAuditBroken is the command's failure when the chain is broken (the details are printed).
var errAuditBroken = errors.New("audit log verification failed")

func cmdAudit(ctx context.Context, env *environment, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(env.stderr, auditUsage)
		return errors.New("missing audit command")
	}
	switch args[0] {
	case "-h", "--help", "help":
		fmt.Fprintln(env.stdout, auditUsage)
		return nil
	case "verify":
		return cmdAuditVerify(ctx, env, args[1:])
	}
	fmt.Fprintln(env.stderr, auditUsage)
	return fmt.Errorf("unknown audit command %q", args[0])
}

// cmdAuditVerify only reads: unlike the other commands it does not migrate, so that checking a
// production database never changes it.
func cmdAuditVerify(ctx context.Context, env *environment, args []string) error {
	fs := newFlags(env, "audit verify", "audit verify")
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return errors.New("audit verify takes no arguments")
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
	rep, err := audit.NewLog(pool).Verify(ctx)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42P01" { // undefined_table
		return errors.New("the database has no audit log yet: run `portal migrate` first")
	}
	if err != nil {
		return err
	}
	if rep.Broken != nil {
		fmt.Fprintf(env.stdout, "audit log BROKEN at entry %d: %s\n", rep.Broken.ID, rep.Broken.Reason)
		fmt.Fprintf(env.stdout, "%d entries before it are intact (last intact entry: %d)\n", rep.Entries, rep.LastID)
		return errAuditBroken
	}
	fmt.Fprintf(env.stdout, "audit log intact: %d entries\n", rep.Entries)
	// Deleting entries from the end leaves a shorter intact chain; an operator who records the
	// head somewhere else can tell.
	fmt.Fprintf(env.stdout, "head: entry %d, sha256 %x\n", rep.LastID, rep.Head)
	return nil
}
