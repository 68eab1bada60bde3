// Command portal is the MitID Portal: one binary with sub-commands to serve, migrate, seed
// demo data, create staff users and manage the hardware-token inventory. See `portal --help`.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"runtime/pprof"
	"syscall"
	_ "time/tzdata" // Europe/Copenhagen must resolve on machines without zoneinfo.
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "portal:", err)
		}
		os.Exit(1)
	}
}

// command is one sub-command.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env *environment, args []string) error
}

// environment is what every sub-command gets: the configuration and where to write.
type environment struct {
	getenv func(string) string
	stdout io.Writer
	stderr io.Writer
}

func commands() []command {
	return []command{
		{"serve", "run the web portal (migrates the database first)", cmdServe},
		{"migrate", "apply pending database migrations and exit", cmdMigrate},
		{"seed", "add demo data (only with PORTAL_DEMO=true)", cmdSeed},
		{"staff", "manage staff users: `portal staff create --role ROLE EMAIL`, `portal staff enrol EMAIL`, `portal staff unlock EMAIL`", cmdStaff},
		{"tokens", "hardware-token inventory: `portal tokens import FILE`, `portal tokens code SERIAL`", cmdTokens},
		{"audit", "audit log: `portal audit verify`", cmdAudit},
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	env := &environment{getenv: getenv, stdout: stdout, stderr: stderr}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stdout)
		if len(args) == 0 {
			return errors.New("missing sub-command")
		}
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, env, args[1:])
		}
	}
	usage(stderr)
	return fmt.Errorf("unknown sub-command %q", args[0])
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: portal COMMAND [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run `portal COMMAND --help` for a command's flags. Configuration comes from")
	fmt.Fprintln(w, "environment variables; the README lists them.")
}

// newFlags returns a flag set whose --help prints the command's usage to stdout.
func newFlags(env *environment, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	fs.Usage = func() {
		fs.SetOutput(env.stdout)
		fmt.Fprintf(env.stdout, "Usage: portal %s\n\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args; --help is a success, not an error.
func parseFlags(fs *flag.FlagSet, args []string) (help bool, err error) {
	err = fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		return true, nil
	}
	return false, err
}

// releaseStartupMemory collects once the garbage of start-up and hands its pages back to the
// operating system at once, rather than as the background scavenger gets to them over minutes.
// The migrations, the templates and the i18n bundles leave a heap about twice what stays live,
// and an idle instance would otherwise keep it resident. Once per process;
// the pause is a few milliseconds before the first request can have arrived in numbers.
func releaseStartupMemory() { debug.FreeOSMemory() }

// writeHeapProfile writes the heap profile (PORTAL_HEAP_PROFILE) right after
// releaseStartupMemory: what an idle instance holds live, and where start-up allocated, for
// `go tool pprof -sample_index=inuse_space bin/portal FILE`. It is written once, at start, so
// the portal needs no profiling endpoint.
func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
