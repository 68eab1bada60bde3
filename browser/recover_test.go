package browser_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"mitidportal/app/apptest"
	"mitidportal/audit"
	"mitidportal/identity"
)

// The ways back in that a checked activation code opens (DESIGN.md §3.5, §3.6), walked in both
// languages with axe on every page: forgot the password (with the app, and without it by
// code), lost everything (old means revoked, other browsers logged out, a new kodeviser works)
// and lifting a block with a code from borgerservice.

// recoveredPassword is the new password the citizens of these tests choose.
const recoveredPassword = "Kanelsnegl-paa-Torvet-42"

// useCode types the person's CPR number and the activation code on /aktiver, which sends the
// browser on by the code's purpose, and checks that it lands on want.
func useCode(t testing.TB, ctx context.Context, env *apptest.Env, cpr identity.CPR, code string,
	lang, want string) {
	t.Helper()
	navigate(t, ctx, withLang(env.URL+"/aktiver", lang))
	checkAxe(t, ctx, "/aktiver?lang="+lang)
	fill(t, ctx, "#cpr", cpr.String())
	fill(t, ctx, "#code", code)
	click(t, ctx, `[data-testid="create-code-submit"]`)
	waitFor(t, ctx, `location.pathname === `+`'`+want+`'`, 10*time.Second)
}

// loginRefused tries password and the kodeviser's code of serial on the login pages and
// expects the error summary, not the overview.
func loginRefused(t testing.TB, ctx context.Context, env *apptest.Env, username, password, serial, lang string) {
	t.Helper()
	startLogin(t, ctx, env, username, lang)
	click(t, ctx, `[data-testid="method-code"]`)
	fill(t, ctx, "#password", password)
	// The next step's code (the window takes it): no earlier login can have used it, so only
	// the password or a revoked kodeviser can be the reason for the refusal.
	fill(t, ctx, "#code", tokenCode(t, env, serial, time.Now().Add(30*time.Second)))
	click(t, ctx, `[data-testid="code-submit"]`)
	wantErrorSummary(t, ctx, "a refused login")
	if p := currentPath(t, ctx); strings.HasPrefix(p, "/mitid") {
		t.Fatalf("the login was let in (on %s)", p)
	}
	checkAxe(t, ctx, "/log-ind/kode?lang="+lang+" (refused)")
}

// setNewPassword fills the two new-password fields.
func setNewPassword(t testing.TB, ctx context.Context, pw string) {
	t.Helper()
	fill(t, ctx, "#password", pw)
	fill(t, ctx, "#password_repeat", pw)
}

// TestRecoverForgotPasswordWithApp: a citizen who forgot the password logs in with the app
// alone, sets a new password on /mitid/adgangskode without being asked for the old one, and
// then the old password is refused and the new one logs in.
func TestRecoverForgotPasswordWithApp(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	for _, lang := range languages {
		t.Run(lang, func(t *testing.T) {
			c := newCitizen(t, env)
			a, phone := newTab(t), newTab(t)
			problems := pageProblems(t, a)
			pairByAPI(t, env, phone, c, lang, "Telefon "+lang)

			display := startAppLogin(t, a, env, c.MitID.Username, lang)
			phoneRequest(t, phone, display)
			answerOnPhone(t, phone, "app-approve")
			waitFor(t, a, `location.pathname === '/mitid'`, appWait)

			navigate(t, a, withLang(env.URL+"/mitid/adgangskode", lang))
			wantPath(t, a, "/mitid/adgangskode")
			checkAxe(t, a, "/mitid/adgangskode?lang="+lang)
			if n := eval[int](t, a, `document.querySelectorAll('form[data-testid="change-password-form"] input[type="password"]').length`); n != 2 {
				t.Errorf("the change-password form has %d password fields, want the new one twice (no old password)", n)
			}
			setNewPassword(t, a, recoveredPassword)
			click(t, a, `[data-testid="change-password-submit"]`)
			wantPath(t, a, "/mitid")
			checkAxe(t, a, "/mitid?lang="+lang+" (password changed)")

			logOut(t, a)
			loginRefused(t, a, env, c.MitID.Username, c.Password, c.Serial, lang)
			c.Password = recoveredPassword
			logInWithCode(t, a, env, c, lang)
			reportUnexpected(t, problems(), "/log-ind/kode")
		})
	}
}

