package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"mitidportal/app"
	"mitidportal/db/dbtest"
)

// hrefs are the links of a page; the portal writes every attribute in double quotes.
var hrefs = regexp.MustCompile(`\b(?:href|src)="([^"]+)"`)

// TestSeededSiteHasNoBrokenLinks: after `portal seed` in demo mode, a crawl of every public
// page reachable from the front page, in Danish and English (the way a probe crawls the site),
// finds every same-site link answering 2xx: the campaign site's pages, guides, images, Q&A,
// brokers, timeline, newsletter, packs and files. Links outside the portal are not followed.
func TestSeededSiteHasNoBrokenLinks(t *testing.T) {
	// Not parallel: t.Chdir changes the directory of the whole process.
	_, dbURL := dbtest.NewWithURL(t)
	files := t.TempDir()
	t.Chdir(t.TempDir())
	vars := map[string]string{"DATABASE_URL": dbURL, "PORTAL_DEMO": "true", "FILES_DIR": files}
	ctx := context.Background()
	var out bytes.Buffer
	if err := run(ctx, []string{"seed"}, envOf(vars), &out, &out); err != nil {
		t.Fatalf("seed: %v\n%s", err, out.String())
	}
	cfg, _, err := loadConfig(func(k string) string { return vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close(context.Background())
	srv := httptest.NewServer(a.Handler())
	defer srv.Close()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	seen := map[string]string{"/": ""} // page → the first page that links to it
	queue := []string{"/"}
	pages := 0
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, lang := range []string{"da", "en"} {
			u := srv.URL + p
			if strings.Contains(u, "?") {
				u += "&lang=" + lang
			} else {
				u += "?lang=" + lang
			}
			res, err := client.Get(u)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode == http.StatusSeeOther || res.StatusCode == http.StatusFound || res.StatusCode == http.StatusMovedPermanently {
				loc, _ := url.Parse(res.Header.Get("Location"))
				if loc != nil && loc.Host == "" {
					p2 := loc.Path
					if _, ok := seen[p2]; !ok {
						seen[p2] = p
						queue = append(queue, p2)
					}
				}
				continue
			}
			if res.StatusCode != http.StatusOK {
				t.Errorf("%s (%s): %d, linked from %q", p, lang, res.StatusCode, seen[p])
				continue
			}
			pages++
			if !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
				continue
			}
			for _, m := range hrefs.FindAllStringSubmatch(string(body), -1) {
				ref, err := url.Parse(strings.ReplaceAll(m[1], "&amp;", "&"))
				if err != nil || ref.Scheme != "" || ref.Host != "" || !strings.HasPrefix(ref.Path, "/") {
					continue // another site, tel:, mailto: or a fragment
				}
				q := ref.Query()
				q.Del("lang")
				key := ref.Path
				if len(q) > 0 {
					key += "?" + q.Encode()
				}
				if _, ok := seen[key]; !ok && !skipped(key) {
					seen[key] = p
					queue = append(queue, key)
				}
			}
		}
		if len(seen) > 2000 {
			t.Fatalf("more than 2000 links: the crawl is running away (%v)", queue[:5])
		}
	}
	// The seed's campaign site must be among what was reached, not only the portal's pages.
	for _, want := range []string{"/kampagne", "/kampagne/hvorfor", "/kampagne/guide-app", "/kampagne/hjaelp-boern",
		"/kampagne/spoergsmaal", "/kampagne/tjenesteudbydere", "/kampagne/tidsplan", "/nyhedsbrev", "/kommunikation"} {
		if _, ok := seen[want]; !ok {
			t.Errorf("the crawl never reached %s", want)
		}
	}
	t.Logf("%d pages and files answered 200 (%d links)", pages, len(seen))
}

// skipped reports links the crawl leaves alone: the static files, which the asset handler
// serves and tests itself.
func skipped(path string) bool { return strings.HasPrefix(path, "/static/") }
