package assets_test

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"mitidportal/assets"
)

func serve(t *testing.T, a *assets.Assets, url string, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, url, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	http.StripPrefix("/static/", a.Handler()).ServeHTTP(w, req)
	res := w.Result()
	b, _ := io.ReadAll(res.Body)
	return res, b
}

// TestLayoutAssetsAreServed checks every logical name the layout uses.
func TestLayoutAssetsAreServed(t *testing.T) {
	a, err := assets.Load()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"dkfds.css": "text/css", "portal.css": "text/css", "dkfds.js": "text/javascript",
		"htmx.js": "text/javascript", "portal.js": "text/javascript", "icons.svg": "image/svg+xml",
	}
	for name, ct := range want {
		url := a.URL(name)
		if !regexp.MustCompile(`^/static/[a-z0-9-]+\.[0-9a-f]{12}\.[a-z0-9]+$`).MatchString(url) {
			t.Errorf("%s: URL %q is not content-hashed", name, url)
			continue
		}
		res, body := serve(t, a, url, nil)
		if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), ct) || len(body) == 0 {
			t.Errorf("%s: %d %q (%d bytes)", name, res.StatusCode, res.Header.Get("Content-Type"), len(body))
		}
		if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "max-age=31536000") || !strings.Contains(cc, "immutable") {
			t.Errorf("%s: Cache-Control %q", name, cc)
		}
		if res.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: no nosniff", name)
		}
		etag := res.Header.Get("ETag")
		if res, _ := serve(t, a, url, map[string]string{"If-None-Match": etag}); res.StatusCode != http.StatusNotModified {
			t.Errorf("%s: If-None-Match gave %d", name, res.StatusCode)
		}
	}
	if a.URL("nope.css") != "" {
		t.Error("unknown logical name has a URL")
	}
}

func TestGzip(t *testing.T) {
	a, _ := assets.Load()
	url := a.URL("dkfds.css")
	_, plain := serve(t, a, url, nil)
	res, gz := serve(t, a, url, map[string]string{"Accept-Encoding": "br, gzip"})
	if res.Header.Get("Content-Encoding") != "gzip" || len(gz) >= len(plain) {
		t.Fatalf("no gzip: %q, %d vs %d bytes", res.Header.Get("Content-Encoding"), len(gz), len(plain))
	}
	zr, err := gzip.NewReader(strings.NewReader(string(gz)))
	if err != nil {
		t.Fatal(err)
	}
	unz, _ := io.ReadAll(zr)
	if string(unz) != string(plain) {
		t.Error("gzip body differs from the plain one")
	}
}

func TestUnknownAndLogicalNamesAreNotServed(t *testing.T) {
	a, _ := assets.Load()
	for _, u := range []string{"/static/dkfds.css", "/static/manifest.json", "/static/../assets.go", "/static/.gitkeep", "/static/x.123456789abc.css"} {
		if res, _ := serve(t, a, u, nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", u, res.StatusCode)
		}
	}
}

// TestCSSReferencesResolve checks that every url() in the stylesheets names a served, hashed
// file and that no source-map comment is left to 404.
func TestCSSReferencesResolve(t *testing.T) {
	a, _ := assets.Load()
	ref := regexp.MustCompile(`url\(([^)]+)\)`)
	for _, name := range []string{"dkfds.css", "portal.css"} {
		_, css := serve(t, a, a.URL(name), nil)
		if strings.Contains(string(css), "sourceMappingURL") {
			t.Errorf("%s keeps a sourceMappingURL", name)
		}
		n := 0
		for _, m := range ref.FindAllStringSubmatch(string(css), -1) {
			u := strings.Trim(m[1], `"'`)
			if strings.HasPrefix(u, "data:") {
				continue
			}
			u, _, _ = strings.Cut(u, "#")
			n++
			if res, _ := serve(t, a, "/static/"+u, nil); res.StatusCode != 200 {
				t.Errorf("%s references %s: %d", name, u, res.StatusCode)
			}
		}
		if name == "dkfds.css" && n < 10 {
			t.Errorf("dkfds.css has only %d url() references; rewriting lost them?", n)
		}
	}
}
