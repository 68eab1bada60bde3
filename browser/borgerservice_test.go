package browser_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"mitidportal/app/apptest"
	"mitidportal/identity"
	"mitidportal/identity/mrz"
	"mitidportal/locales"
	"mitidportal/session"
)

// Registration at borgerservice (DESIGN.md §3.4 path 2) and the support letter that lifts a
// block (§3.6), walked in Chromium in both languages with axe on every page. Using the printed
// code at home (/aktiver) is another flow's part: these tests end at the printed code.

// testMRZ writes the two TD3 lines of a Danish passport for p, valid until expiry, with the
// ICAO 9303 check digits.
func testMRZ(p identity.Person, expiry time.Time) (string, string) {
	pad := func(s string, n int) string { return (s + strings.Repeat("<", n))[:n] }
	l1 := pad("P<DNK"+identity.MRZNameField(p.FamilyName, p.GivenName), mrz.LineLength)
	num := pad("PB7654321", 9)
	b, x := p.BirthDate.Format("060102"), expiry.Format("060102")
	d := func(s string) string { return fmt.Sprint(mrz.CheckDigit(s)) }
	l2 := num + d(num) + "DNK" + b + d(b) + "M" + x + d(x) + strings.Repeat("<", 14) + "<"
	return l1, l2 + d(l2[0:10]+l2[13:20]+l2[21:43])
}

// bsProblems fails the test for page problems except the 422s of the forms refused on purpose.
func bsProblems(t testing.TB, ps []pageProblem) {
	t.Helper()
	for _, p := range ps {
		if p.Kind == "network" && strings.Contains(p.Text, "status of 422") &&
			(strings.Contains(p.URL, "/medarbejder/tilmeld") || strings.HasSuffix(p.URL, "/medarbejder/borgerservice/pas")) {
			continue
		}
		t.Errorf("the pages reported: %s", p)
	}
}

// bsIssue looks up cpr on the officer's screen and records the passport lines; it returns the
// printed code and the purpose the code page names.
func bsIssue(t testing.TB, ctx context.Context, lang, cpr, l1, l2, what string) (string, string) {
	t.Helper()
	fill(t, ctx, "#cpr", cpr)
	click(t, ctx, sel("bs-lookup-submit"))
	if !has(t, ctx, sel("bs-passport-form")) {
		t.Fatalf("no passport form after the look-up (%s): %s", what, clip(mainText(t, ctx), 300))
	}
	purpose := eval[string](t, ctx, `document.querySelector(`+jsSel("bs-purpose")+`).dataset.purpose`)
	checkAxe(t, ctx, "borgerservice citizen, "+what+" ("+lang+")")
	fill(t, ctx, "#mrz1", l1)
	fill(t, ctx, "#mrz2", l2)
	click(t, ctx, sel("bs-passport-submit"))
	if !has(t, ctx, sel("bs-code")) {
		t.Fatalf("no code after a valid passport (%s): %s", what, clip(mainText(t, ctx), 400))
	}
	if got := eval[string](t, ctx, `document.querySelector(`+jsSel("bs-code-purpose")+`).dataset.purpose`); got != purpose {
		t.Errorf("the code page says %q, the look-up said %q", got, purpose)
	}
	if eval[bool](t, ctx, `document.querySelector(`+jsSel("bs-print")+`).hidden`) {
		t.Error("the print button stays hidden with JavaScript on")
	}
	checkAxe(t, ctx, "borgerservice code page, "+what+" ("+lang+")")
	return strings.TrimSpace(text(t, ctx, sel("bs-code"))), purpose
}

// raTab is a tab with the session of a finished registration officer's login (the login with
// password and security key itself is walked in TestBorgerserviceFlowOfficerLogsIn).
func raTab(t testing.TB, env *apptest.Env, lang string) context.Context {
	t.Helper()
	u, _, err := env.App.Server.Staff.Create(context.Background(), "ra-"+lang+"-"+flowSuffix()+"@kommune.dk",
		"Rikke RA "+lang, []string{"ra_officer"})
	if err != nil {
		t.Fatal(err)
	}
	a := newTab(t)
	desktopWindow(t, a)
	cookie := env.LoginAs(t, session.Subject{Kind: session.KindStaff, ID: u.ID, Roles: u.Roles, Level: "high", Name: u.Name})
	httpOnly := true
	if _, err := chromedp.Call(a, network.SetCookie, network.SetCookieParams{Name: cookie.Name, Value: cookie.Value,
		URL: env.URL + "/", HTTPOnly: &httpOnly, SameSite: network.CookieSameSiteLax}); err != nil {
		t.Fatal(err)
	}
	return a
}

