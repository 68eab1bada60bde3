package browser_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"mitidportal/app/apptest"
	"mitidportal/identity"
	"mitidportal/locales"
)

// App flows: the MitID app is a page of the portal (/app) that a phone opens. Each test runs
// two tabs in separate browser contexts: tab A is the citizen's computer, tab B the phone with
// its own IndexedDB, where the app keeps its non-extractable device key.

// appWait bounds one wait on a polled page: the app lists requests and the portal's pages poll
// (htmx) every two seconds, so a few periods suffice.
const appWait = 10 * time.Second

// sel is a CSS selector for a data-testid.
func sel(testID string) string {
	return `[data-testid=` + strconv.Quote(testID) + `]`
}

// jsSel is sel as a JavaScript string literal.
func jsSel(testID string) string {
	return strconv.Quote(sel(testID))
}

// openPhone opens the app page in the phone tab and waits until its script has started and
// shows the pairing form.
func openPhone(t testing.TB, phone context.Context, url string) {
	t.Helper()
	navigate(t, phone, url)
	wantPath(t, phone, "/app")
	waitFor(t, phone, `!document.getElementById('app-pair').hidden`, appWait)
}

// pairPhone fills the pairing form on the phone (typing code unless it is ""; the QR link
// pre-fills it) and waits until the app lists requests for device name.
func pairPhone(t testing.TB, phone context.Context, code, name string) {
	t.Helper()
	if code != "" {
		fill(t, phone, sel("app-code-input"), code)
	}
	fill(t, phone, sel("app-device-name"), name)
	if err := clickNoWait(phone, sel("app-pair-submit")); err != nil {
		t.Fatalf("click the pairing button: %v", err)
	}
	waitFor(t, phone, `!document.getElementById('app-requests').hidden && document.querySelector(`+
		jsSel("app-device")+`).textContent === `+strconv.Quote(name), appWait)
	if got := text(t, phone, sel("app-status")); got == "" {
		t.Error("the app's status region says nothing after pairing")
	}
	if !eval[bool](t, phone, `document.getElementById('app-error').hidden`) {
		t.Errorf("the app shows an error after pairing: %s", text(t, phone, sel("app-error")))
	}
}

// startAppLogin types the username and chooses the app on tab A, and returns the code the
// waiting page shows.
func startAppLogin(t testing.TB, ctx context.Context, env *apptest.Env, username, lang string) string {
	t.Helper()
	startLogin(t, ctx, env, username, lang)
	click(t, ctx, sel("method-app"))
	wantPath(t, ctx, "/log-ind/app")
	code := text(t, ctx, sel("login-app-code"))
	if len(code) != 4 {
		t.Fatalf("the waiting page shows code %q, want four digits; the page says: %s", code, clip(mainText(t, ctx), 300))
	}
	if st := eval[string](t, ctx, `document.querySelector(`+jsSel("login-app-status")+`).dataset.status`); st != "pending" {
		t.Fatalf("the new waiting page's status is %q, want pending", st)
	}
	return code
}

// phoneRequest waits until the phone lists exactly one request, with code, and returns the
// text of its level.
func phoneRequest(t testing.TB, phone context.Context, code string) string {
	t.Helper()
	waitFor(t, phone, `(l => l.length === 1 && l[0].querySelector(`+jsSel("app-request-code")+`).textContent === `+
		strconv.Quote(code)+`)(document.querySelectorAll(`+jsSel("app-request")+`))`, appWait)
	if !eval[bool](t, phone, `document.querySelector(`+jsSel("app-none")+`).hidden`) {
		t.Error(`the app shows "no requests" beside a pending request`)
	}
	if s := text(t, phone, sel("app-request-service")); s == "" {
		t.Error("the app's request names no service")
	}
	return text(t, phone, sel("app-request-level"))
}

// answerOnPhone presses approve or reject on the phone's one request and waits until the
// request is gone from the list.
func answerOnPhone(t testing.TB, phone context.Context, testID string) {
	t.Helper()
	if err := clickNoWait(phone, sel(testID)); err != nil {
		t.Fatalf("click %s on the phone: %v", testID, err)
	}
	waitFor(t, phone, `document.querySelectorAll(`+jsSel("app-request")+`).length === 0 && !document.querySelector(`+
		jsSel("app-none")+`).hidden`, appWait)
	if !eval[bool](t, phone, `document.getElementById('app-error').hidden`) {
		t.Errorf("the app shows an error after %s: %s", testID, text(t, phone, sel("app-error")))
	}
}

