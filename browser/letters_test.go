package browser_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"mitidportal/app/apptest"
	"mitidportal/identity"
	"mitidportal/mail"
)

// Letters that work like letters (issue 8): the code from a letter is used in another browser
// days later; asking again makes the earlier code stop working, and a spent code offers a new
// letter; "Glemt eller mistet" leads to each way back in.

// orderCreationLetter fills /opret for p in ctx and checks the page that says the letter is on
// its way.
func orderCreationLetter(t *testing.T, ctx context.Context, env *apptest.Env, p identity.Person, lang string, axe bool) {
	t.Helper()
	navigate(t, ctx, withLang(env.URL+"/opret", lang))
	if axe {
		checkAxe(t, ctx, "/opret?lang="+lang)
	}
	if !has(t, ctx, `[data-testid="earlier-code-note"]`) {
		t.Error("/opret does not say that an earlier code stops working")
	}
	fill(t, ctx, "#cpr", p.CPR.String())
	fill(t, ctx, "#name", p.FullName())
	fill(t, ctx, "#document", p.IDDocumentNumber)
	click(t, ctx, `[data-testid="create-submit"]`)
	wantPath(t, ctx, "/opret/kode")
	if axe {
		checkAxe(t, ctx, "/opret/kode?lang="+lang)
	}
	if !has(t, ctx, `[data-testid="letter-sent"]`) || !has(t, ctx, `[data-testid="earlier-code-stopped"]`) {
		t.Errorf("the confirmation does not say the letter is sent and an earlier code stopped: %s", clip(mainText(t, ctx), 300))
	}
}

// newestCode is the activation code in the newest mail to p.
func newestCode(t *testing.T, env *apptest.Env, p identity.Person) string {
	t.Helper()
	mails, err := mail.Recent(context.Background(), env.App.Pool, p.Email, 1)
	if err != nil || len(mails) != 1 {
		t.Fatalf("mails to %s: %d, %v", p.Email, len(mails), err)
	}
	code := activationCodeRe.FindString(mails[0].Text)
	if code == "" || !strings.Contains(mails[0].Text, env.URL+"/aktiver") {
		t.Fatalf("no activation code or /aktiver link in the mail:\n%s", mails[0].Text)
	}
	return code
}

// enterCode types who and code on /aktiver.
func enterCode(t *testing.T, ctx context.Context, env *apptest.Env, who, code, lang string) {
	t.Helper()
	navigate(t, ctx, withLang(env.URL+"/aktiver", lang))
	fill(t, ctx, "#cpr", who)
	fill(t, ctx, "#code", code)
	click(t, ctx, `[data-testid="create-code-submit"]`)
}

// TestLetterCodeInANewBrowserDaysLater orders the letter in one browser and, two days later on
// the portal's clock, uses its code in a fresh browser (CPR number typed with a space), chooses
// username and password, adds a kodeviser and logs in.
func TestLetterCodeInANewBrowserDaysLater(t *testing.T) {
	t.Parallel()
	clock := &apptest.Clock{}
	env := apptest.New(t, apptest.Options{Clock: clock})
	for _, lang := range languages {
		t.Run(lang, func(t *testing.T) {
			p := newPersonWithoutMitID(t, env)
			serial := importCodeDisplay(t, env)
			username := "brev." + lang + "." + flowSuffix()

			a := newTab(t)
			orderCreationLetter(t, a, env, p, lang, true)
			clock.Advance(48 * time.Hour)
			code := newestCode(t, env, p)

			b := newTab(t)
			problems := pageProblems(t, b)
			navigate(t, b, withLang(env.URL+"/aktiver", lang))
			checkAxe(t, b, "/aktiver?lang="+lang)
			cpr := string(p.CPR)
			fill(t, b, "#cpr", cpr[:6]+" "+cpr[6:])
			fill(t, b, "#code", code)
			click(t, b, `[data-testid="create-code-submit"]`)
			// The steps from here are the creation's own pages, which TestCitizenFlowCreateByLetter
			// checks with axe in both languages; a tab has a minute for all it does.
			wantPath(t, b, "/opret/bruger")
			fill(t, b, "#username", username)
			fill(t, b, "#password", identity.DemoPassword)
			fill(t, b, "#password_repeat", identity.DemoPassword)
			click(t, b, `[data-testid="create-user-submit"]`)
			wantPath(t, b, "/opret/middel")
			click(t, b, `[data-testid="means-token"]`)
			wantPath(t, b, "/opret/kodeviser")
			fill(t, b, "#serial", serial)
			fill(t, b, "#code", tokenCode(t, env, serial, clock.Now()))
			click(t, b, `[data-testid="create-token-submit"]`)
			wantPath(t, b, "/opret/faerdig")

			// Log in with the new MitID in a third browser (each kodeviser step is accepted once).
			clock.Advance(30 * time.Second)
			l := newTab(t)
			startLogin(t, l, env, username, lang)
			click(t, l, `[data-testid="method-code"]`)
			fill(t, l, "#password", identity.DemoPassword)
			fill(t, l, "#code", tokenCode(t, env, serial, clock.Now()))
			click(t, l, `[data-testid="code-submit"]`)
			wantPath(t, l, "/mitid")
			checkAxe(t, l, "/mitid?lang="+lang)
			for _, pr := range problems() {
				t.Errorf("the pages reported: %s", pr)
			}
		})
	}
}

