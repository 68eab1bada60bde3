// Command build copies the front-end files the portal serves from node_modules (installed by
// npm from package.json) and assets/src into assets/dist under content-hashed names, and
// writes assets/dist/manifest.json mapping logical names to them. Run it from the repository
// root as `go run ./assets/build`; `make assets` does so after `npm ci`. It prints one summary
// line, so `make run` shows the demo logins without pages of copies before them; -v lists every
// file written and its source.
//
// The output depends only on the input files, so running it twice changes nothing and the
// hashed names stay stable across machines.
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
)

// sources lists each logical name the views use and the file it comes from, relative to the
// repository root. The logical name also gives the served file its base name.
var sources = []struct{ logical, file string }{
	// The default theme: the portal is neither borger.dk nor Virk.
	{"dkfds.css", "node_modules/dkfds/dist/css/dkfds.min.css"},
	{"dkfds.js", "node_modules/dkfds/dist/js/dkfds.min.js"},
	{"htmx.js", "node_modules/htmx.org/dist/htmx.min.js"},
	// The sprite behind <svg class="icon-svg"><use href="…#name">; DKFDS's own pages inline it,
	// we link it so it is cached once instead of sent with every page.
	{"icons.svg", "node_modules/dkfds/dist/img/all-svg-icons.svg"},
	{"portal.css", "assets/src/portal.css"},
	{"portal.js", "assets/src/portal.js"},
	// The desk's case page: composer tabs, htmx error answers, keyboard shortcuts.
	{`desk.js`, "assets/src/desk.js"},
	// A raw string: the locale test reads double-quoted literals starting with "app." as
	// message IDs of the app's [app] table.
	{`app.js`, "assets/src/app.js"},
	{"webauthn.js", "assets/src/webauthn.js"},
}

const dist = "assets/dist"

var (
	// cssURL matches url(...) with or without quotes; only one of the three groups is set.
	cssURL = regexp.MustCompile(`url\(\s*(?:"([^"]*)"|'([^']*)'|([^"'()\s]*))\s*\)`)
	// sourceMap matches the comments, on a line of their own, that make browsers' developer
	// tools fetch .map files we do not ship, which would only show up as 404s in the log.
	sourceMap = regexp.MustCompile(`(?m)^(?:/\*[#@] sourceMappingURL=[^*]*\*/|//[#@] sourceMappingURL=.*)[ \t]*$\n?`)
)

func main() {
	verbose := flag.Bool("v", false, "list every file written and its source")
	flag.Parse()
	if err := run(os.Stdout, *verbose); err != nil {
		fmt.Fprintln(os.Stderr, "assets/build:", err)
		os.Exit(1)
	}
}

func run(stdout io.Writer, verbose bool) error {
	if _, err := os.Stat("go.mod"); err != nil {
		return errors.New("run from the repository root: go run ./assets/build")
	}
	if err := clean(); err != nil {
		return err
	}
	b := &builder{out: io.Discard, written: map[string]bool{}}
	if verbose {
		b.out = stdout
	}
	manifest := map[string]string{}
	for _, s := range sources {
		body, err := os.ReadFile(s.file)
		if errors.Is(err, os.ErrNotExist) && strings.HasPrefix(s.file, "node_modules/") {
			return fmt.Errorf("%s is missing: run `npm ci` first", s.file)
		}
		if err != nil {
			return err
		}
		if path.Ext(s.logical) == ".css" {
			// The files a stylesheet references are written first, so the stylesheet's own hash
			// covers their hashed names.
			if body, err = b.rewriteCSS(body, path.Dir(s.file)); err != nil {
				return fmt.Errorf("%s: %w", s.file, err)
			}
		}
		body = sourceMap.ReplaceAll(body, nil)
		hashed, err := b.write(s.logical, s.file, body)
		if err != nil {
			return err
		}
		manifest[s.logical] = hashed
	}
	out, err := json.MarshalIndent(manifest, "", "  ") // map keys come out sorted
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dist, "manifest.json"), append(out, '\n'), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "assets: %d files in %s (%d logical names)\n", len(b.written), dist, len(manifest))
	return nil
}

// builder writes hashed files into dist and remembers which ones it wrote, so a font that
// several rules reference is written and listed once.
type builder struct {
	out     io.Writer
	written map[string]bool
}

// rewriteCSS writes every file a stylesheet references (fonts, images) under its hashed name
// and points the url() at that name. All files sit side by side under /static/, so the bare
// name resolves relative to the stylesheet.
func (b *builder) rewriteCSS(css []byte, dir string) ([]byte, error) {
	var errs []error
	out := cssURL.ReplaceAllFunc(css, func(m []byte) []byte {
		g := cssURL.FindSubmatch(m)
		ref := string(g[1]) + string(g[2]) + string(g[3])
		switch {
		case ref == "" || strings.HasPrefix(ref, "data:") || strings.HasPrefix(ref, "#"):
			return m
		case strings.Contains(ref, "://") || strings.HasPrefix(ref, "/"):
			// The CSP allows only our own origin, and absolute paths bypass the hashing.
			errs = append(errs, fmt.Errorf("url(%s): only relative references can be served", ref))
			return m
		}
		// Hashed names make cache-busting queries ("?#iefix") pointless; keep any fragment,
		// which picks an element inside an SVG.
		file, fragment := ref, ""
		if i := strings.IndexByte(file, '#'); i >= 0 {
			file, fragment = file[:i], file[i:]
		}
		file, _, _ = strings.Cut(file, "?")
		src := path.Join(dir, file)
		body, err := os.ReadFile(src)
		if err != nil {
			errs = append(errs, fmt.Errorf("url(%s): %w", ref, err))
			return m
		}
		hashed, err := b.write(path.Base(file), src, body)
		if err != nil {
			errs = append(errs, err)
			return m
		}
		return []byte("url(" + hashed + fragment + ")")
	})
	return out, errors.Join(errs...)
}

// write stores body in dist as name's base.HASH.ext and returns that file name; src is only
// printed.
func (b *builder) write(name, src string, body []byte) (string, error) {
	sum := sha256.Sum256(body)
	ext := path.Ext(name)
	hashed := strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:])[:12] + ext
	if b.written[hashed] {
		return hashed, nil
	}
	if err := os.WriteFile(filepath.Join(dist, hashed), body, 0o644); err != nil {
		return "", err
	}
	b.written[hashed] = true
	fmt.Fprintf(b.out, "%s <- %s\n", path.Join(dist, hashed), src)
	return hashed, nil
}

// clean removes the output of earlier runs, so files of old package versions are not embedded
// and served forever. It keeps the two files git tracks.
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
		if err := os.RemoveAll(filepath.Join(dist, e.Name())); err != nil {
			return err
		}
	}
	return nil
}