// notLoggedIn fails the test if tab ctx reaches the overview.
func notLoggedIn(t testing.TB, ctx context.Context, env *apptest.Env, lang string) {
	t.Helper()
	res := navigate(t, ctx, withLang(env.URL+"/mitid", lang))
	if p := currentPath(t, ctx); p == "/mitid" && res.Status == 200 {
		t.Fatalf("tab A reaches /mitid (status %d) without an approved login: %s", res.Status, clip(mainText(t, ctx), 300))
	}
	if has(t, ctx, `form[action="/log-ud"]`) {
		t.Errorf("tab A shows a logged-in header on %s", currentPath(t, ctx))
	}
}

// wantSessionLevel checks the overview's session level.
func wantSessionLevel(t testing.TB, ctx context.Context, want string) {
	t.Helper()
	wantPath(t, ctx, "/mitid")
	if got := text(t, ctx, sel("summary-session-level")); got != want {
		t.Errorf("after the app login the overview shows session level %q, want %q", got, want)
	}
}

// appProblems reports page problems except the answers the flows ask for: a 4xx for /mitid
// without a login and a 401/403 on paths the test names.
func appProblems(t testing.TB, ps []pageProblem, tab string, allowed ...string) {
	t.Helper()
next:
	for _, p := range ps {
		if p.Kind == "network" {
			for _, path := range allowed {
				if strings.HasSuffix(strings.SplitN(p.URL, "?", 2)[0], path) && strings.Contains(p.Text, "status of 4") {
					continue next
				}
			}
		}
		t.Errorf("tab %s reported: %s", tab, p)
	}
}

// TestAppFlowPairAndLogIn pairs the app from self-service (tab A, logged in with the
// kodeviser) on a phone (tab B), then logs out and logs in again with the app.
func TestAppFlowPairAndLogIn(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	for i, lang := range languages {
		t.Run(lang, func(t *testing.T) {
			tr := cat.For(lang)
			c := newCitizen(t, env)
			a := newTab(t)
			b := newTab(t)
			desktopWindow(t, a)
			problemsA := pageProblems(t, a)
			problemsB := pageProblems(t, b)
			device := "Telefon " + lang + " " + flowSuffix()

			logInWithCode(t, a, env, c, lang)
			navigate(t, a, withLang(env.URL+"/mitid/app/tilfoej", lang))
			wantPath(t, a, "/mitid/app/tilfoej")
			checkAxe(t, a, "/mitid/app/tilfoej?lang="+lang)
			click(t, a, sel("app-pairing-start"))
			wantPath(t, a, "/mitid/app/tilfoej")
			code := text(t, a, sel("app-pairing-code"))
			if _, ok := identity.NormalizePairingCode(code); !ok {
				t.Fatalf("the pairing page shows %q, not a pairing code", code)
			}
			if !has(t, a, sel("app-pairing-qr")) {
				t.Error("the pairing page shows no QR code")
			}
			if st := eval[string](t, a, `document.querySelector(`+jsSel("app-pairing-status")+`).dataset.status`); st != "pending" {
				t.Errorf("the new code's status is %q, want pending", st)
			}
			checkAxe(t, a, "/mitid/app/tilfoej?lang="+lang+" (code)")

			// The phone: once by the QR code's link (code pre-filled), once typed.
			if i == 0 {
				openPhone(t, b, withLang(env.URL+"/app?kode="+code, lang))
				if got, _ := identity.NormalizePairingCode(eval[string](t, b, `document.querySelector(`+jsSel("app-code-input")+`).value`)); got != strings.ReplaceAll(code, "-", "") {
					t.Errorf("the QR link pre-fills %q, want %q", got, code)
				}
				checkAxe(t, b, "/app?lang="+lang+" (pairing)")
				pairPhone(t, b, "", device)
			} else {
				openPhone(t, b, withLang(env.URL+"/app", lang))
				checkAxe(t, b, "/app?lang="+lang+" (pairing)")
				pairPhone(t, b, strings.ToLower(code), device)
			}
			checkAxe(t, b, "/app?lang="+lang+" (paired, no requests)")

			// Tab A's page notices by itself (htmx) and leads on to the overview.
			waitFor(t, a, `document.querySelector(`+jsSel("app-pairing-status")+`)?.dataset.status === 'paired'`, appWait)
			checkAxe(t, a, "/mitid/app/tilfoej?lang="+lang+" (paired)")
			click(t, a, sel("app-pairing-done"))
			wantPath(t, a, "/mitid")
			rows := eval[string](t, a, `[...document.querySelectorAll(`+jsSel("means-row")+`)].map(r => r.innerText).join('\n')`)
			if !strings.Contains(rows, device) {
				t.Errorf("the overview's means do not list the app %q:\n%s", device, rows)
			}

			// Log out and in again with the app.
			logOut(t, a)
			display := startAppLogin(t, a, env, c.MitID.Username, lang)
			checkAxe(t, a, "/log-ind/app?lang="+lang)
			level := phoneRequest(t, b, display)
			if want := tr.T("identity.level.substantial"); level != want {
				t.Errorf("the app shows level %q for the login, want %q", level, want)
			}
			checkAxe(t, b, "/app?lang="+lang+" (a request)")
			answerOnPhone(t, b, "app-approve")
			if got, want := text(t, b, sel("app-status")), tr.T("app.requests.approved"); got != want {
				t.Errorf("after approving the app says %q, want %q", got, want)
			}
			waitFor(t, a, `location.pathname === '/mitid'`, appWait)
			wantSessionLevel(t, a, tr.T("identity.level.substantial"))
			if got := text(t, a, sel("summary-username")); got != c.MitID.Username {
				t.Errorf("the overview shows username %q, want %q", got, c.MitID.Username)
			}

			appProblems(t, problemsA(), "A")
			appProblems(t, problemsB(), "B")
		})
	}
}

