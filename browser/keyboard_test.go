package browser_test

import (
	"context"
	"testing"
	"time"

	"mitidportal/app/apptest"
	"mitidportal/identity"
	"mitidportal/mail"
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

	navigate(t, ctx, withLang(env.URL+"/opret", lang))
	k.loaded()
	k.tabTo(`[data-testid="create-submit"]`, 40)
	k.enterLoads()
	k.assertSummaryFocused("the empty /opret")
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
