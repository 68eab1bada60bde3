package browser_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"mitidportal/app/apptest"
)

// The citizen side of the support desk in a real browser, in Danish and English: a logged-in
// citizen writes to support from the contact page and finds the case under "Mine sager"; an
// anonymous citizen confirms the address by the link from the mail. Every new page and form
// error state is checked with axe.

// fillCaseForm chooses system and category and types subject and message.
func fillCaseForm(t testing.TB, ctx context.Context, subject string) {
	t.Helper()
	do(t, ctx, chromedp.SetValue(chromedp.CSS("#system"), "digital_post"), chromedp.SetValue(chromedp.CSS("#category"), "login"))
	fill(t, ctx, "#subject", subject)
	typeText(t, ctx, "#message", "Jeg kan ikke se min post.")
}

// typeText types into an empty text area (chromedp cannot clear one without a text node).
func typeText(t testing.TB, ctx context.Context, css, value string) {
	t.Helper()
	do(t, ctx, chromedp.SendKeys(chromedp.CSS(css), value))
}

func TestMyCasesWebCaseInBothLanguages(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	for _, lang := range languages {
		t.Run(lang, func(t *testing.T) {
			c := newCitizen(t, env)
			ctx := newTab(t)
			problems := pageProblems(t, ctx)
			logInWithCode(t, ctx, env, c, lang)

			navigate(t, ctx, withLang(env.URL+"/kontakt", lang))
			checkAxe(t, ctx, "/kontakt")
			click(t, ctx, `[data-testid="contact-write-link"]`)
			wantPath(t, ctx, "/kontakt/skriv")
			if has(t, ctx, "#email") {
				t.Error("the logged-in form asks for an e-mail address")
			}
			checkAxe(t, ctx, "/kontakt/skriv")
			click(t, ctx, `[data-testid="contact-submit"]`)
			wantErrorSummary(t, ctx, "empty form")
			checkAxe(t, ctx, "/kontakt/skriv with errors")
			reportUnexpected(t, problems(), "/kontakt/skriv")

			subject := "Digital Post " + lang
			fillCaseForm(t, ctx, subject)
			click(t, ctx, `[data-testid="contact-submit"]`)
			ref := text(t, ctx, `[data-testid="case-ref"]`)
			if !regexp.MustCompile(`^[A-Z]{6}$`).MatchString(ref) {
				t.Fatalf("no reference code shown; the page says: %s", clip(mainText(t, ctx), 300))
			}
			checkAxe(t, ctx, "case opened")

			navigate(t, ctx, withLang(env.URL+"/mitid", lang))
			click(t, ctx, `[data-testid="my-cases-link"]`)
			wantPath(t, ctx, "/mitid/sager")
			checkAxe(t, ctx, "/mitid/sager")
			if !strings.Contains(mainText(t, ctx), ref) || !strings.Contains(mainText(t, ctx), subject) {
				t.Fatalf("my cases lacks %s: %s", ref, clip(mainText(t, ctx), 300))
			}
			click(t, ctx, `[data-testid="case-link"]`)
			wantPath(t, ctx, "/mitid/sager/"+ref)
			checkAxe(t, ctx, "/mitid/sager/"+ref)
			click(t, ctx, `[data-testid="reply-submit"]`)
			wantErrorSummary(t, ctx, "empty reply")
			checkAxe(t, ctx, "empty reply")
			typeText(t, ctx, "#message", "Det virker stadig ikke.")
			click(t, ctx, `[data-testid="reply-submit"]`)
			if !has(t, ctx, `[data-testid="notice"]`) || !strings.Contains(mainText(t, ctx), "Det virker stadig ikke.") {
				t.Errorf("the reply is not shown: %s", clip(mainText(t, ctx), 300))
			}
			checkAxe(t, ctx, "after the reply")
			reportUnexpected(t, problems(), "/svar")
		})
	}
}

func TestMyCasesAnonymousConfirmInBothLanguages(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	link := regexp.MustCompile(`http://\S+/kontakt/bekraeft/\S+`)
	for _, lang := range languages {
		t.Run(lang, func(t *testing.T) {
			ctx := newTab(t)
			navigate(t, ctx, withLang(env.URL+"/kontakt/skriv", lang))
			checkAxe(t, ctx, "anonymous form")
			fillCaseForm(t, ctx, "Uden login "+lang)
			click(t, ctx, `[data-testid="contact-submit"]`)
			wantErrorSummary(t, ctx, "without name and address")
			checkAxe(t, ctx, "anonymous form with errors")
			email := "anon-" + lang + "@example.org"
			fill(t, ctx, "#name", "Anna Anonym")
			fill(t, ctx, "#email", email)
			click(t, ctx, `[data-testid="contact-submit"]`)
			if !has(t, ctx, `[data-testid="contact-sent"]`) {
				t.Fatalf("no check-your-mail page: %s", clip(mainText(t, ctx), 300))
			}
			checkAxe(t, ctx, "check your mail")

			var body string
			if err := env.App.Pool.QueryRow(context.Background(), `SELECT text_body FROM mail_outbox
				WHERE to_address = $1 AND kind = 'case.contact_confirm'`, email).Scan(&body); err != nil {
				t.Fatal(err)
			}
			url := link.FindString(body)
			// The link shows the submission and a button; only the button sends it.
			navigate(t, ctx, url)
			if !has(t, ctx, `[data-testid="contact-confirm"]`) || has(t, ctx, `[data-testid="case-ref"]`) {
				t.Fatalf("the link's page is not the confirmation with a button: %s", clip(mainText(t, ctx), 300))
			}
			checkAxe(t, ctx, "confirm the anonymous case")
			click(t, ctx, `[data-testid="contact-confirm"]`)
			ref := text(t, ctx, `[data-testid="case-ref"]`)
			if _, err := env.App.Cases.ByRef(context.Background(), ref); err != nil {
				t.Fatalf("shown code %q: %v", ref, err)
			}
			checkAxe(t, ctx, "anonymous case opened")
			navigate(t, ctx, url)
			if !has(t, ctx, `[data-testid="contact-link-invalid"]`) {
				t.Errorf("a used link still works: %s", clip(mainText(t, ctx), 300))
			}
			checkAxe(t, ctx, "used link")
		})
	}
}
