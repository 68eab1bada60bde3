package browser_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

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

// checkAxe fails the test with every WCAG A/AA violation axe finds on the loaded page.
func checkAxe(t testing.TB, ctx context.Context, page string) {
	t.Helper()
	vs, err := axeViolations(t, ctx)
	if err != nil {
		t.Fatalf("%s: %v", page, err)
	}
	if len(vs) > 0 {
		t.Errorf("axe: %d WCAG 2.1 A/AA violation(s) on %s:\n%s", len(vs), page, formatViolations(vs))
	}
}

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
