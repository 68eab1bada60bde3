package browser_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"mitidportal/app/apptest"
	"mitidportal/identity"
)

// logInWithCodeAt logs in through the pages with password and the kodeviser's code at the time
// at, and returns on the page the login leads to.
func logInWithCodeAt(t testing.TB, ctx context.Context, env *apptest.Env, c testCitizen, password, lang string, at time.Time) {
	t.Helper()
	startLogin(t, ctx, env, c.MitID.Username, lang)
	click(t, ctx, `[data-testid="method-code"]`)
	wantPath(t, ctx, "/log-ind/kode")
	fill(t, ctx, "#password", password)
	fill(t, ctx, "#code", tokenCode(t, env, c.Serial, at))
	click(t, ctx, `[data-testid="code-submit"]`)
}

// TestTemporaryPasswordFlow: support issues a temporary password (through the domain, as the
// desk's button does); the citizen who logs in with it sees nothing but the change page,
// whatever page is asked for; logged out and in again it still works; once the new password is
// set everything works and the temporary one is refused.
func TestTemporaryPasswordFlow(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	for _, lang := range languages {
		t.Run(lang, func(t *testing.T) {
			c := newCitizen(t, env)
			temp, err := env.App.Identity.IssueTemporaryPassword(context.Background(), c.MitID.ID, identity.StaffActor(1), nil)
			if err != nil {
				t.Fatal(err)
			}
			ctx := newTab(t)
			problems := pageProblems(t, ctx)

			logInWithCodeAt(t, ctx, env, c, temp, lang, time.Now())
			wantPath(t, ctx, "/mitid/adgangskode")
			if !has(t, ctx, `[data-testid="must-change-password"]`) || has(t, ctx, `[data-testid="cancel"]`) {
				t.Errorf("the change page does not say the password must change, or offers cancel: %s", clip(mainText(t, ctx), 300))
			}
			checkAxe(t, ctx, "must change password ("+lang+")")
			for _, p := range []string{"/mitid", "/mitid/aktivitet", "/mitid/spaer", "/mitid/sessioner", "/kontakt/skriv"} {
				navigate(t, ctx, withLang(env.URL+p, lang))
				wantPath(t, ctx, "/mitid/adgangskode")
			}
			checkAxe(t, ctx, "sent back to the change page ("+lang+")")

			// Logged out, and in again: the temporary password still works. (A second tab
			// for the rest: one tab's steps are bounded by tabTimeout.)
			click(t, ctx, `[data-testid="must-change-logout"] [type="submit"]`)
			for _, p := range problems() {
				t.Errorf("the pages reported: %s", p)
			}
			ctx = newTab(t)
			problems = pageProblems(t, ctx)
			logInWithCodeAt(t, ctx, env, c, temp, lang, time.Now().Add(30*time.Second))
			wantPath(t, ctx, "/mitid/adgangskode")

			// A weak password is refused with the error summary; a good one is taken.
			fill(t, ctx, "#password", "Aaaaaaaa1")
			fill(t, ctx, "#password_repeat", "Aaaaaaaa1")
			click(t, ctx, `[data-testid="change-password-submit"]`)
			wantErrorSummary(t, ctx, "a weak new password")
			checkAxe(t, ctx, "weak new password ("+lang+")")
			newPassword := "Fyrtaarn-Rugbroed-Maage-" + lang
			fill(t, ctx, "#password", newPassword)
			fill(t, ctx, "#password_repeat", newPassword)
			click(t, ctx, `[data-testid="change-password-submit"]`)
			wantPath(t, ctx, "/mitid")
			checkAxe(t, ctx, "after the change ("+lang+")")
			for _, p := range []string{"/mitid/aktivitet", "/mitid/spaer"} {
				navigate(t, ctx, withLang(env.URL+p, lang))
				wantPath(t, ctx, p)
			}
			logOut(t, ctx)

			// The temporary password is refused now.
			logInWithCodeAt(t, ctx, env, c, temp, lang, time.Now().Add(60*time.Second))
			wantErrorSummary(t, ctx, "the temporary password after the change")
			wantPath(t, ctx, "/log-ind/kode")
			checkAxe(t, ctx, "temporary password refused ("+lang+")")
			for _, p := range problems() {
				if p.Kind == "network" && (strings.Contains(p.URL, "/log-ind/kode") || strings.Contains(p.URL, "/mitid/adgangskode")) {
					continue // the refused forms answer 422 on purpose
				}
				t.Errorf("the pages reported: %s", p)
			}
		})
	}
}
