package browser_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"mitidportal/app/apptest"
	"mitidportal/support"
)

// TestAXTreeOfTheCoreStories reads the accessibility tree, as a screen reader gets it, of the
// pages of the core stories in both languages: the citizen's login step by step (with its error
// summary), the overview, the contact form, the app's pairing and its approval request with
// the matching code (on the waiting page and on the phone, as text a screen reader reads), the
// staff login, an agent's case page and the supervisor's dashboard. One portal; one tab per
// language, which plays the computer and then the phone.
func TestAXTreeOfTheCoreStories(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	for _, lang := range languages {
		t.Run(lang, func(t *testing.T) {
			t.Parallel()
			tab := newTab(t)
			desktopWindow(t, tab)
			c := newCitizen(t, env)
			page := func(name string) axTree { return checkAXTree(t, tab, name+" ("+lang+")") }

			// The citizen's login as it renders, step by step, and the overview.
			navigate(t, tab, withLang(env.URL+"/log-ind", lang))
			page("/log-ind")
			fill(t, tab, "#username", c.MitID.Username)
			click(t, tab, `[data-testid="login-submit"]`)
			wantPath(t, tab, "/log-ind/metode")
			page("/log-ind/metode")
			click(t, tab, `[data-testid="method-code"]`)
			wantPath(t, tab, "/log-ind/kode")
			page("/log-ind/kode")
			click(t, tab, `[data-testid="code-submit"]`)
			wantErrorSummary(t, tab, "the empty code-display login")
			page("/log-ind/kode (error summary)")
			fill(t, tab, "#password", c.Password)
			fill(t, tab, "#code", c.code(t, env))
			click(t, tab, `[data-testid="code-submit"]`)
			wantPath(t, tab, "/mitid")
			page("/mitid")
			navigate(t, tab, withLang(env.URL+"/mitid/app/tilfoej", lang))
			click(t, tab, sel("app-pairing-start"))
			if tr := page("/mitid/app/tilfoej (code)"); !readableText(tr, text(t, tab, sel("app-pairing-code"))) {
				t.Errorf("the pairing code is not text in the accessibility tree (%s)", lang)
			}
			samePollsAnnounceNothing(t, tab, sel("app-pairing-status"))

			// The contact form, empty and refused.
			navigate(t, tab, withLang(env.URL+"/kontakt/skriv", lang))
			wantPath(t, tab, "/kontakt/skriv")
			page("/kontakt/skriv")
			click(t, tab, `[data-testid="contact-form"] [type="submit"]`)
			wantErrorSummary(t, tab, "the empty contact form")
			page("/kontakt/skriv (error summary)")

			// The app: this tab pairs as the phone, starts a login with the app as the computer,
			// and opens the app again to see the request. The matching code must be text.
			pairByAPI(t, env, tab, c, lang, "AX "+lang)
			page("/app (paired)")
			logOut(t, tab)
			code := startAppLogin(t, tab, env, c.MitID.Username, lang)
			if tr := page("/log-ind/app"); !readableText(tr, code) {
				t.Errorf("the waiting page's matching code %s is not text in the accessibility tree (%s)", code, lang)
			}
			samePollsAnnounceNothing(t, tab, sel("login-app-code"))
			navigate(t, tab, withLang(env.URL+"/app", lang))
			phoneRequest(t, tab, code)
			if tr := page("/app (a request)"); !readableText(tr, code) {
				t.Errorf("the app's request shows the matching code %s, but not as text in the accessibility tree (%s)", code, lang)
			}

			// The desk: the staff login, an agent's case page, the supervisor's dashboard.
			navigate(t, tab, withLang(env.URL+"/medarbejder/log-ind", lang))
			page("/medarbejder/log-ind")
			me := loginStaffInTab(t, tab, env, "ax-"+lang+"@styrelsen.dk", "Aksel Træ "+lang, "agent", "supervisor")
			cs, err := env.App.Server.Cases.Open(context.Background(), support.NewCase{Channel: support.ChannelPhone,
				System: support.SystemMitID, Category: support.CategoryLogin, Subject: "Skærmlæser " + lang,
				Name: "Sara Skærm", Email: "sara-" + lang + "@example.dk", Message: "Jeg kan ikke logge ind.", AssigneeID: me})
			if err != nil {
				t.Fatal(err)
			}
			navigate(t, tab, withLang(env.URL+"/medarbejder/sager/"+cs.Ref, lang))
			wantPath(t, tab, "/medarbejder/sager/"+cs.Ref)
			page("the case page")
			navigate(t, tab, withLang(env.URL+"/medarbejder/sager/"+cs.Ref+"?skriv=opkald", lang))
			page("the case page (call log)")
			deskSubmit(t, tab, sel("desk-call-submit"))
			wantErrorSummary(t, tab, "the empty call log")
			page("the case page (refused call log)")
			navigate(t, tab, withLang(env.URL+"/medarbejder/overblik", lang))
			wantPath(t, tab, "/medarbejder/overblik")
			page("the dashboard")
		})
	}
}

