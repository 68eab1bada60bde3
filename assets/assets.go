// Package assets serves the portal's front-end files (Det Fælles Designsystem, htmx and our own
// CSS and JS), embedded into the binary under content-hashed names so browsers may cache them
// for a year. `go run ./assets/build` (make assets) fills dist/ from npm packages and
// assets/src; only dist/.gitkeep and dist/.gitignore are committed, so `go build` works on a
// fresh checkout and Load reports the missing files instead.
package assets

import (
	"bytes"
	"compress/gzip"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// The "all:" prefix embeds the dot files too, so the pattern matches even when dist holds
// nothing but .gitkeep.
//
//go:embed all:dist
var dist embed.FS

// Prefix is the URL path under which Handler's files are served.
const Prefix = "/static/"

// iconsName is the sprite's logical name; IconHref points into it.
const iconsName = "icons.svg"

var symbolID = regexp.MustCompile(`<symbol[^>]*\sid="([^"]+)"`)

// file is one servable file with its gzip form, when compressing pays. Both are made on the
// file's first request, not at Load: at the best compression the text files took over a second
// of a portal's start-up, and a copy of every file (2.5 MB, most of it fonts in formats only
// old browsers ask for) stayed in every idle instance's heap.
type file struct {
	fsys        fs.FS
	path        string
	bodyOnce    sync.Once
	body        []byte
	gzOnce      sync.Once
	gz          []byte
	contentType string
	etag        string // of body; gz gets its own, as a different representation
}

// bytes is the file's content, read once per process. load listed the file in the same
// fs.FS, the binary's own embedded files, so reading it does not fail.
func (f *file) bytes() []byte {
	f.bodyOnce.Do(func() { f.body, _ = fs.ReadFile(f.fsys, f.path) })
	return f.body
}

// gzipped is the file's gzip form, or nil when it is not worth one; made once per process.
func (f *file) gzipped() []byte {
	f.gzOnce.Do(func() {
		if compressible(f.contentType) {
			f.gz = compress(f.bytes())
		}
	})
	return f.gz
}

// Assets maps logical names ("dkfds.css") to hashed URLs and serves the hashed files.
type Assets struct {
	manifest map[string]string // logical name → hashed file name
	files    map[string]*file  // hashed file name → file
	icons    map[string]bool   // symbol ids in the icon sprite
}

// Load reads the embedded manifest, lists the files and checks that every manifest entry
// exists; a file is read, and compressed when it is text, once, on its first request, so later
// requests only copy bytes. The embedded files are fixed when the binary is built and Assets
// is read-only, so the work is done once per process and every portal in it shares the
// result: a test binary starts a portal per test, and gzipping the files again for each took
// half the CPU of the handler tests' own process.
func Load() (*Assets, error) {
	loaded.once.Do(func() { loaded.a, loaded.err = load(dist) })
	return loaded.a, loaded.err
}

var loaded struct {
	once sync.Once
	a    *Assets
	err  error
}

func load(fsys fs.FS) (*Assets, error) {
	raw, err := fs.ReadFile(fsys, "dist/manifest.json")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errors.New("front-end assets missing: run `make assets` (npm ci, then go run ./assets/build) and rebuild")
	}
	if err != nil {
		return nil, fmt.Errorf("assets manifest: %w", err)
	}
	a := &Assets{files: map[string]*file{}, icons: map[string]bool{}}
	if err := json.Unmarshal(raw, &a.manifest); err != nil {
		return nil, fmt.Errorf("assets manifest: %w", err)
	}
	entries, err := fs.ReadDir(fsys, "dist")
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || strings.HasPrefix(name, ".") || name == "manifest.json" {
			continue
		}
		a.files[name] = &file{fsys: fsys, path: "dist/" + name, contentType: contentType(name), etag: `"` + hashOf(name) + `"`}
	}
	for logical, hashed := range a.manifest {
		if a.files[hashed] == nil {
			return nil, fmt.Errorf("assets manifest maps %s to %s, which is missing: run `make assets`", logical, hashed)
		}
	}
	if sprite := a.files[a.manifest[iconsName]]; sprite != nil {
		for _, m := range symbolID.FindAllSubmatch(sprite.bytes(), -1) {
			a.icons[string(m[1])] = true
		}
	}
	return a, nil
}

