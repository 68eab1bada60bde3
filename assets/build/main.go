// Command build copies the front-end files the portal serves from node_modules (installed by
// npm from package.json) and assets/src into assets/dist under content-hashed names, and
// writes assets/dist/manifest.json mapping logical names to them. Run from the repository root:
// `go run ./assets/build` (make setup does).
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// sources maps each logical name to its file, relative to the repository root.
var sources = map[string]string{
	"dkfds.css":  "node_modules/dkfds/dist/css/dkfds.min.css",
	"dkfds.js":   "node_modules/dkfds/dist/js/dkfds.min.js",
	"icons.svg":  "node_modules/dkfds/dist/img/all-svg-icons.svg",
	"htmx.js":    "node_modules/htmx.org/dist/htmx.min.js",
	"portal.css": "assets/src/portal.css",
	"portal.js":  "assets/src/portal.js",
}

const dist = "assets/dist"

var (
	cssURL    = regexp.MustCompile(`url\(\s*["']?([^"')]+?)["']?\s*\)`)
	sourceMap = regexp.MustCompile(`(?m)(/\*# sourceMappingURL=[^*]*\*/|//# sourceMappingURL=\S*)\s*$`)
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "assets:", err)
		os.Exit(1)
	}
}

func run() error {
	if err := clean(); err != nil {
		return err
	}
	manifest := map[string]string{}
	names := make([]string, 0, len(sources))
	for name := range sources {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		src := sources[name]
		b, err := os.ReadFile(src)
		if err != nil {
			return fmt.Errorf("%s: %w (run npm ci first)", name, err)
		}
		if strings.HasSuffix(name, ".css") {
			if b, err = rewriteCSS(b, filepath.Dir(src)); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
		}
		b = sourceMap.ReplaceAll(b, nil)
		hashed, err := write(name, b)
		if err != nil {
			return err
		}
		manifest[name] = hashed
	}
	out, err := json.MarshalIndent(manifest, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dist, "manifest.json"), append(out, '\n'), 0o644)
}

// rewriteCSS copies every file a stylesheet references (fonts, images) under its hashed name
// and points the url() at it; all files live side by side under /static/.
func rewriteCSS(css []byte, dir string) ([]byte, error) {
	var failed error
	out := cssURL.ReplaceAllFunc(css, func(m []byte) []byte {
		ref := string(cssURL.FindSubmatch(m)[1])
		if strings.HasPrefix(ref, "data:") || strings.HasPrefix(ref, "#") {
			return m
		}
		file, suffix := ref, ""
		if i := strings.IndexAny(file, "?#"); i >= 0 {
			file, suffix = file[:i], file[i:]
			if strings.HasPrefix(suffix, "?") {
				// Cache-busting queries (?#iefix) are not needed with hashed names.
				suffix = ""
				if j := strings.Index(ref, "#"); j >= 0 {
					suffix = ref[j:]
				}
			}
		}
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(file)))
		if err != nil {
			failed = fmt.Errorf("referenced file %s: %w", ref, err)
			return m
		}
		hashed, err := write(path.Base(file), b)
		if err != nil {
			failed = err
			return m
		}
		return []byte("url(" + hashed + suffix + ")")
	})
	return out, failed
}

// write stores b as name.HASH.ext in dist and returns that name.
func write(name string, b []byte) (string, error) {
	sum := sha256.Sum256(b)
	ext := path.Ext(name)
	base := strings.TrimSuffix(name, ext)
	hashed := base + "." + hex.EncodeToString(sum[:])[:12] + ext
	target := filepath.Join(dist, hashed)
	if old, err := os.ReadFile(target); err == nil && bytes.Equal(old, b) {
		return hashed, nil
	}
	if err := os.WriteFile(target, b, 0o644); err != nil {
		return "", err
	}
	return hashed, nil
}

// clean removes earlier output but keeps the files git tracks in dist.
func clean() error {
	if err := os.MkdirAll(dist, 0o755); err != nil {
		return err
	}
	entries, err := os.ReadDir(dist)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.Name() == ".gitkeep" || e.Name() == ".gitignore" {
			continue
		}
		if err := os.Remove(filepath.Join(dist, e.Name())); err != nil {
			return err
		}
	}
	return nil
}
