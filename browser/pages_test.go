package browser_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"mitidportal/app/apptest"
)

func TestEveryPageReachableFromFrontPagePassesAxe(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	ctx := newTab(t)
	problems := pageProblems(t, ctx)
	check := func(t *testing.T, v visit, wantStatus func(int64) bool) {
		// What the page reported while it loaded; the tab loads nothing between two checks.
		reported := problems()
		name := v.Path + "?lang=" + v.Lang
		if v.From != "" {
			name += " (linked from " + v.From + ")"
		}
		if !wantStatus(v.Res.Status) {
			t.Fatalf("%s answers %d %s", name, v.Res.Status, http.StatusText(int(v.Res.Status)))
		}
		if !strings.HasPrefix(v.Res.MimeType, "text/html") {
			t.Logf("%s is %s, not a page; not checked", name, v.Res.MimeType)
			return
		}
		if header(v.Res, "Content-Security-Policy") == "" {
			t.Errorf("%s has no Content-Security-Policy header", name)
		}
		checkStructure(t, ctx, name, v.Lang)
		checkAxe(t, ctx, name)
		for _, p := range reported {
			if p.Kind == "network" && p.URL == v.Res.URL {
				continue // the document's own status is checked above
			}
			t.Errorf("%s: %s", name, p)
		}
	}

	pages := crawl(t, ctx, env.URL, func(t *testing.T, v visit) {
		check(t, v, func(s int64) bool {
			// A link to a missing page is a broken link; a page behind a login may refuse.
			return s < http.StatusInternalServerError && s != http.StatusNotFound
		})
	})
	t.Logf("crawled %d pages: %v", len(pages), pages)
	for _, must := range []string{"/", "/kontakt", "/tilgaengelighed", "/privatliv", "/cookies"} {
		if !slices.Contains(pages, must) {
			t.Errorf("%s is not reachable by links from the front page", must)
		}
	}

	for _, lang := range languages {
		t.Run("not-found/"+lang, func(t *testing.T) {
			res := navigate(t, ctx, withLang(env.URL+"/findes-ikke", lang))
			check(t, visit{Path: "/findes-ikke", Lang: lang, Res: res}, func(s int64) bool { return s == http.StatusNotFound })
		})
	}
}

// checkStructure checks the landmarks every page needs: the document's language, one main
// landmark and one top-level heading.
func checkStructure(t *testing.T, ctx context.Context, page, lang string) {
	t.Helper()
	if got := eval[string](t, ctx, `document.documentElement.lang`); got != lang {
		t.Errorf(`%s: <html lang=%q>, want %q`, page, got, lang)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('main').length`); n != 1 {
		t.Errorf("%s has %d <main> elements, want 1", page, n)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('h1').length`); n != 1 {
		t.Errorf("%s has %d <h1> elements, want 1", page, n)
	}
}

// overflow is what the page measures at a narrow viewport.
type overflow struct {
	ScreenWidth int      `json:"screenWidth"`
	InnerWidth  int      `json:"innerWidth"`
	ScrollWidth int      `json:"scrollWidth"`
	Widest      []string `json:"widest"` // the innermost elements that reach past the screen
}

// measureOverflow is a function of the screen width. A mobile viewport grows its layout width
// to fit content that is too wide, so innerWidth grows with scrollWidth.
const measureOverflow = `(w) => {
	const past = el => el.getBoundingClientRect().right > w + 0.5;
	const widest = [];
	for (const el of document.body.querySelectorAll('*')) {
		if (widest.length === 5) break;
		if (!past(el) || Array.from(el.children).some(past)) continue;
		const cls = typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\s+/).join('.') : '';
		widest.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + cls +
			' (right edge ' + Math.round(el.getBoundingClientRect().right) + 'px): ' + el.outerHTML.slice(0, 120));
	}
	return {screenWidth: screen.width, innerWidth: window.innerWidth,
		scrollWidth: document.documentElement.scrollWidth, widest};
}`

