// Package apptest starts the whole portal for a test: a fresh migrated database, the production
// wiring from app.New, the background workers and an HTTP server on a random loopback port
// reached as http://localhost:PORT (WebAuthn needs a domain name, not an IP address).
package apptest

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"mitidportal/app"
	"mitidportal/audit"
	"mitidportal/blob"
	"mitidportal/db"
	"mitidportal/db/dbtest"
	"mitidportal/identity"
	"mitidportal/logging"
	"mitidportal/mail"
	"mitidportal/mail/demobox"
	"mitidportal/session"
)

// Env is a running portal.
type Env struct {
	App *app.App
	// URL is the portal's base URL, http://localhost:PORT.
	URL string
	// DemoMail is the demo mail server with Options.DemoMailbox, else nil.
	DemoMail *demobox.Box
}

// Options adjust the portal a test starts.
type Options struct {
	// SMTPPort is where mail goes; 0 means a closed port (mail is queued, not delivered).
	SMTPPort int
	// DemoMailbox sends mail to the demo mail server in the process instead, as `make run`
	// does, and shows it at /demo/post; Env.DemoMail is that server.
	DemoMailbox bool
	// Now fixes the clock the pages show (the footer's open/closed status).
	Now func() time.Time
	// Limits bound failed logins; zero fields take the defaults.
	Limits identity.Limits
	// Clock, when set, is the identity domain's clock (app.Config.Now): MitIDs, means, TOTP
	// steps, activation codes and letters. The test moves it with Advance, such as to use a
	// letter's code days after it was sent.
	Clock *Clock
	// DatabaseURL, when set, is an empty database the portal migrates and uses instead of a
	// fresh one on the shared test server: a test that stops its database server
	// (package resilience) runs its own.
	DatabaseURL string
	// MailRetry, when set, replaces the half-second retry of failed jobs (shortRetry).
	MailRetry river.ClientRetryPolicy
	// Argon, when set, replaces the cheap test parameters of argon2id (the burst test runs the
	// real cost); HashConcurrency bounds the computations at once (0: sized to memory).
	Argon           identity.ArgonParams
	HashConcurrency int
	// TrustProxy takes client addresses from X-Forwarded-For, so a test can send from many.
	TrustProxy bool
}

// Clock is a clock a test moves forward; it starts at the real time and runs with it.
type Clock struct {
	mu     sync.Mutex
	offset time.Duration
}

// Now is the real time plus every Advance so far.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}

// tokenKey is a fresh random key per portal, so no test depends on a fixed one.
func tokenKey() []byte {
	k := make([]byte, 32)
	_, _ = rand.Read(k)
	return k
}

// auditKeys is a fresh audit key per portal, like tokenKey.
func auditKeys() audit.Keyring {
	ring, err := audit.NewKeyring(audit.Key{ID: "test", Secret: tokenKey()})
	if err != nil {
		panic(err) // a valid id and length: cannot happen
	}
	return ring
}

// New starts a portal that lives until the test ends. Logs go to the test log only with
// PORTAL_TEST_LOG=1, to keep failures readable.
func New(t testing.TB, opts Options) *Env {
	t.Helper()
	dbURL := opts.DatabaseURL
	if dbURL == "" {
		_, dbURL = dbtest.NewWithURL(t)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	base := "http://localhost:" + strconv.Itoa(port)
	var out io.Writer = io.Discard
	if os.Getenv("PORTAL_TEST_LOG") == "1" {
		out = os.Stderr
	}
	smtpPort := opts.SMTPPort
	if smtpPort == 0 {
		smtpPort = 1 // nothing listens there: mail waits in the outbox
	}
	cfg := app.Config{
		DatabaseURL: dbURL,
		BaseURL:     base,
		SMTP: mail.SMTPConfig{Host: "127.0.0.1", Port: smtpPort, From: "MitID <noreply@localhost>",
			TLS: "none", Timeout: 5 * time.Second},
		SupportPhone:    "33 98 00 10",
		BlockPhone:      "33 98 00 10",
		Demo:            true,
		SessionIdle:     30 * time.Minute,
		SessionAbsolute: 8 * time.Hour,
		MaxConns:        8,
		MailRetry:       shortRetry{},
		TokenKey:        tokenKey(),
		CSRFKey:         tokenKey(),
		AuditKeys:       auditKeys(),
		Limits:          opts.Limits,
		// Cheap argon2id: what the tests check does not depend on the cost, and it keeps the
		// suite fast as it grows.
		Argon: identity.TestArgonParams,
	}
	if opts.Argon != (identity.ArgonParams{}) {
		cfg.Argon = opts.Argon
	}
	cfg.HashConcurrency, cfg.TrustProxy = opts.HashConcurrency, opts.TrustProxy
	files, err := blob.NewDisk(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cfg.Files = files
	if opts.Clock != nil {
		cfg.Now = opts.Clock.Now
	}
	if opts.MailRetry != nil {
		cfg.MailRetry = opts.MailRetry
	}
	var box *demobox.Box
	if opts.DemoMailbox {
		if box, err = demobox.Start(logging.New(out, slog.LevelInfo)); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { box.Close() }) // registered first, so it stops after the portal
		cfg.SMTP.Port, cfg.DemoMail = box.Port(), box
	}
	// The tracer records only statements whose context carries a QueryLog (queries.go).
	ctx := db.WithQueryTracer(context.Background(), queryTracer{})
	a, err := app.New(ctx, cfg, logging.New(out, slog.LevelInfo))
	if err != nil {
		t.Fatal(err)
	}
	if opts.Now != nil {
		a.Server.Now = opts.Now
	}
	if err := a.Start(ctx); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(a.Handler())
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(func() {
		srv.Close()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		a.Close(sctx)
	})
	return &Env{App: a, URL: base, DemoMail: box}
}

// CSRFToken is the CSRF token of every session LoginAs creates.
const CSRFToken = "apptest-csrf-token"

// LoginAs stores a session for subject directly, the way a completed login would, and returns
// its cookie; the session's CSRF token is CSRFToken. An anonymous subject gives an anonymous
// session that has a CSRF token, as after viewing a form. Tests of authorisation use it so every role can be tried without walking each
// login ceremony; the browser tests walk the real ceremonies.
func (e *Env) LoginAs(t testing.TB, sub session.Subject) *http.Cookie {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, e.URL+"/", nil)
	sess, err := e.App.Sessions.New(r, "portal")
	if err != nil {
		t.Fatal(err)
	}
	if !sub.Anonymous() {
		session.SetSubject(sess, sub)
	}
	sess.Values["csrf"] = CSRFToken
	w := httptest.NewRecorder()
	if err := e.App.Sessions.Rotate(r, w, sess); err != nil {
		t.Fatal(err)
	}
	return w.Result().Cookies()[0]
}

