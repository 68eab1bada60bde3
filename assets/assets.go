// Package assets serves the portal's front-end files (Det Fælles Designsystem, htmx and our own
// CSS and JS), embedded into the binary under content-hashed names so they can be cached for a
// year. `go run ./assets/build` fills dist/ from npm packages; dist/ is not committed.
package assets

import (
	"bytes"
	"compress/gzip"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

//go:embed all:dist
var dist embed.FS

// file is one servable file, with its gzip form when compressing pays.
type file struct {
	body, gz    []byte
	contentType string
	etag        string
}

// Assets maps logical names to hashed URLs and serves the files.
type Assets struct {
	manifest map[string]string
	files    map[string]*file
}

// Load reads the embedded manifest and files and compresses the text files once.
func Load() (*Assets, error) {
	return load(dist)
}

func load(fsys fs.FS) (*Assets, error) {
	raw, err := fs.ReadFile(fsys, "dist/manifest.json")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errors.New("front-end assets missing: run `make setup` (npm ci and go run ./assets/build) before building")
	}
	if err != nil {
		return nil, err
	}
	a := &Assets{files: map[string]*file{}}
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
		body, err := fs.ReadFile(fsys, "dist/"+name)
		if err != nil {
			return nil, err
		}
		f := &file{body: body, contentType: contentType(name), etag: `"` + hashOf(name) + `"`}
		if compressible(f.contentType) {
			var buf bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
			_, _ = zw.Write(body)
			_ = zw.Close()
			if buf.Len() < len(body)*9/10 {
				f.gz = buf.Bytes()
			}
		}
		a.files[name] = f
	}
	for logical, hashed := range a.manifest {
		if a.files[hashed] == nil {
			return nil, fmt.Errorf("assets manifest names %s for %s, which is missing", hashed, logical)
		}
	}
	return a, nil
}

// URL returns the URL of a logical asset ("dkfds.css"), or "" for an unknown name; the layout
// test checks every name the layout uses.
func (a *Assets) URL(logical string) string {
	if hashed, ok := a.manifest[logical]; ok {
		return "/static/" + hashed
	}
	return ""
}

// Names lists the logical names.
func (a *Assets) Names() []string {
	names := make([]string, 0, len(a.manifest))
	for n := range a.manifest {
		names = append(names, n)
	}
	return names
}

// Handler serves hashed file names (the caller strips "/static/"). Names never change content,
// so answers are cacheable for a year; logical names are not served.
func (a *Assets) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f := a.files[path.Clean("/" + r.URL.Path)[1:]]
		if f == nil {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
		h.Set("Content-Type", f.contentType)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("ETag", f.etag)
		h.Add("Vary", "Accept-Encoding")
		if r.Header.Get("If-None-Match") == f.etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		body := f.body
		if f.gz != nil && acceptsGzip(r) {
			h.Set("Content-Encoding", "gzip")
			body = f.gz
		}
		h.Set("Content-Length", fmt.Sprint(len(body)))
		if r.Method == http.MethodHead {
			return
		}
		_, _ = w.Write(body)
	})
}

func contentType(name string) string {
	switch path.Ext(name) {
	case ".css":
		return "text/css; charset=utf-8"
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	case ".woff2":
		return "font/woff2"
	case ".woff":
		return "font/woff"
	case ".ttf":
		return "font/ttf"
	case ".eot":
		return "application/vnd.ms-fontobject"
	}
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}

func compressible(ct string) bool {
	return strings.HasPrefix(ct, "text/") || ct == "image/svg+xml" || ct == "font/ttf" || ct == "application/vnd.ms-fontobject"
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(enc), "gzip") && strings.TrimSpace(q) != "q=0" {
			return true
		}
	}
	return false
}

// hashOf returns the content hash embedded in a hashed file name (name.HASH.ext).
func hashOf(name string) string {
	base := strings.TrimSuffix(name, path.Ext(name))
	if i := strings.LastIndexByte(base, '.'); i >= 0 {
		return base[i+1:]
	}
	return base
}
