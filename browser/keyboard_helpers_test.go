package browser_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// A small keyboard library for the keyboard-only stories (keyboard_test.go): the tab moves
// only through key events (Tab, Shift+Tab, Enter, Space, arrows, typed characters) and the
// page is only read, never acted on by script, so a control reachable only by mouse fails.
// Every focus stop is measured: the focus indicator (WCAG 2.4.7), the place of the stop
// after the one before (document order, and never up and to the left of it), and whether
// the stop is on the screen.

// The measurements are in keyboard_focus_test.go.

// keyboard walks one tab by keys and checks every focus stop it reaches.
type keyboard struct {
	t   testing.TB
	ctx context.Context
	// stops are the focus stops since the page loaded, in the order they were reached.
	stops []focusStop
}

func newKeyboard(t testing.TB, ctx context.Context) *keyboard {
	return &keyboard{t: t, ctx: ctx}
}

// press types keys (kb constants or text) into whatever has the focus, as a keyboard does:
// one keyDown that carries the key's text, then keyUp. chromedp's KeyEvent sends the text as a
// separate char event instead, which Chromium delivers even when the keyDown's default action
// has moved the focus: Enter on an error summary's link would focus the field and then submit
// its form, which no real key press does.
func (k *keyboard) press(keys string) {
	k.t.Helper()
	k.pressKeys(keys, false)
}

// pressKeys is press, with Shift held when shift is true.
func (k *keyboard) pressKeys(keys string, shift bool) {
	k.t.Helper()
	if err := chromedp.Do(k.ctx, keyAction(keys, shift)); err != nil {
		k.t.Fatalf("press %q: %v", keys, err)
	}
}

