package browser_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp/kb"

	"mitidportal/app/apptest"
	"mitidportal/support"
)

// TestKeyboardDeskCallAndReply: an agent, by keyboard alone on the case page, logs a call
// (refused first without its length and outcome) and replies to the citizen. Both go through
// htmx without a page load: each answer must announce itself (a live region: role=status for
// a done change, role=alert for the error summary) and leave the focus on the page, not on
// <body>.
func TestKeyboardDeskCallAndReply(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	for _, lang := range languages {
		t.Run(lang, func(t *testing.T) {
			t.Parallel()
			ctx := newTab(t)
			desktopWindow(t, ctx)
			me := loginAgentInTab(t, ctx, env, "kbd-"+lang+"@styrelsen.dk", "Tove Tastatur "+lang)
			cs, err := env.App.Server.Cases.Open(context.Background(), support.NewCase{Channel: support.ChannelWeb,
				System: support.SystemMitID, Category: support.CategoryLogin, Subject: "Tastatur " + lang, Name: "Bo Borger",
				Email: "bo-" + lang + "@example.dk", Message: "Jeg kan ikke logge ind.", AssigneeID: me})
			if err != nil {
				t.Fatal(err)
			}
			k := newKeyboard(t, ctx)
			navigate(t, ctx, withLang(env.URL+"/medarbejder/sager/"+cs.Ref, lang))
			k.loaded()

			// The call tab: Enter on it shows its form and puts the cursor in its first field.
			k.tabTo(`[data-testid="desk-tab-call"]`, 60)
			k.press(kb.Enter)
			waitFor(t, ctx, `document.activeElement.id === 'call_start'`, 2*time.Second)
			k.stops = append(k.stops, k.measure())
			k.assertFocusVisible(k.stops[len(k.stops)-1])

			// Refused: no length and no outcome.
			k.tabTo(`[data-testid="desk-call-submit"]`, 10)
			k.press(kb.Enter)
			waitFor(t, ctx, `document.querySelector('[data-testid="desk-call-form"] [data-testid="error-summary"]')`, 10*time.Second)
			k.afterSwap(`[data-testid="desk-call-form"] [data-testid="error-summary"]`)
			k.assertSummaryFocused("a call logged without length and outcome")

			// From the last field the summary led to (the outcome), back to the length.
			k.press(" ")
			k.tabBackTo("#call_minutes", 5)
			k.typeText("5")
			k.tabTo(`#call_note`, 5)
			k.typeText("Borgeren ringede om login.")
			k.tabTo(`[data-testid="desk-call-submit"]`, 3)
			k.press(kb.Enter)
			waitFor(t, ctx, `document.querySelector('[data-testid="notice"]')`, 10*time.Second)
			k.afterSwap(`[data-testid="notice"]`)

			// The reply: the reply tab, the text, send.
			reply := "Prøv at logge ind igen (" + lang + ")."
			k.tabTo(`[data-testid="desk-tab-reply"]`, 10)
			k.press(kb.Enter)
			waitFor(t, ctx, `document.activeElement.id === 'reply_body'`, 2*time.Second)
			k.stops = append(k.stops, k.measure())
			k.assertFocusVisible(k.stops[len(k.stops)-1])
			k.typeText(reply)
			k.tabTo(`[data-testid="desk-reply-submit"]`, 5)
			k.press(kb.Enter)
			waitFor(t, ctx, `document.getElementById('desk-timeline').innerText.includes(`+strconv.Quote(reply)+`)`, 10*time.Second)
			k.afterSwap(`[data-testid="notice"]`)

			got, err := env.App.Server.Cases.Get(context.Background(), cs.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != support.StatusWaiting {
				t.Errorf("after the reply by keyboard the case is %s, want %s", got.Status, support.StatusWaiting)
			}
		})
	}
}

// afterSwap checks the page after an htmx answer was swapped in: the message matching css
// is in a live region, and the focus is on an element of the page, visible, not on <body>.
// The next stops start from there.
func (k *keyboard) afterSwap(css string) {
	k.t.Helper()
	// htmx marks the elements of a request until its answer has settled; desk.js moves the
	// focus when it has.
	waitFor(k.t, k.ctx, `!document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')`, 5*time.Second)
	live := eval[bool](k.t, k.ctx, `(m => !!m && !!m.closest('[aria-live]:not([aria-live="off"]), [role="status"], [role="alert"], [role="log"]'))(document.querySelector(`+strconv.Quote(css)+`))`)
	if !live {
		k.t.Errorf("%s: the answer %s is not in a live region: a screen reader hears nothing", currentPath(k.t, k.ctx), css)
	}
	s := k.measure()
	k.stops = nil
	if s.Body {
		k.t.Fatalf("%s: after the htmx answer the focus is lost to <body>", currentPath(k.t, k.ctx))
	}
	k.assertFocusVisible(s)
	k.stops = append(k.stops, s)
}
