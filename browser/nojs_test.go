package browser_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"mitidportal/app/apptest"
	"mitidportal/identity"
	"mitidportal/mail"
)

// The citizen's main errands without JavaScript: every step is a plain form submit or link.

// newNoJSTab opens a fresh tab whose pages run no script.
func newNoJSTab(t testing.TB) context.Context {
	t.Helper()
	ctx := newTab(t)
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled,
		emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatalf("disable JavaScript: %v", err)
	}
	return ctx
}

// wantNoScript fails the test if the page's own scripts ran (DevTools still evaluates).
func wantNoScript(t testing.TB, ctx context.Context) {
	t.Helper()
	if eval[bool](t, ctx, `typeof window.htmx !== 'undefined' || typeof window.DKFDS !== 'undefined'`) {
		t.Fatalf("the page's scripts ran on %s: JavaScript is not disabled", currentPath(t, ctx))
	}
}

func TestNoJSWalk(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	bg := context.Background()

	// The walk's citizen: created by activation letter with kodeviser A, which is later
	// blocked; kodeviser B does the walk's own logins.
	var (
		mitid            identity.MitID
		serialA, serialB string
	)

	t.Run("create/da", func(t *testing.T) {
		const lang = "da"
		p := newPersonWithoutMitID(t, env)
		serialA = importCodeDisplay(t, env)
		username := "nojs." + flowSuffix()
		ctx := newNoJSTab(t)
		problems := pageProblems(t, ctx)

		navigate(t, ctx, withLang(env.URL+"/opret", lang))
		wantNoScript(t, ctx)
		fill(t, ctx, "#cpr", p.CPR.String())
		fill(t, ctx, "#document", p.IDDocumentNumber)
		fill(t, ctx, "#name", p.FullName())
		click(t, ctx, `[data-testid="create-submit"]`)
		wantPath(t, ctx, "/opret/kode")

		mails, err := mail.Recent(bg, env.App.Pool, p.Email, 1)
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

		fill(t, ctx, "#username", username)
		fill(t, ctx, "#password", identity.DemoPassword)
		fill(t, ctx, "#password_repeat", identity.DemoPassword)
		click(t, ctx, `[data-testid="create-user-submit"]`)
		wantPath(t, ctx, "/opret/middel")

		click(t, ctx, `[data-testid="means-token"]`)
		wantPath(t, ctx, "/opret/kodeviser")
		fill(t, ctx, "#serial", serialA)
		fill(t, ctx, "#code", tokenCode(t, env, serialA, time.Now()))
		click(t, ctx, `[data-testid="create-token-submit"]`)
		wantPath(t, ctx, "/opret/faerdig")
		wantNoScript(t, ctx)
		if got := text(t, ctx, `[data-testid="created-username"]`); got != username {
			t.Errorf("the done page shows username %q, want %q", got, username)
		}
		for _, pr := range problems() {
			t.Errorf("the pages reported: %s", pr)
		}

		mitid, err = env.App.Identity.MitIDByUsername(bg, username)
		if err != nil {
			t.Fatalf("the new MitID is not in the database: %v", err)
		}
		// Kodeviser B, activated with the previous step's code so the current one is free for
		// the login that follows.
		serialB = importCodeDisplay(t, env)
		if _, err := env.App.Identity.ActivateToken(bg, mitid.ID, serialB,
			previousCode(t, env, serialB), identity.ActorSystem); err != nil {
			t.Fatalf("activate kodeviser B: %v", err)
		}
	})
	if mitid.ID == 0 {
		t.Fatal("no MitID was created; the rest of the walk needs it")
	}
	c := testCitizen{MitID: mitid, Password: identity.DemoPassword, Serial: serialB}
	newUsername := "nojs.ny." + flowSuffix()

	t.Run("selfservice/en", func(t *testing.T) {
		const lang = "en"
		ctx := newNoJSTab(t)
		problems := pageProblems(t, ctx)
		logInWithCode(t, ctx, env, c, lang)
		wantNoScript(t, ctx)
		a := codeDisplayOf(t, env, mitid.ID, serialA)
		id := strconv.FormatInt(a.ID, 10)

		// Rename kodeviser A by its link on the overview.
		click(t, ctx, `a[data-testid="means-rename"][href="/mitid/middel/`+id+`/omdoeb"]`)
		wantPath(t, ctx, "/mitid/middel/"+id+"/omdoeb")
		fill(t, ctx, "#label", "Gammel kodeviser")
		click(t, ctx, `[data-testid="rename-submit"]`)
		wantPath(t, ctx, "/mitid")
		if !has(t, ctx, `[data-testid="notice"]`) {
			t.Errorf("no notice after renaming: %s", clip(mainText(t, ctx), 300))
		}
		if !strings.Contains(text(t, ctx, `[data-testid="means"]`), "Gammel kodeviser") {
			t.Errorf("the overview does not show the new name: %s", clip(text(t, ctx, `[data-testid="means"]`), 300))
		}

		// Change the username.
		click(t, ctx, `[data-testid="change-username-link"]`)
		wantPath(t, ctx, "/mitid/brugernavn")
		fill(t, ctx, "#username", newUsername)
		click(t, ctx, `[data-testid="change-username-submit"]`)
		wantPath(t, ctx, "/mitid")
		if got := text(t, ctx, `[data-testid="summary-username"]`); got != newUsername {
			t.Errorf("the overview shows username %q after the change, want %q", got, newUsername)
		}

		// Read the activity log.
		click(t, ctx, `[data-testid="activity-link"]`)
		wantPath(t, ctx, "/mitid/aktivitet")
		if n := eval[int](t, ctx, `document.querySelectorAll('[data-testid="activity-row"]').length`); n < 3 {
			t.Errorf("the activity log shows %d entries after creating, logging in, renaming and a new username; want at least 3: %s",
				n, clip(mainText(t, ctx), 300))
		}
		click(t, ctx, `main a[href="/mitid"]`)
		wantPath(t, ctx, "/mitid")

		// Block kodeviser A.
		click(t, ctx, `a[data-testid="means-block"][href="/mitid/middel/`+id+`/spaer"]`)
		wantPath(t, ctx, "/mitid/middel/"+id+"/spaer")
		chooseFirst(t, ctx, `input[name="reason"]`)
		click(t, ctx, `[data-testid="block-means-submit"]`)
		wantPath(t, ctx, "/mitid")
		if got := codeDisplayOf(t, env, mitid.ID, serialA).Status; got != identity.AuthBlocked {
			t.Errorf("kodeviser A is %s after blocking, want %s", got, identity.AuthBlocked)
		}
		wantNoScript(t, ctx)
		for _, pr := range problems() {
			t.Errorf("the pages reported: %s", pr)
		}
	})

	t.Run("blocked-means-refused/en", func(t *testing.T) {
		const lang = "en"
		ctx := newNoJSTab(t)
		problems := pageProblems(t, ctx)
		// The next step's code: valid for the kodeviser, never used yet.
		next := time.Now().Add(30 * time.Second)
		startLogin(t, ctx, env, newUsername, lang)
		click(t, ctx, `[data-testid="method-code"]`)
		wantPath(t, ctx, "/log-ind/kode")
		wantNoScript(t, ctx)
		fill(t, ctx, "#password", identity.DemoPassword)
		fill(t, ctx, "#code", tokenCode(t, env, serialA, next))
		click(t, ctx, `[data-testid="code-submit"]`)
		wantErrorSummary(t, ctx, "a login with the blocked kodeviser")
		checkErrorSummary(t, ctx, "a login with the blocked kodeviser, without JavaScript")
		if p := currentPath(t, ctx); strings.HasPrefix(p, "/mitid") {
			t.Fatalf("the blocked kodeviser logged in (on %s)", p)
		}
		if has(t, ctx, `form[action="/log-ud"]`) {
			t.Fatalf("the blocked kodeviser logged in: the header offers to log out on %s", currentPath(t, ctx))
		}
		reportUnexpected(t, problems(), "/log-ind/kode")

		// The same form with kodeviser B still works: it was the block that refused A.
		fill(t, ctx, "#password", identity.DemoPassword)
		fill(t, ctx, "#code", tokenCode(t, env, serialB, next))
		click(t, ctx, `[data-testid="code-submit"]`)
		wantPath(t, ctx, "/mitid")
		for _, pr := range problems() {
			t.Errorf("the pages reported: %s", pr)
		}
	})
}