func TestPagesAt320px(t *testing.T) {
	t.Parallel()
	const width = 320
	env := apptest.New(t, apptest.Options{})
	ctx := newTab(t)
	// WCAG 1.4.10 Reflow: content at 320 CSS px needs no horizontal scrolling.
	do(t, ctx, chromedp.EmulateViewport(width, 640, chromedp.EmulateMobile))
	crawl(t, ctx, env.URL, func(t *testing.T, v visit) {
		if !strings.HasPrefix(v.Res.MimeType, "text/html") {
			return
		}
		m := eval[overflow](t, ctx, "("+measureOverflow+")("+strconv.Itoa(width)+")")
		if m.ScreenWidth != width {
			t.Fatalf("the screen is %d px wide, want %d: the emulation did not apply", m.ScreenWidth, width)
		}
		if m.ScrollWidth > width || m.InnerWidth > width {
			t.Errorf("%s?lang=%s scrolls sideways at %d px: scrollWidth %d, layout width %d; too wide:\n  %s",
				v.Path, v.Lang, width, m.ScrollWidth, m.InnerWidth, strings.Join(m.Widest, "\n  "))
		}
	})

	navigate(t, ctx, withLang(env.URL+"/", "da"))
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "portal-320px-")
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "front-page-320px.png")
	if err := os.WriteFile(file, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("front page at %d px: %s", width, file)
}

// describeFocus names the focused element: its tag, id and classes, and its start tag.
const describeFocus = `(() => {
	const e = document.activeElement;
	if (!e) return 'nothing';
	const start = e.outerHTML.slice(0, e.outerHTML.indexOf('>') + 1);
	return e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + ' ' + start.slice(0, 200);
})()`

func TestKeyboardSkipLink(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	ctx := newTab(t)
	navigate(t, ctx, withLang(env.URL+"/", "da"))

	do(t, ctx, chromedp.KeyEvent(kb.Tab))
	if !eval[bool](t, ctx, `document.activeElement.matches('a.skipnav[href="#main-content"]')`) {
		t.Fatalf("the first Tab focuses %s, want the skip link to #main-content", eval[string](t, ctx, describeFocus))
	}
	// A skip link that stays off screen when focused helps no sighted keyboard user (WCAG 2.4.7).
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](`(() => {
		const r = document.activeElement.getBoundingClientRect();
		return r.width > 0 && r.height > 0 && r.top >= 0 && r.left >= 0 &&
			r.bottom <= window.innerHeight && r.right <= window.innerWidth;
	})()`, chromedp.WithPollingTimeout(2*time.Second)))
	if err != nil {
		t.Errorf("the focused skip link is not visible in the viewport: %v", err)
	}

	do(t, ctx, chromedp.KeyEvent(kb.Enter))
	_, err = chromedp.Run(ctx, chromedp.Poll[bool](`(() => {
		const main = document.getElementById('main-content');
		return main !== null && main.contains(document.activeElement);
	})()`, chromedp.WithPollingTimeout(2*time.Second)))
	if err != nil {
		t.Errorf("after Enter on the skip link the focus is on %s, want in #main-content (%v)", eval[string](t, ctx, describeFocus), err)
	}
}

func TestLanguageSwitch(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	ctx := newTab(t)
	// The browser asks for Danish, so English can only come from the choice the person made.
	if _, err := chromedp.Call(ctx, network.SetExtraHTTPHeaders,
		network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Accept-Language": "da"}}); err != nil {
		t.Fatal(err)
	}
	h1 := func() string { return eval[string](t, ctx, `document.querySelector('h1').textContent.trim()`) }
	lang := func() string { return eval[string](t, ctx, `document.documentElement.lang`) }

	navigate(t, ctx, env.URL+"/")
	if got := lang(); got != "da" {
		t.Fatalf("the front page is in %q before any choice, want da", got)
	}
	danish := h1()
	const english = `header [data-testid="lang-en"]`
	if got := eval[string](t, ctx, `document.querySelector('`+english+`').textContent.trim()`); got != "English" {
		t.Errorf("the header's English link reads %q", got)
	}

	click(t, ctx, english)
	if got := lang(); got != "en" {
		t.Errorf(`after choosing English: <html lang=%q>, want "en"`, got)
	}
	if got := h1(); got == danish {
		t.Errorf("after choosing English the heading is still %q", got)
	}

	navigate(t, ctx, env.URL+"/kontakt")
	if got := lang(); got != "en" {
		t.Errorf(`the next page forgets the choice: <html lang=%q>, want "en"`, got)
	}

	click(t, ctx, `header [data-testid="lang-da"]`)
	navigate(t, ctx, env.URL+"/")
	if got, heading := lang(), h1(); got != "da" || heading != danish {
		t.Errorf("after choosing Danish again the front page is in %q with heading %q", got, heading)
	}
}