// shortRetry retries failed jobs after half a second, so tests of an SMTP outage finish fast.
type shortRetry struct{}

func (shortRetry) NextRetry(*rivertype.JobRow) time.Time {
	return time.Now().Add(500 * time.Millisecond)
}

// NewCitizen puts a new invented person with an e-mail address and a MitID (password only,
// identity assurance substantial) into the portal's database and returns the MitID; Password
// is its password.
// Tests that need means add them through the identity API.
func (e *Env) NewCitizen(t testing.TB) identity.MitID {
	t.Helper()
	seed := make([]byte, 8)
	_, _ = rand.Read(seed)
	rng := mrand.New(mrand.NewPCG(binary.LittleEndian.Uint64(seed), 1))
	p := identity.GenerateDemoPersons(rng, 1)[0]
	p.Deceased = false
	// A letter inside the hex: ten digits in a row could read as a CPR number, which a username
	// may not contain.
	h := hex.EncodeToString(seed[:5])
	name := "test." + h[:5] + "x" + h[5:]
	if p.Email == "" {
		p.Email = name + "@" + identity.DemoEmailDomain
	}
	m, err := e.App.Identity.SetUpDemoCitizen(context.Background(), identity.DemoCitizen{
		Person: p, Username: name, Password: Password,
		Assurance: identity.LevelSubstantial,
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// Password is the password of every citizen NewCitizen makes.
const Password = identity.DemoPassword

// codeStep is the kodevisers' time step.
const codeStep = 30 * time.Second

// PreviousStepCode is what the kodeviser with serial showed one time step ago: accepted once,
// and the current step is then still free for a login that follows. It is taken at least 10 s
// before the step turns, so that it is still the previous step when the portal checks it: a
// turn between computing and checking would make it two steps old, which is refused (a loaded
// CI machine took that long between computing and checking). Tests that move Options.Clock
// forward compute their codes from that clock themselves.
func (e *Env) PreviousStepCode(t testing.TB, serial string) string {
	t.Helper()
	if left := codeStep - time.Duration(time.Now().UnixNano())%codeStep; left < 10*time.Second {
		time.Sleep(left + 100*time.Millisecond)
	}
	code, err := e.App.Tokens.Code(context.Background(), serial, time.Now().Add(-codeStep))
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// ActivateCodeDisplay imports a kodeviser with a random secret under serial and activates it
// for the MitID with the previous step's code (PreviousStepCode), so the current step is free
// for a login.
func (e *Env) ActivateCodeDisplay(t testing.TB, mitID int64, serial, actor string) {
	t.Helper()
	ctx := context.Background()
	secret := make([]byte, 20)
	_, _ = rand.Read(secret)
	if _, err := e.App.Tokens.Import(ctx, []identity.TokenSeed{{Serial: serial, Kind: identity.KindCodeDisplay, Secret: secret}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.App.Identity.ActivateToken(ctx, mitID, serial, e.PreviousStepCode(t, serial), actor); err != nil {
		t.Fatal(err)
	}
}
