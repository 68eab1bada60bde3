package browser_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
)

// maxPages bounds a crawl; a portal that outgrows it fails the test rather than silently
// leaving pages unchecked.
const maxPages = 50

// languages are the portal's languages, each checked on every page.
var languages = []string{"da", "en"}

// visit is one page in one language, loaded in the tab.
type visit struct {
	Path string // the page's path and query, without the lang parameter: "/kontakt"
	Lang string
	From string // the first page that links here; "" for the front page
	Res  *network.Response
}

// crawl loads every same-origin page reachable by links from the front page, breadth first, in
// each language (by its ?lang= link, as the header's language switch does), and calls check
// in a subtest named lang+path after each load. Links are gathered from every page in every
// language; fragments and the lang parameter are dropped, tel:, mailto:, other sites and
// /static/ files are not followed. It returns the paths it visited.
func crawl(t *testing.T, ctx context.Context, base string, check func(t *testing.T, v visit)) []string {
	t.Helper()
	baseURL, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	from := map[string]string{"/": ""}
	queue := []string{"/"}
	var visited []string
	for len(queue) > 0 {
		if len(visited) == maxPages {
			t.Errorf("crawl stopped after %d pages with %d unvisited (%v…): raise maxPages", maxPages, len(queue), queue[0])
			break
		}
		path := queue[0]
		queue = queue[1:]
		visited = append(visited, path)
		for _, lang := range languages {
			t.Run(lang+path, func(t *testing.T) {
				res := navigate(t, ctx, withLang(base+path, lang))
				check(t, visit{Path: path, Lang: lang, From: from[path], Res: res})
			})
			for _, href := range eval[[]string](t, ctx, `Array.from(document.querySelectorAll('a[href]'), a => a.href)`) {
				p, ok := pagePath(baseURL, href)
				if _, seen := from[p]; ok && !seen {
					from[p] = path
					queue = append(queue, p)
				}
			}
		}
	}
	return visited
}

// pagePath returns the path and query of a link to a page of the portal, without fragment and
// lang parameter, or false for a link that leads elsewhere.
func pagePath(base *url.URL, href string) (string, bool) {
	u, err := url.Parse(href)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host != base.Host {
		return "", false
	}
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	if strings.HasPrefix(p, "/static/") {
		return "", false
	}
	q := u.Query()
	q.Del("lang")
	if len(q) > 0 {
		p += "?" + q.Encode()
	}
	return p, true
}

// withLang returns rawURL with its lang parameter set to lang.
func withLang(rawURL, lang string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return rawURL
	}
	q := u.Query()
	q.Set("lang", lang)
	u.RawQuery = q.Encode()
	return u.String()
}
