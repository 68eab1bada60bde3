package browser_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	mrand "math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"mitidportal/app/apptest"
	"mitidportal/identity"
	"mitidportal/mail"
)

// Citizen flows walked through the pages in both languages: creating a MitID by activation
// letter, logging in with kodeviser and password, blocking the whole MitID while another
// browser is logged in, and the public block page.

// activationCodeRe finds the activation code as the e-mail prints it.
var activationCodeRe = regexp.MustCompile(`\b[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}\b`)

// flowSuffix is a short random suffix for usernames and serials unique within the test binary.
func flowSuffix() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// newPersonWithoutMitID puts an invented living person with e-mail and ID document into the
// register, with no MitID.
func newPersonWithoutMitID(t testing.TB, env *apptest.Env) identity.Person {
	t.Helper()
	rng := mrand.New(mrand.NewPCG(uint64(time.Now().UnixNano()), uint64(citizenSeq.Add(1))))
	for _, p := range identity.GenerateDemoPersons(rng, 50) {
		if p.Email == "" || p.IDDocumentNumber == "" {
			continue
		}
		p.Deceased = false
		if err := env.App.Persons.Insert(context.Background(), p); err != nil {
			t.Fatalf("insert person: %v", err)
		}
		return p
	}
	t.Fatal("no generated person has both an e-mail address and an ID document")
	return identity.Person{}
}

// importCodeDisplay imports a fresh kodeviser into the token inventory and returns its serial.
func importCodeDisplay(t testing.TB, env *apptest.Env) string {
	t.Helper()
	serial := "FLOW" + strings.ToUpper(flowSuffix())
	secret := make([]byte, 20)
	_, _ = rand.Read(secret)
	seed := identity.TokenSeed{Serial: serial, Kind: identity.KindCodeDisplay, Secret: secret,
		Algorithm: "SHA1", Digits: 6, Period: 30}
	if _, err := env.App.Tokens.Import(context.Background(), []identity.TokenSeed{seed}); err != nil {
		t.Fatalf("import token: %v", err)
	}
	return serial
}