// TestAXTreeChecksCanFail breaks the login page in the browser, one defect at a time, and
// checks that the accessibility tree check reports it: each check above can fail for the
// reason it exists.
func TestAXTreeChecksCanFail(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	tab := newTab(t)
	desktopWindow(t, tab)
	navigate(t, tab, env.URL+"/log-ind")
	if ps := axProblems(t, tab, fetchAXTree(t, tab)); len(ps) != 0 {
		t.Fatalf("the unbroken login page has problems: %v", ps)
	}
	// Each defect is JavaScript run on the freshly loaded page (the page's CSP does not apply to
	// DevTools, and no inline style is needed).
	for _, tc := range []struct {
		name, js, check string
	}{
		{"a second h1", `document.querySelector('main').insertAdjacentHTML('beforeend', '<h1>Endnu en overskrift</h1>')`, "h1"},
		{"no h1", `document.querySelector('h1').outerHTML = '<h2>Log på</h2>'`, "h1"},
		{"a second main", `document.querySelector('main').insertAdjacentHTML('afterend', '<div role="main"><p>Mere</p></div>')`, "landmark"},
		{"two unnamed navigations", `document.querySelector('[aria-label]').removeAttribute('aria-label');
			document.querySelector('main').insertAdjacentHTML('beforeend', '<nav><a href="/">Forside</a></nav>')`, "landmark"},
		{"two navigations with one name", `document.querySelector('main').insertAdjacentHTML('beforeend',
			'<nav aria-label="' + document.querySelector('nav').getAttribute('aria-label') + '"><a href="/">Forside</a></nav>')`, "landmark"},
		{"a field without its label", `document.querySelector('label[for="username"]').remove()`, "name"},
		{"a button without text", `document.querySelector('[data-testid="login-submit"]').textContent = ''`, "name"},
		{"a data table without headers", `document.querySelector('main').insertAdjacentHTML('beforeend',
			'<table><caption>Tider</caption><tr><td>mandag</td><td>8-16</td></tr><tr><td>tirsdag</td><td>8-16</td></tr></table>')`, "table"},
		{"a table without a name", `document.querySelector('main').insertAdjacentHTML('beforeend',
			'<table><tr><th>Dag</th><th>Åbent</th></tr><tr><td>mandag</td><td>8-16</td></tr></table>')`, "table"},
		{"a link inside aria-hidden", `document.querySelector('main').insertAdjacentHTML('beforeend',
			'<div aria-hidden="true"><a href="/kontakt">Kontakt</a></div>')`, "hidden-focusable"},
		{"an aria-hidden button", `document.querySelector('[data-testid="login-submit"]').setAttribute('aria-hidden', 'true')`, "hidden-focusable"},
		{"an image without alt", `document.querySelector('main').insertAdjacentHTML('beforeend', '<img src="/ingen.png" width="10" height="10">')`, "image"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			navigate(t, tab, env.URL+"/log-ind")
			eval[bool](t, tab, `(() => { `+tc.js+`; return true; })()`)
			ps := axProblems(t, tab, fetchAXTree(t, tab))
			found := false
			for _, p := range ps {
				found = found || p.Check == tc.check
			}
			if !found {
				t.Errorf("no %q problem reported; got %v", tc.check, ps)
			}
		})
	}
	t.Run("the matching code as text", func(t *testing.T) {
		navigate(t, tab, env.URL+"/log-ind")
		eval[bool](t, tab, `(document.querySelector('main').insertAdjacentHTML('beforeend',
			'<p aria-hidden="true">4711</p><p><span aria-hidden="true">8</span>265</p><img alt="9876" src="/ingen.png">'), true)`)
		tr := fetchAXTree(t, tab)
		for code, want := range map[string]bool{"4711": false, "8265": false, "9876": false, "265": true} {
			if got := readableText(tr, code); got != want {
				t.Errorf("readableText(%s) = %v, want %v", code, got, want)
			}
		}
	})
}

// samePollsAnnounceNothing waits for two polls of the page's status (htmx, every 2 s) and fails
// the test if they replaced the element matching css although nothing changed: the status sits
// in a polite live region, and a screen reader reads every replaced node again, here the
// matching code every two seconds while the citizen looks for it on the phone.
func samePollsAnnounceNothing(t testing.TB, ctx context.Context, css string) {
	t.Helper()
	eval[bool](t, ctx, `(window.axShown = document.querySelector(`+strconv.Quote(css)+`), window.axPolls = 0,
		document.addEventListener('htmx:beforeRequest', () => window.axPolls++), !!window.axShown)`)
	waitFor(t, ctx, `window.axPolls >= 2`, 3*appWait)
	time.Sleep(200 * time.Millisecond) // the second poll's answer
	if !eval[bool](t, ctx, `document.contains(window.axShown)`) {
		t.Errorf("%s: a poll that changed nothing replaced %s inside the live region; a screen reader announces it again on every poll",
			currentPath(t, ctx), css)
	}
}
