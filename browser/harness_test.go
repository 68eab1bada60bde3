// Package browser_test walks the portal in a real headless Chromium: the pages a person reaches
// from the front page, in both languages, checked with axe-core, at 320 px, by keyboard.
//
// One browser serves the whole test binary; every test gets its own tab in its own browser
// context (its own cookies and storage), so tests cannot leak state into each other.
package browser_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"mitidportal/db/dbtest"
)

const (
	// tabTimeout bounds everything one test does in its tab: generous, since a 2-core CI
	// machine runs the browser flows beside the other packages' tests.
	tabTimeout = 90 * time.Second
	// startTimeout bounds the start of Chromium.
	startTimeout = 30 * time.Second
)

// chromiumFlags are the switches the browser runs with on a CI machine or in a container.
var chromiumFlags = []string{
	"headless", "no-sandbox", "disable-gpu", "disable-dev-shm-usage", "disable-background-networking",
	"disable-component-update", "disable-sync", "no-first-run", "disable-quic",
	// Tests run in many tabs at once, each the "background" of the others: Chromium would slow
	// their timers and renderers (htmx polling, WebAuthn, axe) as it does for a hidden tab.
	"disable-background-timer-throttling", "disable-renderer-backgrounding", "disable-backgrounding-occluded-windows",
}

// chromiumDisabledFeatures are Chromium features the tests turn off for their cost. Every test
// opens its tab in a new browser context, which is a new window, and each window preloaded its
// omnibox popups as WebUI pages (chrome://omnibox-popup.top-chrome/ and its AI-mode variant),
// two to four renderer processes per window that no test ever shows: 12 tabs loading two pages
// and running axe took 48.8 s of CPU with them, 32.5 s without.
var chromiumDisabledFeatures = []string{"WebUIOmniboxPopup", "WebUIOmniboxAimPopup"}

// browserBinaries are the Chromium programs the tests can drive, in the order they are tried.
// Debian's chromium-headless-shell is Chromium's headless mode as a program of its own, without
// the browser's windows and their UI: the same pages, scripts and DevTools protocol for less CPU
// (12 tabs loading two pages with axe each: 36.5 s of CPU in chromium, 25.0 s in the shell).
// chromium serves where only it is installed.
var browserBinaries = []string{"chromium-headless-shell", "chromium"}

// browserBinary is the path of the first of browserBinaries on PATH.
func browserBinary() (string, error) {
	for _, name := range browserBinaries {
		if path, err := exec.LookPath(name); err == nil {
			return path, nil
		}
	}
	return "", fmt.Errorf("none of %s is on PATH: run `make test`, which installs Debian's chromium-headless-shell package",
		strings.Join(browserBinaries, ", "))
}

// shared is the one browser of this test binary, started by the first test that needs it and
// stopped by TestMain.
var shared struct {
	once sync.Once
	ctx  context.Context // the browser's chromedp context; tabs are its children
	stop func()
	err  error
}

// browserParallel is how many browser stories run at once unless -parallel says otherwise.
// A story mostly waits (for Chromium to lay out and paint, for the portal, for PostgreSQL), so
// on a 2-core machine go test's default of GOMAXPROCS left the CPUs idle half the time: the
// package took 787 s of a 832 s `make test` with the machine 40 % busy. More than 4 starves
// the stories of CPU: at 6 the package took 940 s instead of 863 s, and a click timed out.
const browserParallel = 4

// TestMain runs browserParallel stories at once unless -parallel says otherwise, and drops each
// story's database after it in the background (dbtest.MainParallel).
func TestMain(m *testing.M) {
	code := dbtest.MainParallel(m, browserParallel)
	if testing.Verbose() {
		fmt.Println(axeChecked.String())
	}
	if shared.stop != nil {
		shared.stop()
	}
	os.Exit(code)
}

// browserContext returns the context of the shared browser, starting it on first use. A
// missing browser fails the test: a skipped browser test would hide a broken build in CI.
func browserContext(t testing.TB) context.Context {
	t.Helper()
	shared.once.Do(func() { shared.err = startBrowser() })
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.ctx
}

