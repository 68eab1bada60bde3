package browser_test

import (
	"context"
	"testing"
	"time"

	"mitidportal/app/apptest"
	"mitidportal/identity"
)

// The second half of the ways back in (issue 8): what the citizen does at home with the code
// that borgerservice printed, support's letter brought or the identification app handed over.
// The first halves are in borgerservice_test.go and idapp_test.go; these helpers join them, in
// a new tab each, as a new browser at home is.

// finishCreationAtHome types the CPR number and the code on /aktiver in a new tab, chooses
// username and password, activates the kodeviser serial as the first means and logs in with it
// in yet another tab.
func finishCreationAtHome(t *testing.T, env *apptest.Env, p identity.Person, code, serial, lang string) {
	t.Helper()
	h := newTab(t)
	problems := pageProblems(t, h)
	username := "hjemme." + lang + "." + flowSuffix()
	enterCode(t, h, env, p.CPR.String(), code, lang)
	wantPath(t, h, "/opret/bruger")
	checkAxe(t, h, "/opret/bruger?lang="+lang+" (at home)")
	fill(t, h, "#username", username)
	fill(t, h, "#password", identity.DemoPassword)
	fill(t, h, "#password_repeat", identity.DemoPassword)
	click(t, h, `[data-testid="create-user-submit"]`)
	wantPath(t, h, "/opret/middel")
	click(t, h, `[data-testid="means-token"]`)
	wantPath(t, h, "/opret/kodeviser")
	fill(t, h, "#serial", serial)
	fill(t, h, "#code", previousCode(t, env, serial))
	click(t, h, `[data-testid="create-token-submit"]`)
	wantPath(t, h, "/opret/faerdig")
	checkAxe(t, h, "/opret/faerdig?lang="+lang+" (at home)")
	for _, pr := range problems() {
		t.Errorf("the pages at home reported: %s", pr)
	}

	l := newTab(t)
	startLogin(t, l, env, username, lang)
	click(t, l, `[data-testid="method-code"]`)
	fill(t, l, "#password", identity.DemoPassword)
	fill(t, l, "#code", tokenCode(t, env, serial, time.Now()))
	click(t, l, `[data-testid="code-submit"]`)
	wantPath(t, l, "/mitid")
	m, err := env.App.Identity.MitIDByCPR(context.Background(), p.CPR)
	if err != nil || m.Assurance != identity.LevelHigh {
		t.Errorf("the MitID made with borgerservice's code: %+v, %v; want identity assurance high", m, err)
	}
}

// liftAtHome uses a lift code in a new tab: /aktiver sends it to /aktiver/ophaev, a new
// password lifts the block, and the citizen logs in with it and their kodeviser.
func liftAtHome(t *testing.T, env *apptest.Env, c testCitizen, code, lang string) {
	t.Helper()
	h := newTab(t)
	problems := pageProblems(t, h)
	useCode(t, h, env, c.Person.CPR, code, lang, "/aktiver/ophaev")
	checkAxe(t, h, "/aktiver/ophaev?lang="+lang+" (at home)")
	liftWithNewPassword(t, h, env, c, lang)
	for _, pr := range problems() {
		t.Errorf("the pages at home reported: %s", pr)
	}
}

// liftWithNewPassword is on /aktiver/ophaev: it sets a new password, checks the done page and
// logs in with the new password and the citizen's kodeviser.
func liftWithNewPassword(t *testing.T, ctx context.Context, env *apptest.Env, c testCitizen, lang string) {
	t.Helper()
	setNewPassword(t, ctx, recoveredPassword)
	click(t, ctx, `[data-testid="lift-submit"]`)
	wantPath(t, ctx, "/aktiver/ophaev/faerdig")
	checkAxe(t, ctx, "/aktiver/ophaev/faerdig?lang="+lang)
	if m, err := env.App.Identity.MitID(context.Background(), c.MitID.ID); err != nil || m.Status != identity.StatusActive {
		t.Fatalf("after the lift the MitID is %s (%v)", m.Status, err)
	}
	c.Password = recoveredPassword
	logInWithCode(t, ctx, env, c, lang)
}
