package browser_test

import (
	"context"
	"net/url"
	"strconv"
	"testing"

	"mitidportal/app/apptest"
	"mitidportal/identity"
	"mitidportal/locales"
)

// TestUnblockMeansFlow: a kodeviser the citizen blocked is unblocked from the overview after a
// login with the other kodeviser; the sessions page names the level and the means of the login.
func TestUnblockMeansFlow(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range languages {
		t.Run(lang, func(t *testing.T) {
			ctx0 := context.Background()
			tr := cat.For(lang)
			c := newCitizen(t, env)
			found := importCodeDisplay(t, env)
			a, err := env.App.Identity.ActivateToken(ctx0, c.MitID.ID, found, previousCode(t, env, found), identity.ActorSystem)
			if err != nil {
				t.Fatal(err)
			}
			if err := env.App.Identity.BlockAuthenticator(ctx0, c.MitID.ID, a.ID, identity.BlockLost, identity.ActorCitizen); err != nil {
				t.Fatal(err)
			}
			ctx := newTab(t)
			logInWithCode(t, ctx, env, c, lang)
			href := "/mitid/middel/" + strconv.FormatInt(a.ID, 10) + "/ophaev"
			// The blocked kodeviser may go; the other is the last means that can log in.
			removable := eval[[]string](t, ctx, `[...document.querySelectorAll('a[data-testid="means-remove"]')].map(a => a.getAttribute('href'))`)
			if want := "/mitid/middel/" + strconv.FormatInt(a.ID, 10) + "/fjern"; len(removable) != 1 || removable[0] != want {
				t.Errorf("remove links %v, want only %s", removable, want)
			}
			click(t, ctx, `a[data-testid="means-unblock"][href="`+href+`"]`)
			wantPath(t, ctx, href)
			checkAxe(t, ctx, "unblock a means ("+lang+")")
			click(t, ctx, `[data-testid="unblock-means-submit"]`)
			wantPath(t, ctx, "/mitid")
			if !has(t, ctx, `[data-testid="notice"]`) {
				t.Errorf("no notice after unblocking: %s", clip(mainText(t, ctx), 300))
			}
			checkAxe(t, ctx, "after unblocking ("+lang+")")
			if got, _ := env.App.Identity.Authenticator(ctx0, c.MitID.ID, a.ID); got.Status != identity.AuthActive {
				t.Errorf("the kodeviser is %s after unblocking", got.Status)
			}
			navigate(t, ctx, withLang(env.URL+"/mitid/sessioner", lang))
			if got := text(t, ctx, `[data-testid="session-level"]`); got != tr.T(identity.LevelSubstantial.MsgID()) {
				t.Errorf("session level %q", got)
			}
			if got := text(t, ctx, `[data-testid="session-means"]`); got != tr.T(identity.KindCodeDisplay.MsgID()) {
				t.Errorf("session means %q", got)
			}
			checkAxe(t, ctx, "sessions ("+lang+")")
		})
	}
}

// TestLoggedOutVisitFlow: a logged-out visit to a logged-in page leads to the login and, after
// it, back to that page.
func TestLoggedOutVisitFlow(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	for _, lang := range languages {
		t.Run(lang, func(t *testing.T) {
			c := newCitizen(t, env)
			ctx := newTab(t)
			navigate(t, ctx, withLang(env.URL+"/mitid/aktivitet", lang))
			wantPath(t, ctx, "/log-ind")
			if next := eval[string](t, ctx, `document.querySelector('input[name="next"]').value`); next != "/mitid/aktivitet?lang="+lang {
				t.Errorf("the login carries next=%q", next)
			}
			checkAxe(t, ctx, "login on the way to the activity log ("+lang+")")
			fill(t, ctx, "#username", c.MitID.Username)
			click(t, ctx, `[data-testid="login-submit"]`)
			click(t, ctx, `[data-testid="method-code"]`)
			fill(t, ctx, "#password", c.Password)
			fill(t, ctx, "#code", c.code(t, env))
			click(t, ctx, `[data-testid="code-submit"]`)
			wantPath(t, ctx, "/mitid/aktivitet")
			checkAxe(t, ctx, "back on the activity log ("+lang+")")
			// A way back off the site is dropped: after the login, the overview.
			logOut(t, ctx)
			navigate(t, ctx, withLang(env.URL+"/log-ind?next="+url.QueryEscape("//evil.com"), lang))
			if next := eval[string](t, ctx, `(document.querySelector('input[name="next"]') || {value: ""}).value`); next != "" {
				t.Errorf("the login carries next=%q from //evil.com", next)
			}
		})
	}
}