// pairByAPI makes a pairing code through the identity API and pairs the phone tab with it.
func pairByAPI(t testing.TB, env *apptest.Env, phone context.Context, c testCitizen, lang, device string) {
	t.Helper()
	code, _, err := env.App.Identity.StartPairing(context.Background(), c.MitID.ID)
	if err != nil {
		t.Fatalf("start pairing: %v", err)
	}
	openPhone(t, phone, withLang(env.URL+"/app", lang))
	pairPhone(t, phone, identity.FormatPairingCode(code), device)
}

// TestAppFlowReject rejects a login on the phone: the waiting page says so and offers a new
// request, the browser is not logged in, and the new request can be approved.
func TestAppFlowReject(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range languages {
		t.Run(lang, func(t *testing.T) {
			tr := cat.For(lang)
			c := newCitizen(t, env)
			a := newTab(t)
			b := newTab(t)
			problemsA := pageProblems(t, a)
			problemsB := pageProblems(t, b)
			pairByAPI(t, env, b, c, lang, "Afviser "+lang)

			display := startAppLogin(t, a, env, c.MitID.Username, lang)
			phoneRequest(t, b, display)
			answerOnPhone(t, b, "app-reject")
			if got, want := text(t, b, sel("app-status")), tr.T("app.requests.rejected"); got != want {
				t.Errorf("after rejecting the app says %q, want %q", got, want)
			}

			waitFor(t, a, `document.querySelector(`+jsSel("login-app-status")+`)?.dataset.status === 'rejected'`, appWait)
			wantPath(t, a, "/log-ind/app")
			if !has(t, a, sel("login-app-retry")) {
				t.Error("the rejected waiting page offers no new request")
			}
			checkAxe(t, a, "/log-ind/app?lang="+lang+" (rejected)")
			// The page as loaded anew says the same, without the code of the rejected request.
			navigate(t, a, withLang(env.URL+"/log-ind/app", lang))
			if st := eval[string](t, a, `document.querySelector(`+jsSel("login-app-status")+`)?.dataset.status || ''`); st != "rejected" {
				t.Errorf("reloaded after the rejection, the waiting page's status is %q, want rejected", st)
			}
			if has(t, a, sel("login-app-code")) {
				t.Error("the reloaded rejected waiting page still shows the code")
			}
			checkAxe(t, a, "/log-ind/app?lang="+lang+" (rejected, reloaded)")
			// Try again: a new request with a new code; the browser is still not logged in.
			click(t, a, sel("login-app-retry"))
			wantPath(t, a, "/log-ind/app")
			again := text(t, a, sel("login-app-code"))
			if again == "" {
				t.Fatalf("trying again shows no code: %s", clip(mainText(t, a), 300))
			}
			home := eval[string](t, a, `location.href`)
			notLoggedIn(t, a, env, lang)

			// The new request is the only one on the phone, and approving it logs in.
			phoneRequest(t, b, again)
			navigate(t, a, home)
			wantPath(t, a, "/log-ind/app")
			answerOnPhone(t, b, "app-approve")
			waitFor(t, a, `location.pathname === '/mitid'`, appWait)
			wantSessionLevel(t, a, tr.T("identity.level.substantial"))

			appProblems(t, problemsA(), "A", "/mitid")
			appProblems(t, problemsB(), "B")
		})
	}
}

