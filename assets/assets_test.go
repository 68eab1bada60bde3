package assets

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// layoutNames are the logical names views/layout.templ and the icon helper use, with the
// content type each must be served with.
var layoutNames = map[string]string{
	"dkfds.css":   "text/css; charset=utf-8",
	"portal.css":  "text/css; charset=utf-8",
	"dkfds.js":    "text/javascript; charset=utf-8",
	"htmx.js":     "text/javascript; charset=utf-8",
	"app.js":      "text/javascript; charset=utf-8",
	"webauthn.js": "text/javascript; charset=utf-8",
	"portal.js":   "text/javascript; charset=utf-8",
	"desk.js":     "text/javascript; charset=utf-8", // the desk's case page (views/desk_case.templ)
	"icons.svg":   "image/svg+xml",
}

var hashedURL = regexp.MustCompile(`^/static/[A-Za-z0-9-]+\.[0-9a-f]{12}\.[a-z0-9]+$`)

func mustLoad(t *testing.T) *Assets {
	t.Helper()
	a, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// get requests url the way handlers/routes.go mounts the handler.
func get(t *testing.T, a *Assets, method, url string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req := httptest.NewRequest(method, url, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	http.StripPrefix("/static/", a.Handler()).ServeHTTP(w, req)
	res := w.Result()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, body
}

func TestManifestHoldsLayoutNames(t *testing.T) {
	a := mustLoad(t)
	var want []string
	for name := range layoutNames {
		want = append(want, name)
	}
	slices.Sort(want)
	if got := a.Names(); !slices.Equal(got, want) {
		t.Errorf("manifest names %v, want %v", got, want)
	}
	if got := a.URL("nope.css"); got != "" {
		t.Errorf("URL of an unknown name = %q, want \"\"", got)
	}
}

func TestLayoutAssetsAreServed(t *testing.T) {
	a := mustLoad(t)
	for name, contentType := range layoutNames {
		t.Run(name, func(t *testing.T) {
			url := a.URL(name)
			if !hashedURL.MatchString(url) {
				t.Fatalf("URL %q is not a content-hashed /static/ path", url)
			}
			res, body := get(t, a, http.MethodGet, url)
			if res.StatusCode != http.StatusOK || len(body) == 0 {
				t.Fatalf("GET %s: %d with %d bytes", url, res.StatusCode, len(body))
			}
			for header, want := range map[string]string{
				"Content-Type":           contentType,
				"Cache-Control":          "public, max-age=31536000, immutable",
				"X-Content-Type-Options": "nosniff",
				"Content-Encoding":       "",
			} {
				if got := res.Header.Get(header); got != want {
					t.Errorf("%s = %q, want %q", header, got, want)
				}
			}
			etag := res.Header.Get("ETag")
			if res, _ := get(t, a, http.MethodGet, url, "If-None-Match", etag); etag == "" || res.StatusCode != http.StatusNotModified {
				t.Errorf("If-None-Match %s gave %d, want 304", etag, res.StatusCode)
			}
			// Mounted without StripPrefix, the handler strips the prefix itself.
			w := httptest.NewRecorder()
			a.Handler().ServeHTTP(w, httptest.NewRequest(http.MethodGet, url, nil))
			if w.Code != http.StatusOK || !bytes.Equal(w.Body.Bytes(), body) {
				t.Errorf("unstripped GET %s: %d", url, w.Code)
			}
		})
	}
}

func TestGzip(t *testing.T) {
	a := mustLoad(t)
	url := a.URL("dkfds.css")
	res, plain := get(t, a, http.MethodGet, url)
	plainETag := res.Header.Get("ETag")

	res, gz := get(t, a, http.MethodGet, url, "Accept-Encoding", "br, gzip")
	if res.Header.Get("Content-Encoding") != "gzip" || len(gz) >= len(plain) {
		t.Fatalf("Content-Encoding %q, %d gzipped vs %d plain bytes", res.Header.Get("Content-Encoding"), len(gz), len(plain))
	}
	if res.Header.Get("Vary") != "Accept-Encoding" || res.Header.Get("ETag") == plainETag {
		t.Errorf("gzip answer has Vary %q and the plain ETag %q", res.Header.Get("Vary"), plainETag)
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	unzipped, err := io.ReadAll(zr)
	if err != nil || !bytes.Equal(unzipped, plain) {
		t.Errorf("gunzipped body differs from the plain one (err %v)", err)
	}

	if res, _ := get(t, a, http.MethodGet, url, "Accept-Encoding", "gzip;q=0"); res.Header.Get("Content-Encoding") != "" {
		t.Error("gzip sent although the client refused it with q=0")
	}
	font := firstRef(t, a, ".woff2")
	if res, _ := get(t, a, http.MethodGet, "/static/"+font, "Accept-Encoding", "gzip"); res.Header.Get("Content-Encoding") != "" {
		t.Errorf("%s gzipped, but woff2 is compressed already", font)
	}
}

func TestOnlyHashedNamesAreServed(t *testing.T) {
	a := mustLoad(t)
	for _, url := range []string{
		"/static/dkfds.css", "/static/icons.svg", "/static/manifest.json", "/static/.gitkeep",
		"/static/.gitignore", "/static/", "/static/../assets.go", "/static/dist/manifest.json",
		"/static/dkfds.123456789abc.css",
	} {
		if res, _ := get(t, a, http.MethodGet, url); res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", url, res.StatusCode)
		}
	}
	if res, _ := get(t, a, http.MethodPost, a.URL("portal.js")); res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d, want 405", res.StatusCode)
	}
	if res, body := get(t, a, http.MethodHead, a.URL("portal.js")); res.StatusCode != http.StatusOK || len(body) != 0 || res.Header.Get("Content-Length") == "" {
		t.Errorf("HEAD: %d with %d bytes, Content-Length %q", res.StatusCode, len(body), res.Header.Get("Content-Length"))
	}
}

var cssRef = regexp.MustCompile(`url\(\s*["']?([^"')]*)`)

// TestCSSReferencesResolve checks that every url() in the stylesheets names a served, hashed
// file, and that no source-map comment is left for browsers to fetch and 404 on.
func TestCSSReferencesResolve(t *testing.T) {
	a := mustLoad(t)
	for _, name := range a.Names() {
		_, body := get(t, a, http.MethodGet, a.URL(name))
		if bytes.Contains(body, []byte("sourceMappingURL")) {
			t.Errorf("%s keeps a sourceMappingURL comment", name)
		}
		if !strings.HasSuffix(name, ".css") {
			continue
		}
		refs := 0
		for _, m := range cssRef.FindAllSubmatch(body, -1) {
			ref := string(m[1])
			if strings.HasPrefix(ref, "data:") {
				continue
			}
			refs++
			file, _, _ := strings.Cut(ref, "#")
			if !hashedURL.MatchString("/static/" + file) {
				t.Errorf("%s: url(%s) is not a hashed file name", name, ref)
				continue
			}
			if res, _ := get(t, a, http.MethodGet, "/static/"+file); res.StatusCode != http.StatusOK ||
				!strings.HasPrefix(res.Header.Get("Content-Type"), "font/") && !strings.HasPrefix(res.Header.Get("Content-Type"), "image/") &&
					res.Header.Get("Content-Type") != "application/vnd.ms-fontobject" {
				t.Errorf("%s: url(%s) gives %d %s", name, ref, res.StatusCode, res.Header.Get("Content-Type"))
			}
		}
		// DKFDS 11.2 has 16 font and 190 image references; far fewer means the build lost them.
		if name == "dkfds.css" && refs < 200 {
			t.Errorf("dkfds.css has %d url() references, want over 200", refs)
		}
	}
}

// TestOwnFilesAreFresh catches an edit to assets/src without `make assets` afterwards.
func TestOwnFilesAreFresh(t *testing.T) {
	a := mustLoad(t)
	for _, name := range []string{"portal.css", "portal.js"} {
		src, err := os.ReadFile("src/" + name)
		if err != nil {
			t.Fatal(err)
		}
		if _, served := get(t, a, http.MethodGet, a.URL(name)); !bytes.Equal(served, src) {
			t.Errorf("%s differs from src/%s: run `make assets`", a.URL(name), name)
		}
	}
}

func TestIconHref(t *testing.T) {
	a := mustLoad(t)
	if len(a.icons) < 100 {
		t.Errorf("sprite has %d symbols, want over 100", len(a.icons))
	}
	for _, icon := range []string{"arrow-forward", "check", "error", "close", "info"} {
		if got, want := a.IconHref(icon), a.URL("icons.svg")+"#"+icon; got != want {
			t.Errorf("IconHref(%q) = %q, want %q", icon, got, want)
		}
	}
	if got := a.IconHref("no-such-icon"); got != "" {
		t.Errorf("IconHref of an unknown icon = %q, want \"\"", got)
	}
}

func TestLoadWithoutBuild(t *testing.T) {
	tests := []struct {
		name string
		fsys fstest.MapFS
		want string
	}{
		{"fresh checkout", fstest.MapFS{"dist/.gitkeep": {}}, "run `make assets`"},
		{"file missing", fstest.MapFS{"dist/manifest.json": {Data: []byte(`{"portal.js":"portal.0123456789ab.js"}`)}}, "portal.0123456789ab.js, which is missing"},
		{"bad manifest", fstest.MapFS{"dist/manifest.json": {Data: []byte(`[`)}}, "assets manifest"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := load(tt.fsys)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("load: %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

// firstRef returns the first hashed file dkfds.css references with the given extension.
func firstRef(t *testing.T, a *Assets, ext string) string {
	t.Helper()
	_, css := get(t, a, http.MethodGet, a.URL("dkfds.css"))
	for _, m := range cssRef.FindAllSubmatch(css, -1) {
		if strings.HasSuffix(string(m[1]), ext) {
			return string(m[1])
		}
	}
	t.Fatalf("dkfds.css references no %s file", ext)
	return ""
}