// TestRecoverForgotPasswordByCode: without the app, a citizen who only forgot the password
// uses a recovery code, keeps the means and logs in with the new password and the same
// kodeviser; the old password is refused.
func TestRecoverForgotPasswordByCode(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	for _, lang := range languages {
		t.Run(lang, func(t *testing.T) {
			c := newCitizen(t, env)
			code, _, err := env.App.Activations.Issue(context.Background(), c.Person.CPR, identity.ActivationRecover,
				identity.LevelSubstantial, identity.ActorCitizen)
			if err != nil {
				t.Fatal(err)
			}
			a := newTab(t)
			useCode(t, a, env, c.Person.CPR, code, lang, "/aktiver/gendan")
			problems := pageProblems(t, a)
			checkAxe(t, a, "/aktiver/gendan?lang="+lang)
			chooseFirst(t, a, `input[name="situation"]`)
			setNewPassword(t, a, recoveredPassword)
			click(t, a, `[data-testid="recover-submit"]`)
			wantPath(t, a, "/aktiver/gendan/faerdig")
			checkAxe(t, a, "/aktiver/gendan/faerdig?lang="+lang)

			loginRefused(t, a, env, c.MitID.Username, c.Password, c.Serial, lang)
			c.Password = recoveredPassword
			logInWithCode(t, a, env, c, lang)
			reportUnexpected(t, problems(), "/log-ind/kode")
		})
	}
}

