package browser_test

import (
	"strconv"
	"strings"
	"testing"

	"mitidportal/app/apptest"
	"mitidportal/locales"
	"mitidportal/support"
)

// TestDeskCallFindTheCaller walks a phone call from the first question (issue 9, "Done when"):
// tab A, the agent, searches the caller by CPR number, opens the card from the hit, verifies
// the caller with the app (tab P, the citizen's phone, approves), opens a new case from the
// card, linked to the citizen, and blocks the MitID from the case; the case's timeline shows
// the block, the card lists the case, and the citizen's own session has ended.
func TestDeskCallFindTheCaller(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range languages {
		t.Run(lang, func(t *testing.T) {
			tr := cat.For(lang)
			c := newCitizen(t, env)
			citizen := newTab(t)
			phone := newTab(t)
			agent := newTab(t)
			desktopWindow(t, agent)
			problemsA := pageProblems(t, agent)
			problemsP := pageProblems(t, phone)
			pairByAPI(t, env, phone, c, lang, "Opkald "+lang+" "+flowSuffix())
			// The caller is logged in on their computer too; the block will end that session.
			logInWithCode(t, citizen, env, c, lang)

			// The caller gives their CPR number, with a dash: one search box finds them.
			loginAgentInTab(t, agent, env, "call-"+lang+"@styrelsen.dk", "Carla Call "+lang)
			navigate(t, agent, withLang(env.URL+"/medarbejder/sager", lang))
			// First a slip of the keyboard: a search too long is refused in place, over htmx,
			// with the summary (which takes the focus) and the message at the search box.
			fill(t, agent, "#q", strings.Repeat("kodeviser ", support.MaxQuery/10+1))
			if err := clickNoWait(agent, sel("desk-search-submit")); err != nil {
				t.Fatal(err)
			}
			waitFor(t, agent, `document.activeElement && document.activeElement.matches('#desk-list [data-module="error-summary"]')`, appWait)
			if !eval[bool](t, agent, `document.querySelector('#q').getAttribute('aria-invalid') === 'true' && !!document.querySelector('#desk-q-group #q-error')`) {
				t.Errorf("the refused search shows no message at the search box: %s", clip(mainText(t, agent), 300))
			}
			if got, want := text(t, agent, `#desk-q-group #q-error`), tr.T("support.err.search_too_long"); !strings.Contains(got, want) {
				t.Errorf("the search box says %q, want %q", got, want)
			}
			checkAxe(t, agent, "refused search ("+lang+")")
			cpr := string(c.Person.CPR)
			fill(t, agent, "#q", cpr[:6]+"-"+cpr[6:])
			// htmx swaps the hits in: no page load to wait for.
			if err := clickNoWait(agent, sel("desk-search-submit")); err != nil {
				t.Fatal(err)
			}
			waitFor(t, agent, `document.querySelector(`+jsSel("desk-citizen-hit-link")+`) !== null`, appWait)
			checkAxe(t, agent, "search by CPR number ("+lang+")")
			click(t, agent, sel("desk-citizen-hit-link"))
			card := "/medarbejder/borger/" + strconv.FormatInt(c.MitID.ID, 10)
			wantPath(t, agent, card)
			if got := text(t, agent, sel("desk-cpr")); strings.ReplaceAll(got, "-", "") != cpr {
				t.Fatalf("the card from the search shows CPR %q: %s", got, clip(mainText(t, agent), 300))
			}

			// Verify via the app, answered on the citizen's phone.
			click(t, agent, sel("desk-verify-start"))
			wantPath(t, agent, card)
			code := text(t, agent, sel("desk-verify-code"))
			checkAxe(t, agent, "citizen card, verification pending ("+lang+")")
			// While the citizen has not answered, the card's poll swaps nothing (204): the focus
			// stays on "check again" and the live region stays the same element, not read out
			// again every two seconds.
			eval[bool](t, agent, `(() => {
				window.verifyPolls = 0;
				document.body.addEventListener('htmx:afterRequest', () => window.verifyPolls++);
				window.verifyRegion = document.querySelector('[data-testid="desk-verify"] [role="status"]');
				document.querySelector('[data-testid="desk-verify-again"]').focus();
				return true;
			})()`)
			waitFor(t, agent, `window.verifyPolls >= 2`, appWait)
			if !eval[bool](t, agent, `document.activeElement === document.querySelector('[data-testid="desk-verify-again"]') &&
				document.querySelector('[data-testid="desk-verify"] [role="status"]') === window.verifyRegion`) {
				t.Errorf("the pending card's poll replaced the live region or took the focus (now on %s)",
					eval[string](t, agent, `document.activeElement.outerHTML.slice(0, 120)`))
			}
			phoneRequest(t, phone, code)
			answerOnPhone(t, phone, "app-approve")
			appProblems(t, problemsP(), "P")
			waitFor(t, agent, `document.querySelector(`+jsSel("desk-verify")+`).dataset.status === 'approved'`, appWait)

			// A new case from the card, linked to the citizen.
			click(t, agent, sel("desk-citizen-new-case"))
			wantPath(t, agent, "/medarbejder/sager/ny")
			if got := eval[string](t, agent, `document.querySelector('#citizen').value`); got != c.MitID.Username {
				t.Errorf("the new case from the card is for %q, want %q", got, c.MitID.Username)
			}
			checkAxe(t, agent, "new case for the citizen ("+lang+")")
			setSelect(t, agent, "#system", "mitid")
			setSelect(t, agent, "#category", "block")
			fill(t, agent, "#subject", "Stjålen telefon "+lang)
			click(t, agent, sel("desk-new-submit"))
			casePath := currentPath(t, agent)
			ref := strings.TrimPrefix(casePath, "/medarbejder/sager/")
			if len(ref) != 6 || !has(t, agent, sel("desk-case-linked")) {
				t.Fatalf("after the new case on %s: %s", casePath, clip(mainText(t, agent), 300))
			}
			checkAxe(t, agent, "case linked to the citizen ("+lang+")")

			// Block from the card, worked from the case.
			click(t, agent, sel("desk-citizen"))
			wantPath(t, agent, card)
			chooseFirst(t, agent, `input[name="reason"]`)
			click(t, agent, sel("desk-block-submit"))
			wantPath(t, agent, card)
			if !has(t, agent, sel("desk-already-blocked")) || has(t, agent, sel("desk-password-submit")) {
				t.Errorf("after the block: blocked %v, temporary password offered %v", has(t, agent, sel("desk-already-blocked")),
					has(t, agent, sel("desk-password-submit")))
			}
			if !has(t, agent, `[data-testid="desk-citizen-case"][data-ref="`+ref+`"]`) {
				t.Errorf("the card does not list case %s: %s", ref, clip(mainText(t, agent), 400))
			}
			checkAxe(t, agent, "citizen card, blocked, with the case ("+lang+")")
			notLoggedIn(t, citizen, env, lang)

			navigate(t, agent, withLang(env.URL+casePath, lang))
			entries := eval[[]string](t, agent, `[...document.querySelectorAll(`+jsSel("desk-entry")+`)].map(e => e.innerText)`)
			blocked := false
			for _, e := range entries {
				blocked = blocked || strings.HasPrefix(e, tr.T("support.entry.action")) && strings.Contains(e, tr.T("support.action.block"))
			}
			if !blocked {
				t.Errorf("the case's timeline lacks the block:\n%s", strings.Join(entries, "\n---\n"))
			}
			checkAxe(t, agent, "case page with the block ("+lang+")")
			deskProblems(t, problemsA())
			// After the block the app's polling is refused with 409 (the MitID is blocked).
			appProblems(t, problemsP(), "P", "/app/anmodninger")
		})
	}
}