// compress returns body gzipped, or nil when that saves under a tenth, where the client's
// decompression is not worth it.
func compress(body []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression) // the level is valid
	_, _ = zw.Write(body)                                    // writes to a bytes.Buffer do not fail
	_ = zw.Close()
	if buf.Len() >= len(body)*9/10 {
		return nil
	}
	return buf.Bytes()
}

// URL returns the path of a logical asset ("dkfds.css" → "/static/dkfds.0123456789ab.css"),
// or "" for an unknown name. It does not panic because it runs while a page renders; a test
// checks every name the layout uses instead.
func (a *Assets) URL(logical string) string {
	if hashed, ok := a.manifest[logical]; ok {
		return Prefix + hashed
	}
	return ""
}

// IconHref returns the href for a DKFDS sprite icon, as used in
// <svg class="icon-svg" focusable="false" aria-hidden="true"><use href="…"></use></svg>,
// or "" when the sprite has no symbol of that name (its symbol ids are the icon names, such
// as "arrow-forward" or "check").
func (a *Assets) IconHref(name string) string {
	if !a.icons[name] {
		return ""
	}
	return a.URL(iconsName) + "#" + name
}

// Names returns the logical names in the manifest, sorted.
func (a *Assets) Names() []string {
	names := make([]string, 0, len(a.manifest))
	for n := range a.manifest {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Handler serves the hashed files. It accepts the request path with or without Prefix, so it
// may be mounted directly or behind http.StripPrefix(Prefix, …). A hashed name never changes
// content, so answers may be cached for a year; logical names, the manifest and anything else
// get 404.
func (a *Assets) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(strings.TrimPrefix(r.URL.Path, Prefix), "/")
		f := a.files[name] // keys are bare file names, so "a/../b" and the like never match
		if f == nil {
			http.NotFound(w, r)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
			return
		}
		h := w.Header()
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
		h.Set("Content-Type", f.contentType)
		h.Set("X-Content-Type-Options", "nosniff")
		body, etag := f.bytes(), f.etag
		if gz := f.gzipped(); gz != nil {
			h.Add("Vary", "Accept-Encoding")
			if acceptsGzip(r) {
				body, etag = gz, strings.TrimSuffix(f.etag, `"`)+`-gzip"`
				h.Set("Content-Encoding", "gzip")
			}
		}
		h.Set("ETag", etag)
		if matches(r.Header.Get("If-None-Match"), etag) {
			h.Del("Content-Encoding")
			w.WriteHeader(http.StatusNotModified)
			return
		}
		h.Set("Content-Length", strconv.Itoa(len(body)))
		if r.Method == http.MethodHead {
			return
		}
		_, _ = w.Write(body) // the client has gone; nothing to do
	})
}

// contentType is fixed per extension rather than taken from the mime package, whose table
// depends on the host's /etc/mime.types.
func contentType(name string) string {
	switch path.Ext(name) {
	case ".css":
		return "text/css; charset=utf-8"
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	case ".png":
		return "image/png"
	case ".woff2":
		return "font/woff2"
	case ".woff":
		return "font/woff"
	case ".ttf":
		return "font/ttf"
	case ".eot":
		return "application/vnd.ms-fontobject"
	}
	return "application/octet-stream"
}

// compressible excludes formats that are compressed already (woff, woff2, png).
func compressible(ct string) bool {
	switch ct {
	case "image/svg+xml", "font/ttf", "application/vnd.ms-fontobject":
		return true
	}
	return strings.HasPrefix(ct, "text/")
}

func acceptsGzip(r *http.Request) bool {
	for part := range strings.SplitSeq(r.Header.Get("Accept-Encoding"), ",") {
		enc, params, _ := strings.Cut(part, ";")
		if !strings.EqualFold(strings.TrimSpace(enc), "gzip") {
			continue
		}
		q := strings.ReplaceAll(params, " ", "")
		return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
	}
	return false
}

// matches reports whether an If-None-Match header names etag; weak comparison applies.
func matches(header, etag string) bool {
	for tag := range strings.SplitSeq(header, ",") {
		tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
		if tag == "*" || tag == etag {
			return true
		}
	}
	return false
}

// hashOf returns the content hash in a hashed file name (name.HASH.ext).
func hashOf(name string) string {
	base := strings.TrimSuffix(name, path.Ext(name))
	return base[strings.LastIndexByte(base, '.')+1:]
}