func startBrowser() error {
	path, err := browserBinary()
	if err != nil {
		return err
	}
	// No UserDataDir option: the allocator then makes a fresh temporary profile and removes it
	// after Chromium and its helper processes have exited, which a RemoveAll here would race.
	opts := []chromedp.ExecAllocatorOption{chromedp.ExecPath(path)}
	for _, f := range chromiumFlags {
		opts = append(opts, chromedp.Flag(f, true))
	}
	opts = append(opts, chromedp.Flag("disable-features", strings.Join(chromiumDisabledFeatures, ",")))
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelBrowser := chromedp.NewContext(allocCtx)
	shared.stop = func() {
		cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		_ = chromedp.Cancel(cctx) // closes the browser gracefully
		cancelBrowser()
		cancelAlloc() // waits for the process to exit and removes its profile
	}
	// The first Do starts the browser and binds its life to ctx, so it must not carry a
	// timeout; bound the start from outside instead.
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(ctx) }()
	select {
	case err = <-started:
	case <-time.After(startTimeout):
		err = fmt.Errorf("no answer after %s", startTimeout)
	}
	if err != nil {
		shared.stop()
		shared.stop = nil
		return fmt.Errorf("start %s: %w", path, err)
	}
	shared.ctx = ctx
	return nil
}

// newTab opens a tab in a fresh browser context of the shared browser (no cookies, no
// storage) and returns its context, which ends after tabTimeout or when the test ends.
func newTab(t testing.TB) context.Context {
	t.Helper()
	tabCtx, closeTab := chromedp.NewContext(browserContext(t), chromedp.WithNewBrowserContext())
	ctx, cancel := context.WithTimeout(tabCtx, tabTimeout)
	t.Cleanup(func() {
		cancel()
		closeTab()
	})
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	return ctx
}

// do runs browser steps and fails the test on the first error.
func do(t testing.TB, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

// eval evaluates a JavaScript expression in the page and decodes its value.
func eval[T any](t testing.TB, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluate %q: %v", js, err)
	}
	return v
}

// navigate loads url, waits for the load event and returns the document's response.
func navigate(t testing.TB, ctx context.Context, url string) *network.Response {
	t.Helper()
	res, err := chromedp.Run(ctx, chromedp.NavigateResponse(url))
	if err != nil {
		t.Fatalf("navigate to %s: %v", url, err)
	}
	if res == nil {
		t.Fatalf("navigate to %s: no response for the document", url)
	}
	return res
}

// click clicks the first element matching the CSS selector and waits for the page it loads.
func click(t testing.TB, ctx context.Context, css string) *network.Response {
	t.Helper()
	res, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(css)))
	if err != nil {
		t.Fatalf("click %s: %v", css, err)
	}
	return res
}

// header returns a response header by name, whatever its case on the wire.
func header(res *network.Response, name string) string {
	for k, v := range res.Headers {
		if strings.EqualFold(k, name) {
			return fmt.Sprint(v)
		}
	}
	return ""
}

// pageProblem is something a page reported as broken while it loaded.
type pageProblem struct {
	Kind string // "exception", "security" (such as a CSP refusal) or "network"
	Text string
	URL  string // the resource, for a network problem
}

func (p pageProblem) String() string { return p.Kind + ": " + p.Text }

// pageProblems collects, from now on, what the tab's pages report as broken: uncaught script
// exceptions, security messages such as a script or style the Content-Security-Policy refused,
// and resources that failed to load (a page without its stylesheet would pass axe unstyled).
// take returns the problems collected since its last call and starts a new collection.
func pageProblems(t testing.TB, ctx context.Context) (take func() []pageProblem) {
	t.Helper()
	var mu sync.Mutex
	var got []pageProblem
	err := chromedp.Listen(ctx, func(ev any) {
		var p pageProblem
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			d := ev.ExceptionDetails
			p = pageProblem{Kind: "exception", Text: d.Text, URL: d.URL}
			if d.Exception != nil && d.Exception.Description != "" {
				p.Text += " " + d.Exception.Description
			}
		case *log.EventEntryAdded:
			e := ev.Entry
			switch {
			case e.Source == log.EntrySourceSecurity:
				p = pageProblem{Kind: "security", Text: e.Text, URL: e.URL}
			case e.Source == log.EntrySourceNetwork && e.Level == log.EntryLevelError &&
				// Chromium asks for a favicon on its own; the pages do not link one.
				!strings.HasSuffix(e.URL, "/favicon.ico"):
				p = pageProblem{Kind: "network", Text: e.Text + " " + e.URL, URL: e.URL}
			}
		}
		if p.Kind != "" {
			mu.Lock()
			got = append(got, p)
			mu.Unlock()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return func() []pageProblem {
		mu.Lock()
		defer mu.Unlock()
		ps := got
		got = nil
		return ps
	}
}

// repoRoot is the folder of go.mod, found by walking up from the working directory.
func repoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		} else if !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the working directory")
		}
		dir = parent
	}
}
