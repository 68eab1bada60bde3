package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"mitidportal/audit"
	"mitidportal/db"
)

const auditUsage = `Usage:
  portal audit verify [--anchor FILE]
                        seal the entries committed so far, check the audit log's keyed chain from
                        the first entry to the last with AUDIT_KEYS, and compare its tail with the
                        newest anchor in FILE (default AUDIT_ANCHOR_FILE); exits with status 1 and
                        names the first bad entry when the log is changed, forged or truncated`

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

// cmdAuditVerify does not migrate, so that checking a production database changes nothing but
// what every running instance does each second anyway: it seals the pending entries first, so
// that the check covers everything committed until now.
func cmdAuditVerify(ctx context.Context, env *environment, args []string) error {
	fs := newFlags(env, "audit verify", "audit verify [--anchor FILE]")
	anchorFile := fs.String("anchor", "", "anchor file to check the chain's tail against (default: AUDIT_ANCHOR_FILE)")
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
	if cfg.AuditKeys.Empty() {
		return errors.New("AUDIT_KEYS must be set to the keys the log was sealed with")
	}
	if *anchorFile == "" {
		*anchorFile = cfg.AuditAnchorFile
	}
	var opts audit.VerifyOptions
	noAnchor := "no anchor file (set AUDIT_ANCHOR_FILE or pass --anchor)"
	if *anchorFile != "" {
		a, err := audit.ReadNewestAnchor(*anchorFile)
		switch {
		case errors.Is(err, audit.ErrNoAnchor):
			noAnchor = "the anchor file holds no anchor yet"
		case err != nil:
			return err
		default:
			opts.Anchor = &a
		}
	}
	pool, err := db.Open(ctx, cfg.DatabaseURL, 2)
	if err != nil {
		return err
	}
	defer pool.Close()
	chain, err := audit.NewChain(pool, cfg.AuditKeys)
	if err != nil {
		return err
	}
	sealed, err := chain.Seal(ctx)
	if err == nil {
		var rep audit.Report
		if rep, err = chain.Verify(ctx, opts); err == nil {
			return printAuditReport(env, rep, opts.Anchor, sealed, noAnchor)
		}
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42P01" { // undefined_table
		return errors.New("the database has no keyed audit chain yet: run `portal migrate` first")
	}
	return err
}

func printAuditReport(env *environment, rep audit.Report, anchor *audit.Anchor, sealed int, noAnchor string) error {
	out := env.stdout
	if sealed > 0 {
		fmt.Fprintf(out, "sealed %d entries that were waiting for the sealer\n", sealed)
	}
	if b := rep.Broken; b != nil {
		fmt.Fprintf(out, "audit log BROKEN at %s: %s\n", breakPlace(b), b.Reason)
		if anchor != nil && (b.Reason == audit.ReasonTruncated || b.Reason == audit.ReasonAnchorMismatch) {
			fmt.Fprintf(out, "the newest anchor (%s) covers seq %d (%d entries, hash %x); the chain ends at seq %d\n",
				anchor.At.Format(time.RFC3339), anchor.Seq, anchor.Count, anchor.Hash, rep.LastSeq)
		}
		fmt.Fprintf(out, "%d entries before it are intact (last intact: seq %d, entry %d)\n", rep.Entries, rep.LastSeq, rep.LastID)
		return errAuditBroken
	}
	fmt.Fprintf(out, "audit log intact: %d entries\n", rep.Entries)
	fmt.Fprintf(out, "head: seq %d (entry %d), hmac-sha256 %x\n", rep.LastSeq, rep.LastID, rep.Head)
	if rep.Unsealed > 0 {
		fmt.Fprintf(out, "%d entries committed in the last moments are not sealed yet\n", rep.Unsealed)
	}
	if anchor != nil {
		fmt.Fprintf(out, "tail matches the newest anchor (%s: seq %d, %d entries)\n",
			anchor.At.Format(time.RFC3339), anchor.Seq, anchor.Count)
	} else {
		fmt.Fprintf(out, "%s: entries deleted from the end cannot be detected\n", noAnchor)
	}
	return nil
}

// breakPlace names where the chain breaks: its seq and entry id where known.
func breakPlace(b *audit.Break) string {
	switch {
	case b.Seq > 0 && b.EntryID > 0:
		return fmt.Sprintf("seq %d (entry %d)", b.Seq, b.EntryID)
	case b.Seq > 0:
		return fmt.Sprintf("seq %d", b.Seq)
	}
	return fmt.Sprintf("entry %d", b.EntryID)
}
