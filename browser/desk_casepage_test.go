package browser_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"mitidportal/app/apptest"
	"mitidportal/support"
)

// deskSubmit clicks a case page button that posts through htmx and waits until the case's
// columns (#desk-case) are swapped for the answer's, refused or not. The page does not load.
func deskSubmit(t testing.TB, ctx context.Context, css string) {
	t.Helper()
	eval[bool](t, ctx, `(document.getElementById('desk-case').dataset.stale = '1') === '1'`)
	if err := clickNoWait(ctx, css); err != nil {
		t.Fatalf("click %s: %v", css, err)
	}
	waitFor(t, ctx, `document.getElementById('desk-case') && !document.getElementById('desk-case').dataset.stale`, 10*time.Second)
}

// deskKey presses a shortcut key with the focus outside any field. The key is dispatched as
// a DOM event: chromedp's KeyEvent sends the typed character as a separate CDP event that a
// shortcut's preventDefault cannot stop, which a real key press never does.
func deskKey(t testing.TB, ctx context.Context, key string) {
	t.Helper()
	eval[bool](t, ctx, `(document.activeElement && document.activeElement.blur(),
		document.body.dispatchEvent(new KeyboardEvent('keydown', {key: `+strconv.Quote(key)+`, bubbles: true, cancelable: true})), true)`)
}

// inFirstScreen reports whether the top of the element matching css is within the window
// as the page is scrolled now.
func inFirstScreen(t testing.TB, ctx context.Context, css string) bool {
	t.Helper()
	return eval[bool](t, ctx, `(e => !!e && e.getBoundingClientRect().top >= 0 && e.getBoundingClientRect().top < window.innerHeight)(document.querySelector(`+strconv.Quote(css)+`))`)
}