// TestRecoverLostEverything: without the app, the citizen proves who they are again (the
// recovery code from a letter), says everything was lost and sets a new password; the old
// means are revoked, a browser logged in before is logged out, the old kodeviser is refused,
// and a new kodeviser added on the first-means pages logs in.
func TestRecoverLostEverything(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	for _, lang := range languages {
		t.Run(lang, func(t *testing.T) {
			ctx := context.Background()
			c := newCitizen(t, env)
			before := newTab(t)
			logInWithCode(t, before, env, c, lang)

			code, _, err := env.App.Activations.Issue(ctx, c.Person.CPR, identity.ActivationRecover,
				identity.LevelSubstantial, identity.ActorCitizen)
			if err != nil {
				t.Fatal(err)
			}
			a := newTab(t)
			useCode(t, a, env, c.Person.CPR, code, lang, "/aktiver/gendan")
			problems := pageProblems(t, a)
			checkAxe(t, a, "/aktiver/gendan?lang="+lang)

			// No choice made: the error summary, and the form again.
			setNewPassword(t, a, recoveredPassword)
			click(t, a, `[data-testid="recover-submit"]`)
			wantErrorSummary(t, a, "no choice on /aktiver/gendan")
			checkAxe(t, a, "/aktiver/gendan?lang="+lang+" (no choice)")

			if err := clickNoWait(a, `label[for="situation-2"]`); err != nil {
				t.Fatal(err)
			}
			setNewPassword(t, a, recoveredPassword)
			click(t, a, `[data-testid="recover-submit"]`)
			wantPath(t, a, "/opret/middel")
			checkAxe(t, a, "/opret/middel?lang="+lang+" (after recovery)")

			serial := importCodeDisplay(t, env)
			click(t, a, `[data-testid="means-token"]`)
			wantPath(t, a, "/opret/kodeviser")
			fill(t, a, "#serial", serial)
			// The previous step's code: the login below uses the current one.
			fill(t, a, "#code", previousCode(t, env, serial))
			click(t, a, `[data-testid="create-token-submit"]`)
			wantPath(t, a, "/opret/faerdig")
			checkAxe(t, a, "/opret/faerdig?lang="+lang+" (after recovery)")
			if got, want := text(t, a, `[data-testid="create-done"]`), map[string]string{"da": "Dit MitID virker igen",
				"en": "Your MitID works again"}[lang]; !strings.Contains(got, want) {
				t.Errorf("the done page after a recovery says %q, want %q", got, want)
			}

			notLoggedIn(t, before, env, lang)
			loginRefused(t, before, env, c.MitID.Username, recoveredPassword, c.Serial, lang)
			fresh := c
			fresh.Password, fresh.Serial = recoveredPassword, serial
			logInWithCode(t, before, env, fresh, lang)

			means, err := env.App.Identity.Means(ctx, c.MitID.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range means {
				if m.Kind.IsToken() && m.TokenSerial == c.Serial {
					t.Errorf("the lost kodeviser is still a means (%s)", m.Status)
				}
			}
			reportUnexpected(t, problems(), "/aktiver/gendan")
		})
	}
}

// TestLiftBlockWithCode: a blocked MitID, a lift code handed over at borgerservice (high
// assurance, issued by staff); the citizen uses it, sets a new password, and logs in again.
// The lift is in the activity log and the audit log.
func TestLiftBlockWithCode(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	for _, lang := range languages {
		t.Run(lang, func(t *testing.T) {
			ctx := context.Background()
			c := newCitizen(t, env)
			if err := env.App.Identity.BlockMitID(ctx, c.MitID.ID, identity.BlockStolen, identity.ActorCitizen, nil); err != nil {
				t.Fatal(err)
			}
			code, _, err := env.App.Activations.Issue(ctx, c.Person.CPR, identity.ActivationLift,
				identity.LevelHigh, identity.StaffActor(1))
			if err != nil {
				t.Fatal(err)
			}
			a := newTab(t)
			useCode(t, a, env, c.Person.CPR, code, lang, "/aktiver/ophaev")
			problems := pageProblems(t, a)
			checkAxe(t, a, "/aktiver/ophaev?lang="+lang)
			if !has(t, a, `[data-testid="lift-consequences"]`) {
				t.Error("the lift page does not say what lifting does")
			}

			// Two different passwords: the error summary.
			fill(t, a, "#password", recoveredPassword)
			fill(t, a, "#password_repeat", recoveredPassword+"x")
			click(t, a, `[data-testid="lift-submit"]`)
			wantErrorSummary(t, a, "passwords that differ on /aktiver/ophaev")
			checkAxe(t, a, "/aktiver/ophaev?lang="+lang+" (passwords differ)")

			setNewPassword(t, a, recoveredPassword)
			click(t, a, `[data-testid="lift-submit"]`)
			wantPath(t, a, "/aktiver/ophaev/faerdig")
			checkAxe(t, a, "/aktiver/ophaev/faerdig?lang="+lang)

			c.Password = recoveredPassword
			logInWithCode(t, a, env, c, lang)

			acts, err := env.App.Identity.Activity(ctx, c.MitID.ID, 0, identity.MaxActivityPage)
			if err != nil {
				t.Fatal(err)
			}
			lifted := false
			for _, x := range acts {
				lifted = lifted || (x.Kind == identity.ActivityMitIDUnblocked && x.Detail["via"] == identity.ViaBorgerservice)
			}
			if !lifted {
				t.Error("no lift via borgerservice in the activity log")
			}
			recs, err := env.App.Audit.List(ctx, audit.Filter{Subject: audit.MitID(c.MitID.ID)})
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, r := range recs {
				if r.Action == audit.ActionLiftBlock {
					n++
				}
			}
			if n != 1 {
				t.Errorf("%d lift entries in the audit log, want 1", n)
			}
			reportUnexpected(t, problems(), "/aktiver/ophaev")
		})
	}
}