// TestBorgerserviceFlowOfficerLogsIn: a registration officer enrols and logs in like all staff,
// with password and security key, and finds the borgerservice screen on the start page.
func TestBorgerserviceFlowOfficerLogsIn(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	for _, lang := range languages {
		t.Run(lang, func(t *testing.T) {
			email := "ra-login-" + lang + "-" + flowSuffix() + "@kommune.dk"
			_, token, err := env.App.Server.Staff.Create(context.Background(), email, "Rikke RA "+lang, []string{"ra_officer"})
			if err != nil {
				t.Fatal(err)
			}
			a := newTab(t)
			desktopWindow(t, a)
			problems := pageProblems(t, a)
			addSecurityKey(t, a)
			enrolStaffInBrowser(t, a, env.URL+"/medarbejder/tilmeld/"+token, lang, "registration officer")
			logOut(t, a)
			navigate(t, a, withLang(env.URL+"/medarbejder/log-ind", lang))
			fill(t, a, "#email", email)
			fill(t, a, "#password", staffTestPassword)
			click(t, a, `[data-testid="staff-login-submit"]`)
			wantPath(t, a, "/medarbejder/log-ind/noegle")
			submitChip(t, a, "staff-key-login")
			waitFor(t, a, `location.pathname === '/medarbejder'`, ceremonyTimeout)
			click(t, a, sel("staff-entry-borgerservice"))
			wantPath(t, a, "/medarbejder/borgerservice")
			checkAxe(t, a, "/medarbejder/borgerservice ("+lang+")")
			bsProblems(t, problems())
		})
	}
}

// TestBorgerserviceFlowRegister: the officer looks up a person without a MitID, types a wrong
// MRZ line (the message names the check digit), then the right one, and gets the printable
// code to create a MitID at assurance high.
func TestBorgerserviceFlowRegister(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range languages {
		t.Run(lang, func(t *testing.T) {
			bg := context.Background()
			tr := cat.For(lang)
			a := raTab(t, env, lang)
			problems := pageProblems(t, a)
			navigate(t, a, withLang(env.URL+"/medarbejder/borgerservice", lang))
			checkAxe(t, a, "/medarbejder/borgerservice ("+lang+")")
			p := newPersonWithoutMitID(t, env)
			l1, l2 := testMRZ(p, time.Now().AddDate(6, 0, 0))
			fill(t, a, "#cpr", p.CPR.String())
			click(t, a, sel("bs-lookup-submit"))
			if got := eval[string](t, a, `document.querySelector(`+jsSel("bs-purpose")+`).dataset.purpose`); got != "borgerservice.purpose.create" {
				t.Fatalf("a person without a MitID: the page says %q", got)
			}
			checkAxe(t, a, "borgerservice citizen without MitID ("+lang+")")
			wrong := l2[:27] + strconv.Itoa((int(l2[27]-'0')+1)%10) + l2[28:]
			fill(t, a, "#mrz1", l1)
			fill(t, a, "#mrz2", wrong)
			click(t, a, sel("bs-passport-submit"))
			wantErrorSummary(t, a, "a wrong expiry check digit")
			if got := mainText(t, a); !strings.Contains(got, tr.T(mrz.ErrCheckExpiry.MsgID)) {
				t.Errorf("the refusal does not name the expiry date's check digit: %s", clip(got, 500))
			}
			checkAxe(t, a, "borgerservice wrong MRZ ("+lang+")")
			fill(t, a, "#mrz2", l2)
			click(t, a, sel("bs-passport-submit"))
			code := strings.TrimSpace(text(t, a, sel("bs-code")))
			if code == "" {
				t.Fatalf("no code after the right MRZ: %s", clip(mainText(t, a), 400))
			}
			if eval[bool](t, a, `document.querySelector(`+jsSel("bs-print")+`).hidden`) {
				t.Error("the print button stays hidden with JavaScript on")
			}
			checkAxe(t, a, "borgerservice code page ("+lang+")")
			ac, err := env.App.Activations.Check(bg, p.CPR, code)
			if err != nil || ac.Purpose != identity.ActivationCreate || ac.Assurance != identity.LevelHigh {
				t.Errorf("the printed code: %+v, %v", ac, err)
			}
			bsProblems(t, problems())
			// At home the next day, in a browser of their own.
			finishCreationAtHome(t, env, p, code, importCodeDisplay(t, env), lang)
		})
	}
}

