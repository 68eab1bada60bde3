package browser_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp/kb"

	"mitidportal/app/apptest"
	"mitidportal/identity"
	"mitidportal/mail"
	"mitidportal/session"
)

// The citizen's core stories by keyboard alone (issue 14, item 1): no clicks and no script
// that acts on the page; every focus stop is checked by keyboard_helpers_test.go. The stories
// share one portal, each in both languages as parallel subtests.

// TestKeyboardCitizenStories: create a MitID by activation letter, log in with kodeviser,
// block a means, the public block page and the contact form.
func TestKeyboardCitizenStories(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	stories := []struct {
		name string
		walk func(t *testing.T, env *apptest.Env, lang string)
	}{
		{"create-by-letter", keyboardCreateByLetter},
		{"log-in-with-kodeviser", keyboardLogIn},
		{"block-a-means", keyboardBlockMeans},
		{"public-block", keyboardPublicBlock},
		{"contact-form", keyboardContactForm},
	}
	for _, s := range stories {
		for _, lang := range languages {
			t.Run(s.name+"/"+lang, func(t *testing.T) {
				t.Parallel()
				s.walk(t, env, lang)
			})
		}
	}
}

// keyboardCreateByLetter: the empty first form is refused with the error summary, whose links
// lead to the fields; then CPR number, name and document, the code from the letter (here
// its e-mail), username and password, and a kodeviser.
func keyboardCreateByLetter(t *testing.T, env *apptest.Env, lang string) {
	p := newPersonWithoutMitID(t, env)
	serial := importCodeDisplay(t, env)
	username := "kbd." + lang + "." + flowSuffix()
	ctx := newTab(t)
	k := newKeyboard(t, ctx)

	k.submitEmpty(withLang(env.URL+"/opret", lang), `[data-testid="create-submit"]`, 40, "the empty /opret")
	k.tabBackTo("#cpr", 10)
	k.typeText(p.CPR.String())
	k.fillField("#name", p.FullName())
	k.fillField("#document", p.IDDocumentNumber)
	k.tabTo(`[data-testid="create-submit"]`, 10)
	k.enterLoads()
	wantPath(t, ctx, "/opret/kode")

	mails, err := mail.Recent(context.Background(), env.App.Pool, p.Email, 1)
	if err != nil || len(mails) != 1 {
		t.Fatalf("the mail with the code: %d mails (%v)", len(mails), err)
	}
	code := activationCodeRe.FindString(mails[0].Text)
	k.fillField("#code", code)
	k.enterLoads() // Enter in a field submits its form
	wantPath(t, ctx, "/opret/bruger")

	k.fillField("#username", username)
	k.fillField("#password", identity.DemoPassword)
	k.fillField("#password_repeat", identity.DemoPassword)
	k.tabTo(`[data-testid="create-user-submit"]`, 10)
	k.enterLoads()
	wantPath(t, ctx, "/opret/middel")

	k.tabTo(`[data-testid="means-token"]`, 40)
	k.enterLoads()
	wantPath(t, ctx, "/opret/kodeviser")
	k.fillField("#serial", serial)
	k.fillField("#code", tokenCode(t, env, serial, time.Now()))
	k.tabTo(`[data-testid="create-token-submit"]`, 10)
	k.enterLoads()
	wantPath(t, ctx, "/opret/faerdig")
	if got := text(t, ctx, `[data-testid="created-username"]`); got != username {
		t.Errorf("the done page shows username %q, want %q", got, username)
	}
	k.tabTo(`[data-testid="create-login"]`, 40)
}

// keyboardLogIn: username, the kodeviser as the means, an empty submit refused with the
// error summary, then password and code.
func keyboardLogIn(t *testing.T, env *apptest.Env, lang string) {
	c := newCitizen(t, env)
	ctx := newTab(t)
	k := newKeyboard(t, ctx)

	navigate(t, ctx, withLang(env.URL+"/log-ind", lang))
	k.loaded()
	k.fillField("#username", c.MitID.Username)
	k.tabTo(`[data-testid="login-submit"]`, 5)
	k.enterLoads()
	wantPath(t, ctx, "/log-ind/metode")
	k.tabTo(`[data-testid="method-code"]`, 40)
	k.enterLoads()
	wantPath(t, ctx, "/log-ind/kode")
	k.tabTo(`[data-testid="code-submit"]`, 40)
	k.enterLoads()
	k.assertSummaryFocused("the empty /log-ind/kode")
	k.tabBackTo("#password", 10)
	k.typeText(c.Password)
	k.fillField("#code", c.code(t, env))
	k.enterLoads()
	wantPath(t, ctx, "/mitid")
}