// TestAppFlowFinishWithoutJavaScript logs in with the app on a waiting page without scripts:
// the finish button pressed too early says the app has not answered; pressed after the
// approval it logs in.
func TestAppFlowFinishWithoutJavaScript(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range languages {
		t.Run(lang, func(t *testing.T) {
			tr := cat.For(lang)
			c := newCitizen(t, env)
			a := newTab(t)
			b := newTab(t)
			problemsB := pageProblems(t, b)
			pairByAPI(t, env, b, c, lang, "Uden JS "+lang)

			// No page script runs in the pages tab A loads: htmx does not poll.
			pageScripts(t, a, false)
			display := startAppLogin(t, a, env, c.MitID.Username, lang)

			// Too early: the same waiting page with a notice.
			click(t, a, sel("login-app-finish"))
			wantPath(t, a, "/log-ind/app/fuldfoer")
			if !has(t, a, sel("login-app-notice")) {
				t.Errorf("finishing before the app answered shows no notice: %s", clip(mainText(t, a), 300))
			}
			if got := text(t, a, sel("login-app-code")); got != display {
				t.Errorf("after finishing too early the page shows code %q, want %q", got, display)
			}
			axeWithoutScripts(t, a, "/log-ind/app/fuldfoer?lang="+lang+" (too early)")

			phoneRequest(t, b, display)
			answerOnPhone(t, b, "app-approve")
			// Check again (the no-JS link) shows the approval, then the button finishes.
			click(t, a, sel("login-app-check"))
			wantPath(t, a, "/log-ind/app")
			if st := eval[string](t, a, `document.querySelector(`+jsSel("login-app-status")+`)?.dataset.status || ''`); st != "approved" {
				t.Errorf("after the approval the waiting page's status is %q, want approved", st)
			}
			axeWithoutScripts(t, a, "/log-ind/app?lang="+lang+" (approved)")
			click(t, a, sel("login-app-finish"))
			wantSessionLevel(t, a, tr.T("identity.level.substantial"))

			appProblems(t, problemsB(), "B")
		})
	}
}

// pageScripts switches the execution of page scripts in tab ctx; DevTools evaluations run
// either way, but without page scripts timers do not fire.
func pageScripts(t testing.TB, ctx context.Context, on bool) {
	t.Helper()
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled,
		emulation.SetScriptExecutionDisabledParams{Value: !on}); err != nil {
		t.Fatalf("switch page scripts: %v", err)
	}
}

// axeWithoutScripts runs axe on a page loaded without scripts: axe needs timers, so scripts
// are on while it runs (the page's own scripts, skipped at load, stay unrun) and off again after.
func axeWithoutScripts(t testing.TB, ctx context.Context, page string) {
	t.Helper()
	if has(t, ctx, `script[src]`) && eval[bool](t, ctx, `typeof htmx !== 'undefined'`) {
		t.Fatalf("%s: htmx ran although scripts are off", page)
	}
	pageScripts(t, ctx, true)
	checkAxe(t, ctx, page)
	pageScripts(t, ctx, false)
}
