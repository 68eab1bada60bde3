package browser_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"

	"mitidportal/app/apptest"
	"mitidportal/locales"
)

// ceremonyTimeout bounds one chip ceremony: two requests and the virtual key's answer.
const ceremonyTimeout = 20 * time.Second

// TestChipAddAndLogIn walks the MitID chip in both languages: a citizen logged in with the
// kodeviser adds a chip (a DevTools virtual security key), sees it in the overview, is refused
// when adding the same key again, logs out and logs in with password and chip at level high.
func TestChipAddAndLogIn(t *testing.T) {
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
			ctx := newTab(t)
			desktopWindow(t, ctx)
			problems := pageProblems(t, ctx)
			key := addSecurityKey(t, ctx)
			logInWithCode(t, ctx, env, c, lang)

			label := "Nøglering " + lang
			navigate(t, ctx, withLang(env.URL+"/mitid/chip/tilfoej", lang))
			checkAxe(t, ctx, "/mitid/chip/tilfoej?lang="+lang)
			fill(t, ctx, "#label", label)
			submitChip(t, ctx, "chip-add")
			waitFor(t, ctx, `location.pathname === '/mitid'`, ceremonyTimeout)
			if rows := eval[string](t, ctx, `[...document.querySelectorAll('[data-testid="means-row"]')].map(r => r.innerText).join('\n')`); !strings.Contains(rows, label) {
				t.Errorf("the overview's means do not list the chip %q:\n%s", label, rows)
			}
			if n := credentials(t, ctx, key); n != 1 {
				t.Fatalf("the key holds %d credentials after registering, want 1", n)
			}

			// The same key again: the browser refuses it (excludeCredentials), and the page says so.
			navigate(t, ctx, withLang(env.URL+"/mitid/chip/tilfoej", lang))
			fill(t, ctx, "#label", label+" igen")
			submitChip(t, ctx, "chip-add")
			waitFor(t, ctx, `document.querySelector('[data-testid="chip-status"]')?.dataset.state === 'error'`, ceremonyTimeout)
			if got, want := chipStatus(t, ctx), tr.T("chip.js.registered"); got != want {
				t.Errorf("registering the same key again says %q, want %q", got, want)
			}
			checkAxe(t, ctx, "/mitid/chip/tilfoej?lang="+lang+" (refused)")
			if n := credentials(t, ctx, key); n != 1 {
				t.Errorf("the key holds %d credentials after the refused registration, want 1", n)
			}

			logOut(t, ctx)
			startLogin(t, ctx, env, c.MitID.Username, lang)
			click(t, ctx, `[data-testid="method-chip"]`)
			wantPath(t, ctx, "/log-ind/chip")
			checkAxe(t, ctx, "/log-ind/chip?lang="+lang)
			fill(t, ctx, "#password", c.Password)
			submitChip(t, ctx, "chip-login")
			waitFor(t, ctx, `location.pathname === '/mitid'`, ceremonyTimeout)
			if got, want := text(t, ctx, `[data-testid="summary-session-level"]`), tr.T("identity.level.high"); got != want {
				t.Errorf("after the chip login the overview shows level %q, want %q", got, want)
			}

			for _, p := range problems() {
				t.Errorf("the pages reported: %s", p)
			}
		})
	}
}

// TestChipLoginRefusesAWrongPassword checks that the password step of the chip login answers
// in the page and starts no ceremony.
func TestChipLoginRefusesAWrongPassword(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	c := newCitizen(t, env)
	ctx := newTab(t)
	key := addSecurityKey(t, ctx)
	startLogin(t, ctx, env, c.MitID.Username, "en")
	click(t, ctx, `[data-testid="method-chip"]`)
	fill(t, ctx, "#password", c.Password+"x")
	submitChip(t, ctx, "chip-login")
	waitFor(t, ctx, `document.querySelector('[data-testid="chip-status"]')?.dataset.state === 'error'`, ceremonyTimeout)
	if got := chipStatus(t, ctx); got == "" {
		t.Error("a wrong password shows no message")
	}
	wantPath(t, ctx, "/log-ind/chip")
	if n := credentials(t, ctx, key); n != 0 {
		t.Errorf("the key holds %d credentials, want 0", n)
	}
}

// addSecurityKey plugs a virtual FIDO2 key into the tab: CTAP2 over USB with a PIN that is
// always entered right (user verification) and a touch that always happens (presence).
func addSecurityKey(t testing.TB, ctx context.Context) webauthn.AuthenticatorID {
	t.Helper()
	if _, err := chromedp.Call(ctx, webauthn.Enable, webauthn.EnableParams{EnableUI: new(false)}); err != nil {
		t.Fatalf("enable WebAuthn: %v", err)
	}
	res, err := chromedp.Call(ctx, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{
		Options: &webauthn.VirtualAuthenticatorOptions{
			Protocol:            webauthn.AuthenticatorProtocolCtap2,
			Ctap2version:        webauthn.Ctap2versionCtap21,
			Transport:           webauthn.AuthenticatorTransportUsb,
			HasResidentKey:      true,
			HasUserVerification: true,
			IsUserVerified:      true,
			// Without it the ceremony waits for a touch that never comes.
			AutomaticPresenceSimulation: true,
		},
	})
	if err != nil {
		t.Fatalf("add a virtual authenticator: %v", err)
	}
	return res.AuthenticatorID
}

// credentials counts the credentials the virtual key holds.
func credentials(t testing.TB, ctx context.Context, key webauthn.AuthenticatorID) int {
	t.Helper()
	res, err := chromedp.Call(ctx, webauthn.GetCredentials, webauthn.GetCredentialsParams{AuthenticatorID: key})
	if err != nil {
		t.Fatalf("read the key's credentials: %v", err)
	}
	return len(res.Credentials)
}

// submitChip presses a chip form's button once the script has enabled it. The answer comes
// by script, so this does not wait for a page.
func submitChip(t testing.TB, ctx context.Context, testID string) {
	t.Helper()
	sel := `[data-testid=` + strconv.Quote(testID) + `]`
	waitFor(t, ctx, `!document.querySelector(`+strconv.Quote(sel)+`).disabled`, 5*time.Second)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(sel))); err != nil {
		t.Fatalf("click %s: %v", sel, err)
	}
}

// chipStatus is the text of the chip form's status region.
func chipStatus(t testing.TB, ctx context.Context) string {
	t.Helper()
	return text(t, ctx, `[data-testid="chip-status"]`)
}

// text is the trimmed text of the first element matching the CSS selector.
func text(t testing.TB, ctx context.Context, css string) string {
	t.Helper()
	return strings.TrimSpace(eval[string](t, ctx, `(document.querySelector(`+strconv.Quote(css)+`) || {}).textContent || ''`))
}
