package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"

	"mitidportal/app"
	"mitidportal/inbound"
	"mitidportal/logging"
	"mitidportal/mail/demobox"
)

func cmdServe(ctx context.Context, env *environment, args []string) error {
	fs := newFlags(env, "serve", "serve [--seed]")
	seed := fs.Bool("seed", false, "add demo data before serving (demo mode only) and print the demo accounts")
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	cfg, level, err := loadConfig(env.getenv)
	if err != nil {
		return err
	}
	log := logging.New(env.stderr, level)
	if cfg.Demo && cfg.SMTP.Host == "" {
		// Mail takes the real path to a server in this process; /demo/post shows what it got.
		mb, err := demobox.Start(log)
		if err != nil {
			return err
		}
		defer mb.Close()
		cfg.SMTP.Host, cfg.SMTP.Port, cfg.SMTP.TLS = "127.0.0.1", mb.Port(), "none"
		cfg.DemoMail = mb
	}
	a, err := app.New(ctx, cfg, log)
	if err != nil {
		return err
	}
	if *seed {
		if err := seedDemo(ctx, env, cfg, a); err != nil {
			a.Close(context.Background())
			return err
		}
	}
	// The job queue gets a context of its own. On the signal's context SIGTERM would hard-stop
	// it at once, beside the HTTP drain: running jobs cancelled mid-way (a mail the server
	// already accepted is sent again by the retry). Close stops it gracefully after the HTTP
	// servers; only a missed shutdown deadline cancels running jobs (stopJobs below).
	jobsCtx, stopJobs := context.WithCancel(context.WithoutCancel(ctx))
	defer stopJobs()
	if err := a.Start(jobsCtx); err != nil {
		a.Close(context.Background())
		return err
	}
	var in *inbound.Server
	if cfg.SMTPInboundAddr != "" {
		in = inbound.NewServer(a.Inbound, mailDomain(cfg.BaseURL), log)
		if err := in.Start(cfg.SMTPInboundAddr); err != nil {
			a.Close(context.Background())
			return err
		}
		defer func() {
			if in != nil {
				in.Close()
			}
		}()
	}
	var draining atomic.Bool
	srv := &http.Server{
		Addr:              env.getenv("PORTAL_ADDR"),
		Handler:           drain(&draining, a.Handler()),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	if srv.Addr == "" {
		srv.Addr = ":8080"
	}
	ln, err := net.Listen("tcp", srv.Addr)
	if err != nil {
		a.Close(context.Background())
		return fmt.Errorf("listen: %w", err)
	}
	servers := []*http.Server{srv}
	listeners := []net.Listener{ln}
	switch {
	case cfg.MetricsAddr != "":
		msrv := &http.Server{Addr: cfg.MetricsAddr, Handler: a.MetricsHandler(),
			ReadHeaderTimeout: 10 * time.Second, WriteTimeout: 30 * time.Second}
		mln, err := net.Listen("tcp", msrv.Addr)
		if err != nil {
			ln.Close()
			a.Close(context.Background())
			return fmt.Errorf("listen for metrics: %w", err)
		}
		servers, listeners = append(servers, msrv), append(listeners, mln)
		log.Info("serving metrics", "addr", mln.Addr().String(), "token", cfg.MetricsToken != "")
	case cfg.MetricsToken == "" && !cfg.Demo:
		log.Warn("/metrics is refused to everyone: set METRICS_TOKEN or METRICS_ADDR to collect metrics")
	}
	log.Info("serving", "addr", ln.Addr().String(), "base_url", cfg.BaseURL, "demo", cfg.Demo)
	fmt.Fprintf(env.stdout, "MitID Portal: %s (Ctrl-C stops it)\n", cfg.BaseURL)

	errc := make(chan error, len(servers))
	for i, s := range servers {
		go func() { errc <- s.Serve(listeners[i]) }()
	}
	releaseStartupMemory()
	if path := env.getenv("PORTAL_HEAP_PROFILE"); path != "" {
		if err := writeHeapProfile(path); err != nil {
			log.Warn("heap profile", "path", path, "error", err.Error())
		}
	}
	select {
	case err := <-errc:
		for _, s := range servers {
			s.Close()
		}
		if in != nil {
			in.Close()
			in = nil
		}
		a.Close(context.Background())
		return err
	case <-ctx.Done():
	}
	// Graceful shutdown, in this order: drain (not ready, every response closes its
	// keep-alive connection), stop accepting and finish the requests in flight, stop the
	// inbound mail listener, let running jobs finish, then close the pool (a.Close).
	log.Info("shutting down", "drain", cfg.ShutdownDrain.String())
	if cfg.ShutdownDrain > 0 {
		draining.Store(true)
		time.Sleep(cfg.ShutdownDrain)
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	defer context.AfterFunc(sctx, stopJobs)()
	for _, s := range servers {
		if err := s.Shutdown(sctx); err != nil {
			log.Warn("http shutdown", "addr", s.Addr, "error", err.Error())
		}
	}
	if in != nil {
		in.Close()
		in = nil
	}
	a.Close(sctx)
	for range servers {
		if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	}
	log.Info("stopped")
	return nil
}

// shutdownTimeout bounds the shutdown after the drain: requests in flight and running jobs
// that take longer are cut off (a cut job is retried by another instance).
const shutdownTimeout = 20 * time.Second

// drain wraps the portal's handler for the drain before a shutdown (SHUTDOWN_DRAIN): /readyz
// answers 503, so a load balancer sends no new traffic, and every response closes its
// keep-alive connection. http.Server.Shutdown alone closes idle keep-alive connections, and a
// request the client sent on one at that moment is lost (the HTTP/1.1 idle-close race); after
// the drain the clients have no idle connection left to this instance.
func drain(draining *atomic.Bool, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if draining.Load() {
			w.Header().Set("Connection", "close")
			if r.URL.Path == "/readyz" {
				w.Header().Set("Retry-After", "30")
				http.Error(w, "shutting down", http.StatusServiceUnavailable)
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}

func cmdMigrate(ctx context.Context, env *environment, args []string) error {
	fs := newFlags(env, "migrate", "migrate")
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
	a.Close(ctx)
	fmt.Fprintln(env.stdout, "database is up to date")
	return nil
}

// mailDomain is the host name of the portal's base URL, which the inbound SMTP server greets
// with.
func mailDomain(baseURL string) string {
	if u, err := url.Parse(baseURL); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	return "localhost"
}