// TestLetterAskedTwiceAndTooManyTries: a second letter makes the first code stop working, with
// a clear message; five wrong tries spend the second code ("too many attempts") and the link
// offered orders a new letter that works.
func TestLetterAskedTwiceAndTooManyTries(t *testing.T) {
	t.Parallel()
	for _, lang := range languages {
		t.Run(lang, func(t *testing.T) {
			// A portal per language: the wrong tries count against the client address too.
			env := apptest.New(t, apptest.Options{})
			p := newPersonWithoutMitID(t, env)
			// Each part in its own browser: a tab has a minute for all it does.
			ctx := newTab(t)
			orderCreationLetter(t, ctx, env, p, lang, true)
			first := newestCode(t, env, p)
			orderCreationLetter(t, ctx, env, p, lang, false)
			second := newestCode(t, env, p)
			ctx = newTab(t)
			if first == second {
				t.Fatal("the second letter has the same code")
			}

			enterCode(t, ctx, env, p.CPR.String(), first, lang)
			wantErrorSummary(t, ctx, "the first letter's code after a second letter")
			if !has(t, ctx, `[data-testid="new-letter-link"]`) {
				t.Fatalf("the replaced code gets no link to a new letter: %s", clip(mainText(t, ctx), 300))
			}
			checkAxe(t, ctx, "/aktiver?lang="+lang+" (replaced code)")

			ctx = newTab(t)
			wrong := "2222-2222-2222"
			for i := range identity.DefaultActivationTries {
				enterCode(t, ctx, env, p.CPR.String(), wrong, lang)
				wantErrorSummary(t, ctx, "a wrong code")
				spent := has(t, ctx, `[data-testid="new-letter-link"]`)
				if last := i == identity.DefaultActivationTries-1; spent != last {
					t.Fatalf("try %d: new-letter link shown %v, want %v", i+1, spent, last)
				}
			}
			summary := text(t, ctx, `[data-testid="error-summary"]`)
			want := map[string]string{"da": "for mange forsøg", "en": "too many attempts"}[lang]
			if !strings.Contains(summary, want) {
				t.Errorf("after five wrong tries the page says %q, want %q", summary, want)
			}
			checkAxe(t, ctx, "/aktiver?lang="+lang+" (too many attempts)")
			// The right code does not help now.
			ctx = newTab(t)
			enterCode(t, ctx, env, p.CPR.String(), second, lang)
			if p := currentPath(t, ctx); p != "/aktiver" {
				t.Fatalf("a spent code led to %s", p)
			}

			click(t, ctx, `[data-testid="new-letter-link"]`)
			wantPath(t, ctx, "/glemt/brev")
			ctx = newTab(t)
			navigate(t, ctx, withLang(env.URL+"/glemt/brev", lang))
			checkAxe(t, ctx, "/glemt/brev?lang="+lang)
			fill(t, ctx, "#cpr", p.CPR.String())
			fill(t, ctx, "#name", p.FullName())
			fill(t, ctx, "#document", p.IDDocumentNumber)
			click(t, ctx, `[data-testid="forgot-letter-submit"]`)
			wantPath(t, ctx, "/aktiver")
			if !has(t, ctx, `[data-testid="letter-sent"]`) {
				t.Error("no confirmation of the new letter")
			}
			third := newestCode(t, env, p)
			// The form knows the CPR number of the letter just ordered.
			fill(t, ctx, "#code", third)
			click(t, ctx, `[data-testid="create-code-submit"]`)
			wantPath(t, ctx, "/opret/bruger")
		})
	}
}