// TestDeskCasePageLayoutAndHtmx checks the case page an agent works from, in both languages
// with axe: at 1280x800 the composer and the newest entry of a long history are on the first
// screen; a reply through htmx keeps the scroll position and leaves the case waiting for the
// citizen; a refused note shows the error summary in place; the shortcuts open the note and
// the help list and go to the next case; the case can go to a colleague; at 320 px nothing
// overflows sideways.
func TestDeskCasePageLayoutAndHtmx(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	ctx := context.Background()
	for _, lang := range languages {
		t.Run(lang, func(t *testing.T) {
			tab := newTab(t)
			do(t, tab, chromedp.EmulateViewport(1280, 800))
			problems := pageProblems(t, tab)
			me := loginAgentInTab(t, tab, env, "casepage-"+lang+"@styrelsen.dk", "Cecilie Casepage "+lang)
			colleague, _, err := env.App.Server.Staff.Create(ctx, "colleague-"+lang+"@styrelsen.dk", "Kurt Kollega "+lang, []string{"agent"})
			if err != nil {
				t.Fatal(err)
			}
			cs, err := env.App.Server.Cases.Open(ctx, support.NewCase{Channel: support.ChannelWeb, System: support.SystemMitID,
				Category: support.CategoryLogin, Subject: "Lang historik " + lang, Name: "Hanne Historik",
				Email: "hanne-" + lang + "@example.dk", Message: "Jeg kan ikke logge ind. " + strings.Repeat("Uafbrudtlangtordsomikkemåpressekolonnerne", 3),
				AssigneeID: me})
			if err != nil {
				t.Fatal(err)
			}
			// A long history: the newest entry must still be where the agent looks.
			for i := range 25 {
				if _, err := env.App.Server.Cases.AddNote(ctx, cs.ID, me, "Note nummer "+strconv.Itoa(i)+"\nmed to linjer"); err != nil {
					t.Fatal(err)
				}
			}
			next, err := env.App.Server.Cases.Open(ctx, support.NewCase{Channel: support.ChannelWeb, System: support.SystemVirk,
				Category: support.CategoryBusiness, Subject: "Næste " + lang, Name: "Nis Næste", Email: "nis@example.dk", AssigneeID: me})
			if err != nil {
				t.Fatal(err)
			}
			path := "/medarbejder/sager/" + cs.Ref
			navigate(t, tab, withLang(env.URL+path, lang))
			wantPath(t, tab, path)
			checkAxe(t, tab, "case page ("+lang+")")
			for _, css := range []string{"#reply_body", sel("desk-entry")} {
				if !inFirstScreen(t, tab, css) {
					t.Errorf("%s is not in the first screen at 1280x800: top %v", css,
						eval[float64](t, tab, `document.querySelector(`+strconv.Quote(css)+`).getBoundingClientRect().top`))
				}
			}
			if first := eval[string](t, tab, `document.querySelector(`+jsSel("desk-entry")+`).innerText`); !strings.Contains(first, "Note nummer 24") {
				t.Errorf("the first entry is not the newest: %q", clip(first, 200))
			}
			if w := eval[float64](t, tab, `document.querySelector('#reply_body').getBoundingClientRect().width`); w < 600 {
				t.Errorf("the reply box is %.0f px wide at 1280 px, want the middle column's width", w)
			}

			// A reply through htmx: no page load, the same scroll position, the case waiting.
			typeText(t, tab, "#reply_body", "Prøv at logge ind igen ("+lang+").")
			if st := eval[string](t, tab, `document.querySelector('#reply_status').value`); st != string(support.StatusWaiting) {
				t.Errorf("the reply's status defaults to %q, want waiting", st)
			}
			eval[bool](t, tab, `(window.scrollTo(0, 120), window.deskMark = 'same page') === 'same page'`)
			before := eval[float64](t, tab, `window.scrollY`)
			deskSubmit(t, tab, sel("desk-reply-submit"))
			if eval[string](t, tab, `window.deskMark || ''`) != "same page" {
				t.Error("the reply loaded a new page instead of swapping the case through htmx")
			}
			if after := eval[float64](t, tab, `window.scrollY`); after != before {
				t.Errorf("the reply moved the page from %v to %v", before, after)
			}
			if !has(t, tab, sel("notice")) {
				t.Errorf("no notice after the reply: %s", clip(mainText(t, tab), 300))
			}
			if got, err := env.App.Server.Cases.Get(ctx, cs.ID); err != nil || got.Status != support.StatusWaiting {
				t.Errorf("after the reply the case is %q (%v), want waiting for the citizen", got.Status, err)
			}
			entries := eval[string](t, tab, `[...document.querySelectorAll(`+jsSel("desk-entry")+`)].slice(0, 2).map(e => e.innerText).join(' | ')`)
			if !strings.Contains(entries, "Prøv at logge ind igen") {
				t.Errorf("the newest entries do not show the reply and the status change: %q", clip(entries, 300))
			}
			checkAxe(t, tab, "case page after a reply by htmx ("+lang+")")

			// The shortcuts: n opens the note, ? the help list; a refused note shows the error
			// summary in place.
			deskKey(t, tab, "n")
			if id := eval[string](t, tab, `document.activeElement.id`); id != "note_body" {
				t.Errorf("after the n key the focus is on %q, want the note", id)
			}
			deskSubmit(t, tab, sel("desk-note-submit"))
			wantErrorSummary(t, tab, "an empty note sent by htmx")
			checkAxe(t, tab, "case page with a refused note ("+lang+")")
			deskKey(t, tab, "?")
			if !eval[bool](t, tab, `document.getElementById('desk-shortcuts').open`) {
				t.Error("the ? key did not open the list of shortcuts")
			}

			// Assign to a colleague, chosen by name with their workload.
			setSelect(t, tab, "#to", strconv.FormatInt(colleague.ID, 10))
			deskSubmit(t, tab, sel("desk-assign-submit"))
			if got, err := env.App.Server.Cases.Get(ctx, cs.ID); err != nil || got.AssigneeID != colleague.ID {
				t.Errorf("after assigning to the colleague the assignee is %d (%v), want %d", got.AssigneeID, err, colleague.ID)
			}

			// j goes to the next case in the agent's queue.
			deskKey(t, tab, "j")
			waitFor(t, tab, `location.pathname === '/medarbejder/sager/`+next.Ref+`'`, 10*time.Second)
			checkAxe(t, tab, "the next case ("+lang+")")

			// One column at 320 px, nothing wider than the screen.
			do(t, tab, chromedp.EmulateViewport(320, 640))
			navigate(t, tab, withLang(env.URL+path, lang))
			if w := eval[string](t, tab, `document.documentElement.scrollWidth + ' > ' + window.innerWidth`); eval[bool](t, tab, `document.documentElement.scrollWidth > window.innerWidth`) {
				t.Errorf("the case page overflows sideways at 320 px: %s: %s", w, eval[string](t, tab, `[...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).slice(-4).map(e => e.tagName + '.' + e.className + '#' + e.id + ' ' + Math.round(e.getBoundingClientRect().right)).join(', ')`))
			}
			checkAxe(t, tab, "case page at 320 px ("+lang+")")
			for _, p := range problems() {
				// The empty note is refused on purpose (422).
				if !(p.Kind == "network" && strings.Contains(p.Text, "status of 422") && strings.HasSuffix(p.URL, path+"/note")) {
					t.Errorf("the pages reported: %s", p)
				}
			}
		})
	}
}
