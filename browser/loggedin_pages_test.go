package browser_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"mitidportal/app/apptest"
	"mitidportal/identity"
	"mitidportal/letters"
)

// The pages of a logged-in citizen, in both languages, checked with axe: every page reachable
// by links from /mitid, and every self-service form in its error state.

// citizenArea reports whether a page path belongs to the logged-in citizen's pages. Links that
// leave it (the front page, /kontakt, the footer's pages) are the public crawl's business.
func citizenArea(p string) bool {
	path, _, _ := strings.Cut(p, "?")
	return path == "/mitid" || strings.HasPrefix(path, "/mitid/")
}

// letterPDFPath matches the address of a letter's PDF, which is a file, not a page.
var letterPDFPath = regexp.MustCompile(`^/mitid/post/[0-9]+$`)

// crawlCitizen loads every page of the citizen area reachable by links from /mitid, breadth
// first, in one language, and calls check in a subtest named lang+path after each load. A
// letter's PDF is not loaded as a page: pdf is called with its path instead. It returns the
// paths it visited.
func crawlCitizen(t *testing.T, ctx context.Context, base, lang string,
	check func(t *testing.T, v visit), pdf func(t *testing.T, path string)) []string {
	t.Helper()
	baseURL, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	from := map[string]string{"/mitid": ""}
	queue := []string{"/mitid"}
	var visited []string
	for len(queue) > 0 {
		if len(visited) == maxPages {
			t.Errorf("crawl stopped after %d pages with %d unvisited (%v…): raise maxPages", maxPages, len(queue), queue[0])
			break
		}
		path := queue[0]
		queue = queue[1:]
		visited = append(visited, path)
		if letterPDFPath.MatchString(path) {
			t.Run(lang+path, func(t *testing.T) { pdf(t, path) })
			continue
		}
		t.Run(lang+path, func(t *testing.T) {
			res := navigate(t, ctx, withLang(base+path, lang))
			check(t, visit{Path: path, Lang: lang, From: from[path], Res: res})
		})
		// An unread letter opens by a form (POST …/aabn marks it read, then the PDF's GET):
		// its PDF counts as linked.
		for _, href := range eval[[]string](t, ctx, `Array.from(document.querySelectorAll('a[href]'), a => a.href).concat(
			Array.from(document.querySelectorAll('form[action$="/aabn"]'), f => f.action.replace(/\/aabn$/, '')))`) {
			p, ok := pagePath(baseURL, href)
			if !ok || !citizenArea(p) {
				continue
			}
			if _, seen := from[p]; !seen {
				from[p] = path
				queue = append(queue, p)
			}
		}
	}
	return visited
}

// addLetter puts an activation letter (a real PDF) into the person's letter box.
func addLetter(t testing.TB, env *apptest.Env, p identity.Person) {
	t.Helper()
	ctx := context.Background()
	now := time.Now()
	pdf, err := letters.RenderActivationLetter(letters.ActivationLetter{
		To:   letters.Recipient{Name: p.FullName(), AddressLine: p.AddressLine, Postcode: p.Postcode, City: p.City},
		Code: "ABCD-EFGH-JKLM", Expires: now.Add(14 * 24 * time.Hour), Date: now,
		SupportPhone: "33 98 00 10", PortalURL: env.URL + "/opret",
	})
	if err != nil {
		t.Fatalf("render a letter: %v", err)
	}
	tx, err := env.App.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	if _, err := env.App.Letters.AddTx(ctx, tx, p.CPR, identity.LetterActivation, "Din aktiveringskode til MitID", pdf); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
}

// codeDisplayOf returns the citizen's kodeviser authenticator.
func codeDisplayOf(t testing.TB, env *apptest.Env, mitidID int64, serial string) identity.Authenticator {
	t.Helper()
	means, err := env.App.Identity.Means(context.Background(), mitidID)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range means {
		if a.TokenSerial == serial {
			return a
		}
	}
	t.Fatalf("the MitID has no means with token %s", serial)
	return identity.Authenticator{}
}

// summaryState is what checkErrorSummary measures on a page with a refused form.
type summaryState struct {
	Present   bool     `json:"present"`
	Focused   bool     `json:"focused"`
	Focusable bool     `json:"focusable"`
	Links     []string `json:"links"`   // the fragments the summary links to
	Missing   []string `json:"missing"` // those with no form control of that id
}

