package browser_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// axeTags are the rule sets the portal must pass: WCAG 2.0 and 2.1, levels A and AA.
const axeTags = `['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']`

// axeRun runs axe on the whole document and keeps only what a failure message needs.
const axeRun = `axe.run(document, {runOnly: {type: 'tag', values: ` + axeTags + `}, resultTypes: ['violations']})
	.then(r => r.violations.map(v => ({
		id: v.id, impact: v.impact || '', help: v.help, helpUrl: v.helpUrl,
		nodes: v.nodes.map(n => ({
			target: n.target.map(s => Array.isArray(s) ? s.join(' >>> ') : String(s)),
			html: n.html,
			summary: n.failureSummary || '',
		})),
	})))`

// axeViolation is one failed axe rule with the elements that fail it.
type axeViolation struct {
	ID      string `json:"id"`
	Impact  string `json:"impact"`
	Help    string `json:"help"`
	HelpURL string `json:"helpUrl"`
	Nodes   []struct {
		Target  []string `json:"target"`
		HTML    string   `json:"html"`
		Summary string   `json:"summary"`
	} `json:"nodes"`
}

var axeSource struct {
	once sync.Once
	js   string
	err  error
}

// loadAxe reads axe.min.js from the repository's node_modules (npm ci, part of make test).
func loadAxe(t testing.TB) string {
	t.Helper()
	axeSource.once.Do(func() {
		b, err := os.ReadFile(filepath.Join(repoRoot(t), "node_modules", "axe-core", "axe.min.js"))
		if err != nil {
			axeSource.err = fmt.Errorf("read axe-core (run `make test`, which runs npm ci): %w", err)
		}
		axeSource.js = string(b)
	})
	if axeSource.err != nil {
		t.Fatal(axeSource.err)
	}
	return axeSource.js
}