// TestBorgerserviceFlowLift: for a citizen whose MitID is blocked, the officer's page and the
// printed code say "lift", and the code lifts the block.
func TestBorgerserviceFlowLift(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	for _, lang := range languages {
		t.Run(lang, func(t *testing.T) {
			bg := context.Background()
			a := raTab(t, env, lang)
			problems := pageProblems(t, a)
			c := newCitizen(t, env)
			if err := env.App.Identity.BlockMitID(bg, c.MitID.ID, identity.BlockLost, identity.ActorCitizen, nil); err != nil {
				t.Fatal(err)
			}
			navigate(t, a, withLang(env.URL+"/medarbejder/borgerservice", lang))
			b1, b2 := testMRZ(c.Person, time.Now().AddDate(1, 0, 0))
			liftCode, purpose := bsIssue(t, a, lang, c.Person.CPR.String(), b1, b2, "blocked MitID")
			if purpose != "borgerservice.purpose.lift" {
				t.Errorf("a blocked MitID: the page says %q", purpose)
			}
			if ac, err := env.App.Activations.Check(bg, c.Person.CPR, liftCode); err != nil || ac.Purpose != identity.ActivationLift {
				t.Errorf("the lift code: %+v, %v", ac, err)
			}
			bsProblems(t, problems())
			liftAtHome(t, env, c, liftCode, lang)
		})
	}
}

// TestBorgerserviceFlowSupportLetter: support verifies the caller of a blocked MitID with the
// app, sends the letter that lifts the block, and the letter is in the citizen's letter box;
// the MitID is still blocked (only the citizen's code lifts it).
func TestBorgerserviceFlowSupportLetter(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	for _, lang := range languages {
		t.Run(lang, func(t *testing.T) {
			bg := context.Background()
			c := newCitizen(t, env)
			phone := newTab(t)
			agent := newTab(t)
			desktopWindow(t, agent)
			problemsA := pageProblems(t, agent)
			problemsP := pageProblems(t, phone)
			pairByAPI(t, env, phone, c, lang, "Spærret "+lang+" "+flowSuffix())
			if err := env.App.Identity.BlockMitID(bg, c.MitID.ID, identity.BlockStolen, identity.ActorCitizen, nil); err != nil {
				t.Fatal(err)
			}

			loginAgentInTab(t, agent, env, "lift-"+lang+"-"+flowSuffix()+"@styrelsen.dk", "Agnes Agent "+lang)
			card := "/medarbejder/borger/" + strconv.FormatInt(c.MitID.ID, 10)
			navigate(t, agent, withLang(env.URL+card, lang))
			click(t, agent, sel("desk-open"))
			wantPath(t, agent, card)
			if !has(t, agent, sel("desk-already-blocked")) || !has(t, agent, sel("desk-activation-lift")) {
				t.Fatalf("the card of a blocked MitID does not say the letter lifts the block: %s", clip(mainText(t, agent), 400))
			}
			checkAxe(t, agent, "citizen card, blocked MitID ("+lang+")")

			click(t, agent, sel("desk-verify-start"))
			code := text(t, agent, sel("desk-verify-code"))
			if code == "" {
				t.Fatalf("no verification code on the card: %s", clip(mainText(t, agent), 300))
			}
			checkAxe(t, agent, "citizen card, verification pending ("+lang+")")
			phoneRequest(t, phone, code)
			if err := clickNoWait(phone, sel("app-approve")); err != nil {
				t.Fatal(err)
			}
			waitFor(t, agent, `document.querySelector(`+jsSel("desk-verify")+`).dataset.status === 'approved'`, appWait)
			checkAxe(t, agent, "citizen card, caller verified ("+lang+")")

			click(t, agent, sel("desk-activation-submit"))
			wantPath(t, agent, card)
			if !has(t, agent, sel("desk-notice")) {
				t.Errorf("no notice after the letter: %s", clip(mainText(t, agent), 300))
			}
			checkAxe(t, agent, "citizen card, lift letter sent ("+lang+")")

			letters, err := env.App.Letters.List(bg, c.Person.CPR)
			if err != nil || len(letters) != 1 {
				t.Fatalf("the citizen's letter box: %v, %v", letters, err)
			}
			var purpose string
			if err := env.App.Pool.QueryRow(bg, `SELECT purpose FROM activation_code WHERE cpr = $1 AND used_at IS NULL
				AND replaced_at IS NULL`, c.Person.CPR).Scan(&purpose); err != nil || purpose != string(identity.ActivationLift) {
				t.Errorf("the letter's code: %q, %v", purpose, err)
			}
			if m, err := env.App.Identity.MitID(bg, c.MitID.ID); err != nil || m.Status != identity.StatusBlocked {
				t.Errorf("after the letter the MitID is %s (%v), want still blocked", m.Status, err)
			}
			deskProblems(t, problemsA())
			// The letter arrives: its code lifts the block at home.
			liftAtHome(t, env, c, newestCode(t, env, c.Person), lang)
			// While the MitID is blocked and support asks nothing, the app's polling gets 409.
			appProblems(t, problemsP(), "P", "/app/anmodninger")
		})
	}
}
