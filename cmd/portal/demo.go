package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"

	"github.com/emersion/go-smtp"

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
	return nil
}

// demoMailbox is an SMTP server on loopback that accepts every mail and drops it. In demo
// mode without SMTP_HOST, mail still takes the real path (outbox, job, SMTP) and the outbox
// table keeps each message for the demo mail view.
type demoMailbox struct {
	srv *smtp.Server
	ln  net.Listener
}

func startDemoMailbox(log *slog.Logger) (*demoMailbox, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("demo mailbox: %w", err)
	}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &dropSession{}, nil }))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, smtp.ErrServerClosed) {
			log.Error("demo mailbox", "error", err.Error())
		}
	}()
	log.Info("demo mailbox listening", "addr", ln.Addr().String())
	return &demoMailbox{srv: srv, ln: ln}, nil
}

func (m *demoMailbox) Port() int    { return m.ln.Addr().(*net.TCPAddr).Port }
func (m *demoMailbox) Close() error { return m.srv.Close() }

type dropSession struct{}

func (dropSession) AuthPlain(string, string) error       { return nil }
func (dropSession) Mail(string, *smtp.MailOptions) error { return nil }
func (dropSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (dropSession) Data(r io.Reader) error               { _, err := io.Copy(io.Discard, r); return err }
func (dropSession) Reset()                               {}
func (dropSession) Logout() error                        { return nil }
