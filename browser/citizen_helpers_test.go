package browser_test

import (
	"context"
	"fmt"
	mrand "math/rand/v2"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"mitidportal/app/apptest"
	"mitidportal/identity"
)

// Helpers for browser tests of a logged-in citizen: a MitID made directly through the identity
// API, then logged in through the pages the way a person does it.

// testCitizen is a citizen made for one test: a person in the register, a MitID (identity
// assurance substantial) with a password, and an active kodeviser.
type testCitizen struct {
	Person   identity.Person
	MitID    identity.MitID
	Password string
	Serial   string // the kodeviser's serial number
}

// citizenSeq numbers the citizens of this test binary, so usernames and serials never clash.
var citizenSeq atomic.Int64

// newCitizen makes a citizen in env's database.
func newCitizen(t testing.TB, env *apptest.Env) testCitizen {
	t.Helper()
	ctx := context.Background()
	n := citizenSeq.Add(1)
	rng := mrand.New(mrand.NewPCG(uint64(time.Now().UnixNano()), uint64(n)))
	p := identity.GenerateDemoPersons(rng, 1)[0]
	// The generator makes one person in fifty deceased and some without an address: a citizen
	// who logs in is alive and has one.
	p.Deceased = false
	if p.Email == "" {
		p.Email = fmt.Sprintf("borger%d@%s", n, identity.DemoEmailDomain)
	}
	if err := env.App.Persons.Insert(ctx, p); err != nil {
		t.Fatalf("insert person: %v", err)
	}
	c := testCitizen{
		Person:   p,
		Password: fmt.Sprintf("Blaabaer-Cykel-%d-Hest", n),
		Serial:   fmt.Sprintf("TEST%08d", n),
	}
	m, err := env.App.Identity.CreateMitID(ctx, identity.NewMitID{
		CPR: p.CPR, Username: fmt.Sprintf("borger%d", n), Password: c.Password,
		Assurance: identity.LevelSubstantial, Actor: identity.ActorSystem,
	})
	if err != nil {
		t.Fatalf("create MitID: %v", err)
	}
	c.MitID = m
	// Activated with the previous step's code: each step is accepted once, and the current one
	// is then still free for the login that follows.
	env.ActivateCodeDisplay(t, m.ID, c.Serial, identity.ActorSystem)
	return c
}

// code is what the citizen's kodeviser shows now (what `portal tokens code SERIAL` prints).
func (c testCitizen) code(t testing.TB, env *apptest.Env) string {
	t.Helper()
	code, err := env.App.Tokens.Code(context.Background(), c.Serial, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// startLogin types the username on the login page and continues to the choice of means.
func startLogin(t testing.TB, ctx context.Context, env *apptest.Env, username, lang string) {
	t.Helper()
	navigate(t, ctx, withLang(env.URL+"/log-ind", lang))
	fill(t, ctx, "#username", username)
	click(t, ctx, `[data-testid="login-submit"]`)
	wantPath(t, ctx, "/log-ind/metode")
}

// logInWithCode logs the citizen in through the pages with password and kodeviser and checks
// that the login lands on the overview.
func logInWithCode(t testing.TB, ctx context.Context, env *apptest.Env, c testCitizen, lang string) {
	t.Helper()
	startLogin(t, ctx, env, c.MitID.Username, lang)
	click(t, ctx, `[data-testid="method-code"]`)
	fill(t, ctx, "#password", c.Password)
	fill(t, ctx, "#code", c.code(t, env))
	click(t, ctx, `[data-testid="code-submit"]`)
	wantPath(t, ctx, "/mitid")
}

// logOut presses the visible log-out button: the header's from 992 px up, the small-screen
// block's below (DKFDS hides the header's user part there).
func logOut(t testing.TB, ctx context.Context) {
	t.Helper()
	button := `.solution-info form[action="/log-ud"] [type="submit"]`
	if eval[int](t, ctx, `window.innerWidth`) < 992 {
		button = `[data-testid="mobile-user"] form[action="/log-ud"] [type="submit"]`
	}
	if !eval[bool](t, ctx, `(b => !!b && b.offsetParent !== null)(document.querySelector('`+button+`'))`) {
		t.Fatalf("no visible log-out button on %s at %d px", currentPath(t, ctx), eval[int](t, ctx, `window.innerWidth`))
	}
	click(t, ctx, button)
	if n := eval[int](t, ctx, `document.querySelectorAll('form[action="/log-ud"]').length`); n != 0 {
		t.Fatalf("still logged in after logging out, on %s", currentPath(t, ctx))
	}
}

// desktopWindow gives the tab a desktop-sized window for the rest of the test.
func desktopWindow(t testing.TB, ctx context.Context) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 1024)); err != nil {
		t.Fatal(err)
	}
}

// fill types value into the input matching the CSS selector, replacing what it held.
func fill(t testing.TB, ctx context.Context, css, value string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Clear(chromedp.CSS(css)), chromedp.SendKeys(chromedp.CSS(css), value)); err != nil {
		t.Fatalf("fill %s: %v", css, err)
	}
}

// currentPath is the path of the page in the tab.
func currentPath(t testing.TB, ctx context.Context) string {
	t.Helper()
	return eval[string](t, ctx, `location.pathname`)
}

// wantPath fails the test unless the tab shows the page at path.
func wantPath(t testing.TB, ctx context.Context, path string) {
	t.Helper()
	if got := currentPath(t, ctx); got != path {
		t.Fatalf("on %s, want %s; the page says: %s", got, path, clip(mainText(t, ctx), 300))
	}
}

// mainText is the visible text of the page's main landmark, for failure messages and checks.
func mainText(t testing.TB, ctx context.Context) string {
	t.Helper()
	return strings.Join(strings.Fields(eval[string](t, ctx, `(document.querySelector('main') || document.body).innerText`)), " ")
}

// waitFor waits until the JavaScript expression is true in the tab, across page loads (a
// script that navigates when it is done), and fails the test after timeout.
func waitFor(t testing.TB, ctx context.Context, js string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		// An evaluation fails while a new page replaces the old one; try again.
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.readyState === 'complete' && !!(`+js+`)`))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			path, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname`))
			status, _ := chromedp.Run(ctx, chromedp.Evaluate[string](
				`[...document.querySelectorAll('[role="status"], [role="alert"], .form-error-message')].map(e => e.innerText).join(' | ')`))
			t.Fatalf("waited %s for %s on %s (last error: %v); status and errors: %q", timeout, js, path, err, status)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