// keyAction is the action of press.
func keyAction(keys string, shift bool) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		for _, r := range keys {
			events := kb.Encode(r)
			down, up := *events[0], *events[len(events)-1]
			if len(events) == 3 {
				down.Text, down.UnmodifiedText = events[1].Text, events[1].UnmodifiedText
			}
			if shift {
				down.Modifiers |= int64(chromedp.ModifierShift)
				up.Modifiers = down.Modifiers
			}
			for _, ev := range []input.DispatchKeyEventParams{down, up} {
				if _, err := cdp.Call(ctx, t, input.DispatchKeyEvent, ev); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// measure reads the focused element, and the last stop as it looks now.
func (k *keyboard) measure() focusStop {
	k.t.Helper()
	prev := ""
	if n := len(k.stops); n > 0 {
		prev = k.stops[n-1].Path
	}
	return eval[focusStop](k.t, k.ctx, measureFocusJS+"("+strconv.Quote(prev)+")")
}

// tab presses Tab (Shift+Tab when back) and checks the stop it reaches: visible focus, and in
// reading order after the last one.
func (k *keyboard) tab(back bool) focusStop {
	k.t.Helper()
	k.pressKeys(kb.Tab, back)
	s := k.measure()
	if s.Body {
		k.t.Fatalf("%s: Tab moved the focus to <body>, past the end of the page (is a control out of the tab order?); the stops so far: %s",
			currentPath(k.t, k.ctx), k.focusOrder())
	}
	if !back && len(k.stops) == 0 && !s.SkipLink {
		k.t.Errorf("%s: the first Tab focuses %s, want the skip link", currentPath(k.t, k.ctx), s.Desc)
	}
	if s.PrevFound && s.Follows == back {
		k.t.Errorf("%s: %s comes %s %s in the document: the tab order does not follow the page",
			currentPath(k.t, k.ctx), s.Desc, map[bool]string{false: "before", true: "after"}[back], k.stops[len(k.stops)-1].Desc)
	}
	if s.PrevFound && s.Above && !back {
		k.t.Errorf("%s: %s is drawn above and left of %s: the tab order jumps back on the screen",
			currentPath(k.t, k.ctx), s.Desc, k.stops[len(k.stops)-1].Desc)
	}
	k.assertFocusVisible(s)
	k.stops = append(k.stops, s)
	return s
}

// assertFocusVisible fails the test unless the stop shows a focus indicator of at least 1 px
// with a 3:1 contrast that the element does not draw without the focus, on the screen. The
// previous stop's look without the focus is checked here too, now that it has lost it.
func (k *keyboard) assertFocusVisible(s focusStop) {
	k.t.Helper()
	where := currentPath(k.t, k.ctx)
	switch {
	case s.Indicator == "":
		k.t.Errorf("%s: no visible focus on %s (no outline or box-shadow)", where, s.Desc)
	case s.Width < 1:
		k.t.Errorf("%s: the focus indicator of %s is %s, under 1 px", where, s.Desc, s.Indicator)
	case s.Contrast < minFocusContrast:
		k.t.Errorf("%s: the focus indicator of %s (%s) contrasts %.2f:1 with its background, want %.0f:1",
			where, s.Desc, s.Indicator, s.Contrast, minFocusContrast)
	}
	if !s.OnScreen {
		k.t.Errorf("%s: the focused %s is not on the screen", where, s.Desc)
	}
	if s.PrevFound && len(k.stops) > 0 {
		if p := k.stops[len(k.stops)-1]; p.Indicator != "" && s.PrevIndicator == p.Indicator {
			k.t.Errorf("%s: %s looks the same without the focus (%s): its indicator shows no focus", where, p.Desc, p.Indicator)
		}
	}
}

// tabTo presses Tab until the element matching css has the focus, at most max times, and
// returns the stop; every stop on the way is checked.
func (k *keyboard) tabTo(css string, max int) focusStop {
	k.t.Helper()
	for range max {
		s := k.tab(false)
		if eval[bool](k.t, k.ctx, `document.activeElement.matches(`+strconv.Quote(css)+`)`) {
			return s
		}
	}
	k.t.Fatalf("%s: %s not reached in %d Tabs; the stops: %s", currentPath(k.t, k.ctx), css, max, k.focusOrder())
	return focusStop{}
}

// focusOrder lists the stops since the page loaded, for messages.
func (k *keyboard) focusOrder() string {
	var b strings.Builder
	for i, s := range k.stops {
		b.WriteString("\n  " + strconv.Itoa(i+1) + ". " + s.Desc)
	}
	return b.String()
}

// typeText types into the focused field, first deleting what it holds (End, then Backspace).
func (k *keyboard) typeText(text string) {
	k.t.Helper()
	n := eval[int](k.t, k.ctx, `(document.activeElement.value || '').length`)
	if n > 0 {
		k.press(kb.End + strings.Repeat(kb.Backspace, n))
	}
	k.press(text)
	if got := eval[string](k.t, k.ctx, `document.activeElement.value`); got != text {
		k.t.Fatalf("typed %q into %s, it holds %q", text, k.stops[len(k.stops)-1].Desc, got)
	}
}

// fillField tabs to the field and types text into it.
func (k *keyboard) fillField(css, text string) {
	k.t.Helper()
	k.tabTo(css, 25)
	k.typeText(text)
}

// enterLoads presses Enter on the focused element and waits for the page it loads; the
// next stops are the new page's. When that page has focused something itself (the error
// summary of a refused form), that is its first stop.
func (k *keyboard) enterLoads() {
	k.t.Helper()
	k.pressLoads(kb.Enter)
}

// pressLoads presses key (Enter, or Space on a button) and waits for the page it loads.
func (k *keyboard) pressLoads(key string) {
	k.t.Helper()
	if _, err := chromedp.RunResponse(k.ctx, keyAction(key, false)); err != nil {
		k.t.Fatalf("%q on %s: %v", key, k.stops[len(k.stops)-1].Desc, err)
	}
	k.loaded()
}

// loaded starts the stops of a page that has just loaded (or was just navigated to).
func (k *keyboard) loaded() {
	k.t.Helper()
	k.stops = nil
	// portal.js (deferred) has run by the load event, so DKFDS has focused an error summary.
	if s := k.measure(); !s.Body {
		k.assertFocusVisible(s)
		k.stops = append(k.stops, s)
	}
}

// assertSummaryFocused fails the test unless the DKFDS error summary has the focus (after a
// refused submit), and checks that each of its links moves the focus to its field: Tab to the
// link, Enter, and the field has the focus; then back with Shift+Tab to the next link.
func (k *keyboard) assertSummaryFocused(what string) {
	k.t.Helper()
	if !eval[bool](k.t, k.ctx, `!!document.activeElement && document.activeElement.matches('[data-testid="error-summary"]')`) {
		k.t.Fatalf("%s: after the refused submit the focus is on %s, want the error summary; the page says: %s",
			what, eval[string](k.t, k.ctx, describeFocus), clip(mainText(k.t, k.ctx), 300))
	}
	links := eval[[]string](k.t, k.ctx, `[...document.querySelectorAll('[data-testid="error-summary"] a[href^="#"]')].map(a => a.getAttribute('href'))`)
	if len(links) == 0 {
		k.t.Fatalf("%s: the error summary links to no field", what)
	}
	var field focusStop
	for i, href := range links {
		link := `[data-testid="error-summary"] a[href=` + strconv.Quote(href) + `]`
		if i == 0 {
			k.stops = k.stops[len(k.stops)-1:] // the summary
			k.tabTo(link, 1)
		} else {
			// Back from the field the last link led to, with Shift+Tab.
			k.stops = []focusStop{field}
			k.tabBackTo(link, 40)
		}
		k.press(kb.Enter)
		id := strings.TrimPrefix(href, "#")
		_, err := chromedp.Run(k.ctx, chromedp.Poll[bool](`document.activeElement.id === `+strconv.Quote(id), chromedp.WithPollingTimeout(2*time.Second)))
		if err != nil {
			k.t.Fatalf("%s: Enter on the summary's link %s leaves the focus on %s, want the field #%s",
				what, href, eval[string](k.t, k.ctx, describeFocus), id)
		}
		k.stops = nil
		field = k.measure()
		k.assertFocusVisible(field)
	}
	k.stops = []focusStop{field}
}

// tabBackTo presses Shift+Tab until the element matching css has the focus, at most max times.
func (k *keyboard) tabBackTo(css string, max int) focusStop {
	k.t.Helper()
	for range max {
		s := k.tab(true)
		if eval[bool](k.t, k.ctx, `document.activeElement.matches(`+strconv.Quote(css)+`)`) {
			return s
		}
	}
	k.t.Fatalf("%s: %s not reached in %d Shift+Tabs; the stops: %s", currentPath(k.t, k.ctx), css, max, k.focusOrder())
	return focusStop{}
}

// submitEmpty opens url, tabs to the submit button (at most maxTabs stops), presses Enter with
// every field empty and checks that the error summary has the focus on the page that comes back.
func (k *keyboard) submitEmpty(url, submit string, maxTabs int, what string) {
	k.t.Helper()
	navigate(k.t, k.ctx, url)
	k.loaded()
	k.tabTo(submit, maxTabs)
	k.enterLoads()
	k.assertSummaryFocused(what)
}