// axeViolations injects axe-core into the loaded page and runs the WCAG 2.1 A and AA rules.
// Runtime.evaluate is not subject to the page's Content-Security-Policy, so the page needs no
// script tag or nonce for it.
func axeViolations(t testing.TB, ctx context.Context) ([]axeViolation, error) {
	t.Helper()
	loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof window.axe !== 'undefined'`))
	if err != nil {
		return nil, err
	}
	if !loaded {
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](loadAxe(t))); err != nil {
			return nil, fmt.Errorf("inject axe-core: %w", err)
		}
	}
	v, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](axeRun, chromedp.EvalAwaitPromise))
	if err != nil {
		return nil, fmt.Errorf("run axe: %w", err)
	}
	return v, nil
}

// checkAxe fails the test with every WCAG A/AA violation axe finds on the loaded page. A page
// that axe has already checked in this test binary, with the same axePageKey, is not checked
// again: axe would see the same document (see axePageKey for what "the same" means).
func checkAxe(t testing.TB, ctx context.Context, page string) {
	t.Helper()
	key, err := chromedp.Run(ctx, chromedp.Evaluate[string](axePageKey))
	if err != nil {
		t.Fatalf("%s: axe page key: %v", page, err)
	}
	if first, done := axeChecked.claim(key, page); done {
		axeChecked.skipped.Add(1)
		t.Logf("axe: %s is the page axe checked as %s (key %s)", page, first, key)
		return
	}
	start := time.Now()
	vs, err := axeViolations(t, ctx)
	if err != nil {
		axeChecked.release(key)
		t.Fatalf("%s: %v", page, err)
	}
	axeChecked.ran.Add(1)
	axeChecked.nanos.Add(int64(time.Since(start)))
	if len(vs) > 0 {
		t.Errorf("axe: %d WCAG 2.1 A/AA violation(s) on %s:\n%s", len(vs), page, formatViolations(vs))
	}
}

// axeLedger is every page key axe has run on in this test binary, with the page's name as the
// first test gave it, and what the runs cost (printed by TestMain with -v).
type axeLedger struct {
	mu      sync.Mutex
	pages   map[string]string
	ran     atomic.Int64
	skipped atomic.Int64
	nanos   atomic.Int64
}

var axeChecked = axeLedger{pages: map[string]string{}}

// claim returns the name key was first checked under and true when axe has run (or is
// running) on it; otherwise it records key under page and returns false.
func (l *axeLedger) claim(key, page string) (string, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if first, ok := l.pages[key]; ok {
		return first, true
	}
	l.pages[key] = page
	return "", false
}

// release forgets key after a run that did not finish, so the next test with it runs axe.
func (l *axeLedger) release(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.pages, key)
}

func (l *axeLedger) String() string {
	ran := l.ran.Load()
	avg := time.Duration(0)
	if ran > 0 {
		avg = time.Duration(l.nanos.Load() / ran)
	}
	return fmt.Sprintf("axe: %d run(s), %s in all, %s each on average; %d repeat(s) of a page already checked skipped",
		ran, time.Duration(l.nanos.Load()).Round(time.Millisecond), avg.Round(time.Millisecond), l.skipped.Load())
}

// axePageKey names what axe sees of the loaded page, so that a page is checked once per binary
// however many tests pass it: the path with numeric and token segments generalised, the
// viewport width (media queries change what is shown), and a hash of the whole document's
// structure: every element in order and nesting, every attribute with its value (digits
// generalised), whether each element has text of its own. Values that are data rather than
// structure (links, form values, free text such as title or alt) count only as empty or not, as
// does text; an id counts with whether it is unique, and a reference to ids (for,
// aria-describedby, ...) with whether each target exists. The document's lang is an attribute,
// so each language has its own keys; an error summary, a notice or another row makes another
// key. Form values, the text itself and the number in a path are what the key leaves out: axe
// rules that read them (contrast, names) see the same result as long as what it leaves in holds.
const axePageKey = `(() => {
	const digits = s => s.replace(/[0-9]+/g, '#');
	const seg = s => /^[0-9]+$/.test(s) ? '{n}' : /^[A-Za-z0-9_-]{16,}$/.test(s) ? '{token}' : s;
	const ids = new Map();
	for (const e of document.querySelectorAll('[id]')) ids.set(e.id, (ids.get(e.id) || 0) + 1);
	const refs = ['for', 'headers', 'list', 'form', 'aria-activedescendant', 'aria-controls', 'aria-describedby',
		'aria-details', 'aria-errormessage', 'aria-flowto', 'aria-labelledby', 'aria-owns'];
	const data = ['action', 'alt', 'aria-label', 'aria-placeholder', 'aria-valuetext', 'content', 'datetime',
		'formaction', 'href', 'integrity', 'nonce', 'placeholder', 'src', 'srcset', 'title', 'value'];
	const parts = [];
	const walk = el => {
		let s = '<' + el.tagName;
		for (const a of [...el.attributes].sort((x, y) => x.name < y.name ? -1 : 1)) {
			const n = a.name, v = a.value;
			if (n === 'id') s += ' id=' + digits(v) + (ids.get(v) > 1 ? '(dup)' : '');
			else if (refs.includes(n)) s += ' ' + n + '=' + v.split(/\s+/).filter(Boolean).map(r => ids.has(r) ? '+' : '-').join('');
			else if (data.includes(n) || n.startsWith('data-') || n.startsWith('hx-')) s += ' ' + n + (v.trim() ? '=*' : '=');
			else s += ' ' + n + '=' + digits(v);
		}
		if ([...el.childNodes].some(c => c.nodeType === 3 && c.data.trim())) s += ' T';
		parts.push(s + '>');
		for (const c of el.children) walk(c);
		parts.push('</>');
	};
	walk(document.documentElement);
	const str = parts.join('');
	let h1 = 0xdeadbeef, h2 = 0x41c6ce57;
	for (let i = 0; i < str.length; i++) {
		const c = str.charCodeAt(i);
		h1 = Math.imul(h1 ^ c, 2654435761);
		h2 = Math.imul(h2 ^ c, 1597334677);
	}
	h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
	h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
	const hash = (h2 >>> 0).toString(16).padStart(8, '0') + (h1 >>> 0).toString(16).padStart(8, '0');
	return location.pathname.split('/').map(seg).join('/') + ' ' + document.documentElement.lang + ' ' +
		window.innerWidth + 'px ' + hash + '/' + str.length;
})()`

// formatViolations lists each rule with its impact, help text and the first few elements.
func formatViolations(vs []axeViolation) string {
	const maxNodes = 3
	var b strings.Builder
	for _, v := range vs {
		fmt.Fprintf(&b, "  %s [%s] %s (%d element(s)) %s\n", v.ID, v.Impact, v.Help, len(v.Nodes), v.HelpURL)
		for i, n := range v.Nodes {
			if i == maxNodes {
				fmt.Fprintf(&b, "    … and %d more\n", len(v.Nodes)-maxNodes)
				break
			}
			fmt.Fprintf(&b, "    - %s\n      %s\n", strings.Join(n.Target, ", "), clip(n.HTML, 200))
			if s := strings.Join(strings.Fields(n.Summary), " "); s != "" {
				fmt.Fprintf(&b, "      %s\n", clip(s, 300))
			}
		}
	}
	return b.String()
}

func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