const measureSummary = `(() => {
	const s = document.querySelector('[data-testid="error-summary"]');
	if (!s) return {present: false, focused: false, focusable: false, links: [], missing: []};
	const links = Array.from(s.querySelectorAll('a[href]'), a => a.getAttribute('href'));
	const missing = links.filter(h => {
		if (!h.startsWith('#')) return true;
		const el = document.getElementById(decodeURIComponent(h.slice(1)));
		return !el || !el.matches('input:not([type=hidden]), select, textarea');
	});
	return {present: true, focused: document.activeElement === s,
		focusable: s.hasAttribute('tabindex') && s.tabIndex >= -1, links, missing};
})()`

// checkErrorSummary checks the DKFDS error summary of a refused form: present, focused or at
// least focusable, with at least one link, each to a form control on the page.
func checkErrorSummary(t testing.TB, ctx context.Context, page string) {
	t.Helper()
	s := eval[summaryState](t, ctx, measureSummary)
	switch {
	case !s.Present:
		t.Errorf("%s: no error summary; the page says: %s", page, clip(mainText(t, ctx), 300))
		return
	case !s.Focused && !s.Focusable:
		t.Errorf("%s: the error summary is neither focused nor focusable (focus is on %s)", page, eval[string](t, ctx, describeFocus))
	case !s.Focused:
		t.Logf("%s: the error summary is focusable but not focused (focus is on %s)", page, eval[string](t, ctx, describeFocus))
	}
	if len(s.Links) == 0 {
		t.Errorf("%s: the error summary links to no field", page)
	}
	for _, h := range s.Missing {
		t.Errorf("%s: the error summary links to %q, which is no form control on the page", page, h)
	}
}

func TestLoggedInPagesPassAxe(t *testing.T) {
	// Parallel with TestNoJSWalk, which mostly waits for the server while axe here needs the CPU.
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	for _, lang := range languages {
		t.Run(lang, func(t *testing.T) {
			// Two tabs, each with its own citizen and login, keep each well inside tabTimeout.
			t.Run("pages", func(t *testing.T) { checkCitizenPages(t, env, lang) })
			t.Run("errors", func(t *testing.T) { checkCitizenFormErrors(t, env, lang) })
		})
	}
}