// TestForgotLeadsToEachWay: /glemt is linked from the login page and asks what was lost; each
// answer leads to its way back in, and those links work.
func TestForgotLeadsToEachWay(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	for _, lang := range languages {
		t.Run(lang, func(t *testing.T) {
			ctx := newTab(t)
			navigate(t, ctx, withLang(env.URL+"/log-ind", lang))
			click(t, ctx, `[data-testid="forgot-link"]`)
			wantPath(t, ctx, "/glemt")
			checkAxe(t, ctx, "/glemt?lang="+lang)

			// No answer: the error summary, not a guess.
			click(t, ctx, `[data-testid="forgot-submit"]`)
			wantErrorSummary(t, ctx, "/glemt without an answer")
			checkAxe(t, ctx, "/glemt?lang="+lang+" (no answer)")

			answer := func(value string) {
				t.Helper()
				ctx = newTab(t)
				navigate(t, ctx, withLang(env.URL+"/glemt", lang))
				chooseFirst(t, ctx, `input[name="mistet"][value="`+value+`"]`)
				click(t, ctx, `[data-testid="forgot-submit"]`)
				if !has(t, ctx, `[data-testid="forgot-answer-`+value+`"]`) {
					t.Fatalf("no answer for %s: %s", value, clip(mainText(t, ctx), 300))
				}
				checkAxe(t, ctx, "/glemt?mistet="+value+"&lang="+lang)
			}

			answer("adgangskode-app")
			click(t, ctx, `[data-testid="forgot-login-app"]`)
			wantPath(t, ctx, "/log-ind")
			if next := eval[string](t, ctx, `document.querySelector('input[name="next"]').value`); next != "/mitid/adgangskode" {
				t.Errorf("the login continues to %q, want /mitid/adgangskode", next)
			}

			answer("adgangskode")
			click(t, ctx, `[data-testid="forgot-inperson"]`)
			wantPath(t, ctx, "/glemt/borgerservice")
			checkAxe(t, ctx, "/glemt/borgerservice?lang="+lang)

			answer("alt")
			if !has(t, ctx, `[data-testid="forgot-idapp"]`) {
				t.Error("lost everything: no identification app")
			}
			click(t, ctx, `[data-testid="forgot-letter"]`)
			wantPath(t, ctx, "/glemt/brev")

			answer("middel")
			click(t, ctx, `[data-testid="forgot-block"]`)
			wantPath(t, ctx, "/spaer")

			// A blocked MitID gets no letter from the web form, and is told what lifts a block.
			p := newPersonWithoutMitID(t, env)
			m, err := env.App.Identity.CreateMitID(context.Background(), identity.NewMitID{CPR: p.CPR,
				Username: "spaerret." + lang + "." + flowSuffix(), Password: identity.DemoPassword,
				Assurance: identity.LevelSubstantial, Actor: identity.ActorSystem})
			if err != nil {
				t.Fatal(err)
			}
			if err := env.App.Identity.BlockMitID(context.Background(), m.ID, identity.BlockReasons[0],
				identity.ActorCitizen, nil); err != nil {
				t.Fatal(err)
			}
			ctx = newTab(t)
			navigate(t, ctx, withLang(env.URL+"/glemt/brev", lang))
			fill(t, ctx, "#cpr", p.CPR.String())
			fill(t, ctx, "#name", p.FullName())
			fill(t, ctx, "#document", p.IDDocumentNumber)
			click(t, ctx, `[data-testid="forgot-letter-submit"]`)
			if !has(t, ctx, `[data-testid="letter-blocked"]`) {
				t.Fatalf("a blocked MitID is not told about lifting: %s", clip(mainText(t, ctx), 300))
			}
			checkAxe(t, ctx, "/glemt/brev?lang="+lang+" (blocked)")
			letters, err := env.App.Letters.List(context.Background(), p.CPR)
			if err != nil || len(letters) != 0 {
				t.Errorf("a blocked MitID got %d letters (%v)", len(letters), err)
			}
		})
	}
}