// tokenCode is what the kodeviser with serial shows at now.
func tokenCode(t testing.TB, env *apptest.Env, serial string, now time.Time) string {
	t.Helper()
	code, err := env.App.Tokens.Code(context.Background(), serial, now)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// previousCode is what the kodeviser with serial showed one step ago (apptest's
// PreviousStepCode: taken well before the step turns).
func previousCode(t testing.TB, env *apptest.Env, serial string) string {
	t.Helper()
	return env.PreviousStepCode(t, serial)
}

// wrongCode is a six-digit code that no step around now of the kodeviser shows.
func wrongCode(t testing.TB, env *apptest.Env, serial string) string {
	t.Helper()
	taken := map[string]bool{}
	for d := -5; d <= 5; d++ {
		taken[tokenCode(t, env, serial, time.Now().Add(time.Duration(d)*30*time.Second))] = true
	}
	for i := 0; ; i++ {
		c := fmt.Sprintf("%06d", (123456+i*7919)%1000000)
		if !taken[c] {
			return c
		}
	}
}

// has reports whether an element matches the CSS selector.
func has(t testing.TB, ctx context.Context, css string) bool {
	t.Helper()
	return eval[bool](t, ctx, `!!document.querySelector(`+fmt.Sprintf("%q", css)+`)`)
}

// wantErrorSummary fails the test unless the page shows the DKFDS error summary.
func wantErrorSummary(t testing.TB, ctx context.Context, what string) {
	t.Helper()
	if !has(t, ctx, `[data-testid="error-summary"]`) {
		t.Fatalf("%s: no error summary on %s; the page says: %s", what, currentPath(t, ctx), clip(mainText(t, ctx), 300))
	}
}

// chooseFirst ticks the first radio button or the checkbox matching css by clicking its label,
// the way a person does (DKFDS draws its own boxes over the inputs).
func chooseFirst(t testing.TB, ctx context.Context, inputCSS string) {
	t.Helper()
	id := eval[string](t, ctx, `(document.querySelector(`+fmt.Sprintf("%q", inputCSS)+`) || {}).id || ''`)
	if id == "" {
		t.Fatalf("no input %s on %s", inputCSS, currentPath(t, ctx))
	}
	if err := clickNoWait(ctx, `label[for="`+id+`"]`); err != nil {
		t.Fatalf("click the label of %s: %v", inputCSS, err)
	}
	if !eval[bool](t, ctx, `document.getElementById(`+fmt.Sprintf("%q", id)+`).checked`) {
		t.Fatalf("clicking the label of #%s did not tick it", id)
	}
}

// TestCitizenFlowCreateByLetter creates a MitID with the activation code from the e-mail and a
// kodeviser as the first means, checking every step's page with axe.
func TestCitizenFlowCreateByLetter(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	for i, lang := range languages {
		t.Run(lang, func(t *testing.T) {
			p := newPersonWithoutMitID(t, env)
			serial := importCodeDisplay(t, env)
			username := "flow." + lang + "." + flowSuffix()
			ctx := newTab(t)
			problems := pageProblems(t, ctx)

			navigate(t, ctx, withLang(env.URL+"/opret", lang))
			checkAxe(t, ctx, "/opret?lang="+lang)
			fill(t, ctx, "#cpr", p.CPR.String())
			fill(t, ctx, "#document", p.IDDocumentNumber)
			if i == 0 {
				// Once: a wrong name is refused with the error summary.
				fill(t, ctx, "#name", "Forkert Navnesen")
				click(t, ctx, `[data-testid="create-submit"]`)
				wantPath(t, ctx, "/opret")
				wantErrorSummary(t, ctx, "a wrong name on /opret")
				checkAxe(t, ctx, "/opret?lang="+lang+" (wrong name)")
				reportUnexpected(t, problems(), "/opret")
				fill(t, ctx, "#cpr", p.CPR.String())
				fill(t, ctx, "#document", p.IDDocumentNumber)
			}
			fill(t, ctx, "#name", p.FullName())
			click(t, ctx, `[data-testid="create-submit"]`)
			wantPath(t, ctx, "/opret/kode")
			checkAxe(t, ctx, "/opret/kode?lang="+lang)

			mails, err := mail.Recent(context.Background(), env.App.Pool, p.Email, 1)
			if err != nil {
				t.Fatal(err)
			}
			if len(mails) != 1 {
				t.Fatalf("%d mails to %s, want 1", len(mails), p.Email)
			}
			code := activationCodeRe.FindString(mails[0].Text)
			if code == "" {
				t.Fatalf("no activation code in the mail:\n%s", mails[0].Text)
			}
			fill(t, ctx, "#code", code)
			click(t, ctx, `[data-testid="create-code-submit"]`)
			wantPath(t, ctx, "/opret/bruger")
			checkAxe(t, ctx, "/opret/bruger?lang="+lang)

			fill(t, ctx, "#username", username)
			fill(t, ctx, "#password", identity.DemoPassword)
			fill(t, ctx, "#password_repeat", identity.DemoPassword)
			click(t, ctx, `[data-testid="create-user-submit"]`)
			wantPath(t, ctx, "/opret/middel")
			checkAxe(t, ctx, "/opret/middel?lang="+lang)

			click(t, ctx, `[data-testid="means-token"]`)
			wantPath(t, ctx, "/opret/kodeviser")
			checkAxe(t, ctx, "/opret/kodeviser?lang="+lang)
			fill(t, ctx, "#serial", serial)
			fill(t, ctx, "#code", tokenCode(t, env, serial, time.Now()))
			click(t, ctx, `[data-testid="create-token-submit"]`)
			wantPath(t, ctx, "/opret/faerdig")
			checkAxe(t, ctx, "/opret/faerdig?lang="+lang)
			if got := text(t, ctx, `[data-testid="created-username"]`); got != username {
				t.Errorf("the done page shows username %q, want %q", got, username)
			}
			m, err := env.App.Identity.MitIDByUsername(context.Background(), username)
			if err != nil {
				t.Fatalf("the new MitID is not in the database: %v", err)
			}
			if m.CPR != p.CPR || m.Status != identity.StatusActive {
				t.Errorf("the new MitID has CPR %s and status %s, want %s and %s", m.CPR, m.Status, p.CPR, identity.StatusActive)
			}
			for _, pr := range problems() {
				t.Errorf("the pages reported: %s", pr)
			}
		})
	}
}

// TestCitizenFlowLogInWithCode logs in with password and kodeviser after a refused wrong code.
func TestCitizenFlowLogInWithCode(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	for _, lang := range languages {
		t.Run(lang, func(t *testing.T) {
			c := newCitizen(t, env)
			ctx := newTab(t)
			problems := pageProblems(t, ctx)

			// A wrong code: the same page again with the error summary.
			startLogin(t, ctx, env, c.MitID.Username, lang)
			click(t, ctx, `[data-testid="method-code"]`)
			wantPath(t, ctx, "/log-ind/kode")
			checkAxe(t, ctx, "/log-ind/kode?lang="+lang)
			fill(t, ctx, "#password", c.Password)
			fill(t, ctx, "#code", wrongCode(t, env, c.Serial))
			click(t, ctx, `[data-testid="code-submit"]`)
			wantErrorSummary(t, ctx, "a wrong kodeviser code")
			if p := currentPath(t, ctx); strings.HasPrefix(p, "/mitid") {
				t.Fatalf("a wrong code logged in (on %s)", p)
			}
			checkAxe(t, ctx, "/log-ind/kode?lang="+lang+" (wrong code)")
			reportUnexpected(t, problems(), "/log-ind/kode")

			logInWithCode(t, ctx, env, c, lang)
			checkAxe(t, ctx, "/mitid?lang="+lang)
			if got := text(t, ctx, `[data-testid="summary-username"]`); got != c.MitID.Username {
				t.Errorf("the overview shows username %q, want %q", got, c.MitID.Username)
			}
			for _, pr := range problems() {
				t.Errorf("the pages reported: %s", pr)
			}
		})
	}
}

// TestCitizenFlowBlockEndsOtherSessions blocks the whole MitID in one browser while another
// browser is logged in as the same citizen: the other session ends and logins show the block.
func TestCitizenFlowBlockEndsOtherSessions(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	for _, lang := range languages {
		t.Run(lang, func(t *testing.T) {
			c := newCitizen(t, env)
			// A second kodeviser for the second browser, so both logins use a fresh time step.
			c2 := c
			c2.Serial = importCodeDisplay(t, env)
			prev := previousCode(t, env, c2.Serial)
			if _, err := env.App.Identity.ActivateToken(context.Background(), c.MitID.ID, c2.Serial, prev, identity.ActorSystem); err != nil {
				t.Fatalf("activate the second token: %v", err)
			}

			a := newTab(t)
			b := newTab(t)
			logInWithCode(t, a, env, c, lang)
			logInWithCode(t, b, env, c2, lang)

			navigate(t, a, withLang(env.URL+"/mitid/spaer", lang))
			wantPath(t, a, "/mitid/spaer")
			checkAxe(t, a, "/mitid/spaer?lang="+lang)
			chooseFirst(t, a, `input[name="reason"]`)
			click(t, a, `[data-testid="block-mitid-submit"]`)
			if !has(t, a, `[data-testid="mitid-blocked"]`) {
				t.Fatalf("after blocking, tab A is on %s without the blocked page: %s", currentPath(t, a), clip(mainText(t, a), 300))
			}
			checkAxe(t, a, "blocked page ("+lang+")")
			m, err := env.App.Identity.MitID(context.Background(), c.MitID.ID)
			if err != nil {
				t.Fatal(err)
			}
			if m.Status != identity.StatusBlocked {
				t.Errorf("the MitID's status is %s after blocking, want %s", m.Status, identity.StatusBlocked)
			}

			res := navigate(t, b, withLang(env.URL+"/mitid", lang))
			if p := currentPath(t, b); p == "/mitid" && res.Status == 200 {
				t.Fatalf("tab B still sees /mitid (status %d) after the block: %s", res.Status, clip(mainText(t, b), 300))
			}
			if has(t, b, `form[action="/log-ud"]`) {
				t.Errorf("tab B still shows a logged-in header on %s after the block", currentPath(t, b))
			}

			// A new login with the right password and code shows the blocked page.
			navigate(t, b, withLang(env.URL+"/log-ind", lang))
			fill(t, b, "#username", c.MitID.Username)
			click(t, b, `[data-testid="login-submit"]`)
			if !has(t, b, `[data-testid="mitid-blocked"]`) {
				wantPath(t, b, "/log-ind/metode")
				click(t, b, `[data-testid="method-code"]`)
				fill(t, b, "#password", c.Password)
				fill(t, b, "#code", tokenCode(t, env, c2.Serial, time.Now().Add(30*time.Second)))
				click(t, b, `[data-testid="code-submit"]`)
			}
			if !has(t, b, `[data-testid="mitid-blocked"]`) {
				t.Fatalf("a login on the blocked MitID lands on %s without the blocked page: %s",
					currentPath(t, b), clip(mainText(t, b), 300))
			}
			if p := currentPath(t, b); strings.HasPrefix(p, "/mitid") {
				t.Errorf("a login on the blocked MitID reached %s", p)
			}
		})
	}
}

// TestCitizenFlowPublicBlock blocks a MitID on the public /spaer and checks that an unknown
// username gets the same answer.
func TestCitizenFlowPublicBlock(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	for _, lang := range languages {
		t.Run(lang, func(t *testing.T) {
			m := env.NewCitizen(t)
			ctx := newTab(t)
			problems := pageProblems(t, ctx)

			submit := func(username string) string {
				t.Helper()
				navigate(t, ctx, withLang(env.URL+"/spaer", lang))
				fill(t, ctx, "#username", username)
				fill(t, ctx, "#cpr", m.CPR.String())
				chooseFirst(t, ctx, `input[name="reason"]`)
				chooseFirst(t, ctx, `input[name="consent"]`)
				click(t, ctx, `[data-testid="public-block-submit"]`)
				if !has(t, ctx, `[data-testid="public-block-done"]`) {
					t.Fatalf("blocking %q on /spaer gives %s without the done page: %s", username,
						currentPath(t, ctx), clip(mainText(t, ctx), 300))
				}
				return mainText(t, ctx)
			}

			navigate(t, ctx, withLang(env.URL+"/spaer", lang))
			checkAxe(t, ctx, "/spaer?lang="+lang)
			done := submit(m.Username)
			checkAxe(t, ctx, "/spaer done ("+lang+")")
			got, err := env.App.Identity.MitID(context.Background(), m.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != identity.StatusBlocked {
				t.Errorf("after /spaer the MitID's status is %s, want %s", got.Status, identity.StatusBlocked)
			}

			unknown := submit("ingen." + flowSuffix())
			if unknown != done {
				t.Errorf("an unknown username gets a different answer:\nknown:   %s\nunknown: %s", done, unknown)
			}
			for _, pr := range problems() {
				t.Errorf("the pages reported: %s", pr)
			}
		})
	}
}

// clickNoWait clicks the first element matching css without waiting for a page load.
func clickNoWait(ctx context.Context, css string) error {
	return chromedp.Do(ctx, chromedp.Click(chromedp.CSS(css)))
}

// reportUnexpected fails the test for each page problem except the 422 status of a refused
// form posted to path, which is the answer the test asked for.
func reportUnexpected(t testing.TB, ps []pageProblem, path string) {
	t.Helper()
	for _, p := range ps {
		if p.Kind == "network" && strings.Contains(p.Text, "status of 422") && strings.HasSuffix(p.URL, path) {
			continue
		}
		t.Errorf("the pages reported: %s", p)
	}
}