// checkCitizenPages logs a citizen with a letter and some activity in, crawls the citizen area
// from /mitid and checks every page with axe.
func checkCitizenPages(t *testing.T, env *apptest.Env, lang string) {
	c := newCitizen(t, env)
	addLetter(t, env, c.Person)
	token := codeDisplayOf(t, env, c.MitID.ID, c.Serial)
	// A second kodeviser: the overview offers "remove" only while another means can log in.
	spare := importCodeDisplay(t, env)
	if _, err := env.App.Identity.ActivateToken(context.Background(), c.MitID.ID, spare,
		previousCode(t, env, spare), identity.ActorSystem); err != nil {
		t.Fatal(err)
	}
	// Some activity of the citizen's own besides the login.
	if err := env.App.Identity.RenameAuthenticator(context.Background(), c.MitID.ID, token.ID,
		"Kodeviser i skuffen", identity.ActorCitizen); err != nil {
		t.Fatal(err)
	}

	ctx := newTab(t)
	problems := pageProblems(t, ctx)
	logInWithCode(t, ctx, env, c, lang)
	reportUnexpected(t, problems(), "/log-ind/kode")

	pages := crawlCitizen(t, ctx, env.URL, lang, func(t *testing.T, v visit) {
		reported := problems()
		name := v.Path + "?lang=" + v.Lang
		if v.From != "" {
			name += " (linked from " + v.From + ")"
		}
		if v.Res.Status >= http.StatusInternalServerError || v.Res.Status == http.StatusNotFound {
			t.Fatalf("%s answers %d %s", name, v.Res.Status, http.StatusText(int(v.Res.Status)))
		}
		if p := currentPath(t, ctx); !citizenArea(p) {
			t.Fatalf("%s lands on %s: the session does not reach it", name, p)
		}
		if !strings.HasPrefix(v.Res.MimeType, "text/html") {
			t.Fatalf("%s is %s, not a page", name, v.Res.MimeType)
		}
		if header(v.Res, "Content-Security-Policy") == "" {
			t.Errorf("%s has no Content-Security-Policy header", name)
		}
		checkStructure(t, ctx, name, v.Lang)
		checkAxe(t, ctx, name)
		for _, p := range reported {
			t.Errorf("%s: %s", name, p)
		}
	}, func(t *testing.T, path string) {
		type fetched struct {
			Status int    `json:"status"`
			Type   string `json:"type"`
			Size   int    `json:"size"`
		}
		f, err := chromedp.Run(ctx, chromedp.Evaluate[fetched](`fetch(`+strconv.Quote(path)+`)
			.then(r => r.arrayBuffer().then(b => ({status: r.status, type: r.headers.get('content-type') || '', size: b.byteLength})))`,
			chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("fetch %s: %v", path, err)
		}
		if f.Status != http.StatusOK || !strings.HasPrefix(f.Type, "application/pdf") || f.Size == 0 {
			t.Errorf("%s answers %d %q with %d bytes, want a PDF", path, f.Status, f.Type, f.Size)
		}
	})
	t.Logf("crawled %d citizen pages in %s: %v", len(pages), lang, pages)
	id := strconv.FormatInt(token.ID, 10)
	for _, must := range []string{"/mitid", "/mitid/middel/" + id + "/omdoeb", "/mitid/middel/" + id + "/spaer",
		"/mitid/middel/" + id + "/fjern", "/mitid/kodeviser/tilfoej", "/mitid/adgangskode", "/mitid/brugernavn",
		"/mitid/aktivitet", "/mitid/sessioner", "/mitid/post", "/mitid/spaer"} {
		if !slices.Contains(pages, must) {
			t.Errorf("%s is not reachable by links from /mitid", must)
		}
	}
	if !slices.ContainsFunc(pages, letterPDFPath.MatchString) {
		t.Errorf("no letter is linked from the letter box")
	}
}

// checkCitizenFormErrors submits every self-service form empty and checks the error state with
// axe and the error summary's links. Block MitID is refused here, so the session lives.
func checkCitizenFormErrors(t *testing.T, env *apptest.Env, lang string) {
	c := newCitizen(t, env)
	token := codeDisplayOf(t, env, c.MitID.ID, c.Serial)
	ctx := newTab(t)
	problems := pageProblems(t, ctx)
	logInWithCode(t, ctx, env, c, lang)
	reportUnexpected(t, problems(), "/log-ind/kode")
	id := strconv.FormatInt(token.ID, 10)

	forms := []struct{ name, path, submit, clear string }{
		{"rename", "/mitid/middel/" + id + "/omdoeb", "rename-submit", "#label"},
		{"change password", "/mitid/adgangskode", "change-password-submit", ""},
		{"change username", "/mitid/brugernavn", "change-username-submit", ""},
		{"add kodeviser", "/mitid/kodeviser/tilfoej", "add-token-submit", ""},
		{"block means", "/mitid/middel/" + id + "/spaer", "block-means-submit", ""},
		{"block MitID", "/mitid/spaer", "block-mitid-submit", ""},
	}
	for _, f := range forms {
		t.Run(f.name, func(t *testing.T) {
			navigate(t, ctx, withLang(env.URL+f.path, lang))
			wantPath(t, ctx, f.path)
			if f.clear != "" {
				do(t, ctx, chromedp.Clear(chromedp.CSS(f.clear)))
			}
			res := click(t, ctx, `[data-testid="`+f.submit+`"]`)
			name := f.name + " submitted empty (" + lang + ")"
			if res == nil || res.Status != http.StatusUnprocessableEntity {
				status := int64(0)
				if res != nil {
					status = res.Status
				}
				t.Errorf("%s answers %d, want %d", name, status, http.StatusUnprocessableEntity)
			}
			wantPath(t, ctx, f.path)
			checkErrorSummary(t, ctx, name)
			checkAxe(t, ctx, name)
			reportUnexpected(t, problems(), f.path)
		})
	}
	m, err := env.App.Identity.MitID(context.Background(), c.MitID.ID)
	if err != nil {
		t.Fatal(err)
	}
	if m.Status != identity.StatusActive {
		t.Errorf("after the empty forms the MitID is %s, want %s", m.Status, identity.StatusActive)
	}
}