// keyboardBlockMeans: from the overview of a logged-in citizen, the second kodeviser's block
// link; the form without a reason is refused; a reason chosen with Space blocks it.
func keyboardBlockMeans(t *testing.T, env *apptest.Env, lang string) {
	c := newCitizen(t, env)
	lost := importCodeDisplay(t, env)
	a, err := env.App.Identity.ActivateToken(context.Background(), c.MitID.ID, lost,
		previousCode(t, env, lost), identity.ActorSystem)
	if err != nil {
		t.Fatalf("activate the kodeviser to block: %v", err)
	}
	ctx := newTab(t)
	k := newKeyboard(t, ctx)
	// The login itself is the story above.
	setSessionCookie(t, ctx, env, env.LoginAs(t, session.Subject{Kind: session.KindCitizen, ID: c.MitID.ID,
		Roles: []string{"citizen"}, Level: "substantial", AuthenticatedAt: time.Now(), Name: c.MitID.Username}))

	navigate(t, ctx, withLang(env.URL+"/mitid", lang))
	k.loaded()
	block := "/mitid/middel/" + strconv.FormatInt(a.ID, 10) + "/spaer"
	k.tabTo(`a[data-testid="means-block"][href="`+block+`"]`, 60)
	k.enterLoads()
	wantPath(t, ctx, block)
	k.tabTo(`[data-testid="block-means-submit"]`, 40)
	k.enterLoads()
	k.assertSummaryFocused("blocking a means without a reason")
	k.press(" ")
	if !eval[bool](t, ctx, `document.activeElement.matches('input[name="reason"]:checked')`) {
		t.Fatalf("Space on the reason's radio button did not choose it (focus on %s)", eval[string](t, ctx, describeFocus))
	}
	k.tabTo(`[data-testid="block-means-submit"]`, 10)
	k.enterLoads()
	wantPath(t, ctx, "/mitid")
	if !has(t, ctx, `[data-testid="notice"]`) {
		t.Errorf("no notice after blocking: %s", clip(mainText(t, ctx), 300))
	}
	got, err := env.App.Identity.Authenticator(context.Background(), c.MitID.ID, a.ID)
	if err != nil || got.Status != identity.AuthBlocked {
		t.Errorf("the kodeviser is %s (%v) after blocking by keyboard, want blocked", got.Status, err)
	}
}

// keyboardPublicBlock: /spaer refused empty, then username, CPR number, a reason chosen with
// the arrow keys, the consent ticked with Space and the button pressed with Space.
func keyboardPublicBlock(t *testing.T, env *apptest.Env, lang string) {
	m := env.NewCitizen(t)
	ctx := newTab(t)
	k := newKeyboard(t, ctx)

	k.submitEmpty(withLang(env.URL+"/spaer", lang), `[data-testid="public-block-submit"]`, 40, "the empty /spaer")
	k.tabBackTo("#username", 20)
	k.typeText(m.Username)
	k.fillField("#cpr", m.CPR.String())
	k.tabTo(`input[name="reason"]`, 5)
	k.press(kb.ArrowDown)
	if !eval[bool](t, ctx, `document.activeElement.matches('input[name="reason"]:checked') &&
		document.activeElement === document.querySelectorAll('input[name="reason"]')[1]`) {
		t.Fatalf("ArrowDown in the reasons did not choose the second (focus on %s)", eval[string](t, ctx, describeFocus))
	}
	k.stops[len(k.stops)-1] = k.measure() // the arrow moved the focus within the group
	k.assertFocusVisible(k.stops[len(k.stops)-1])
	k.tabTo(`input[name="consent"]`, 5)
	k.press(" ")
	if !eval[bool](t, ctx, `document.querySelector('input[name="consent"]').checked`) {
		t.Fatal("Space on the consent did not tick it")
	}
	k.tabTo(`[data-testid="public-block-submit"]`, 5)
	k.pressLoads(" ") // Space presses a button as Enter does
	if !has(t, ctx, `[data-testid="public-block-done"]`) {
		t.Fatalf("/spaer by keyboard ends on %s without the done page: %s", currentPath(t, ctx), clip(mainText(t, ctx), 300))
	}
	got, err := env.App.Identity.MitID(context.Background(), m.ID)
	if err != nil || got.Status != identity.StatusBlocked {
		t.Errorf("after /spaer by keyboard the MitID is %s (%v), want blocked", got.Status, err)
	}
}

// keyboardContactForm: the anonymous contact form refused empty, then system and category
// chosen with the arrow keys, subject, message, name and e-mail address.
func keyboardContactForm(t *testing.T, env *apptest.Env, lang string) {
	ctx := newTab(t)
	k := newKeyboard(t, ctx)

	k.submitEmpty(withLang(env.URL+"/kontakt/skriv", lang), `[data-testid="contact-submit"]`, 40, "the empty contact form")
	k.tabBackTo("#system", 20)
	for _, sel := range []string{"#system", "#category"} {
		if sel != "#system" {
			k.tabTo(sel, 3)
		}
		k.press(kb.ArrowDown)
		if v := eval[string](t, ctx, `document.activeElement.value`); v == "" {
			t.Fatalf("ArrowDown on %s chose nothing", sel)
		}
	}
	k.fillField("#subject", "Tastatur "+lang)
	k.fillField("#message", "Jeg kan ikke logge på med min kodeviser.")
	k.fillField("#name", "Karla Tastesen")
	k.fillField("#email", "karla."+lang+"@example.dk")
	k.tabTo(`[data-testid="contact-submit"]`, 5)
	k.enterLoads()
	if !has(t, ctx, `[data-testid="contact-sent"]`) {
		t.Fatalf("the contact form by keyboard ends on %s: %s", currentPath(t, ctx), clip(mainText(t, ctx), 300))
	}
}
