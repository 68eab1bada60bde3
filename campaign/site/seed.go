package site

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The site's first content ships with the portal: content/<lang>/<slug>.md, each a front matter
// (title, summary, kind, position, parent) between "---" lines and a Markdown body, and
// content/images/NAME.png for the images the bodies show as ![Alt](images/NAME.png). Seed loads
// them through the same calls an editor's form uses, so every page is audited.

//go:embed content
var content embed.FS

// seedPage is one page of the content folder in both languages.
type seedPage struct {
	slug     string
	kind     Kind
	position int
	parent   string
	text     map[string]Text
}

var imageRef = regexp.MustCompile(`!\[([^\]]*)\]\(images/([A-Za-z0-9._-]+)\)`)

// Seed creates and publishes every page of the content folder that does not exist yet, as the
// editor staffID, now; images go into the file store (without one, they are left out). It
// returns the number of pages it created. A second run adds nothing.
func Seed(ctx context.Context, p *Pages, staffID int64, now time.Time) (int, error) {
	pages, err := readContent()
	if err != nil {
		return 0, err
	}
	images := map[string]int64{}
	created := 0
	// Parents first: a page is created once the page it is listed under exists.
	done := map[string]bool{}
	for len(done) < len(pages) {
		progress := false
		for _, sp := range pages {
			if done[sp.slug] || (sp.parent != "" && !done[sp.parent]) {
				continue
			}
			n, err := p.seedOne(ctx, staffID, sp, images, now)
			if err != nil {
				return created, fmt.Errorf("seed page %s: %w", sp.slug, err)
			}
			created += n
			done[sp.slug], progress = true, true
		}
		if !progress {
			return created, errors.New("seed pages: a parent is missing from the content folder")
		}
	}
	return created, nil
}

func (p *Pages) seedOne(ctx context.Context, staffID int64, sp seedPage, images map[string]int64, now time.Time) (int, error) {
	pg, err := p.BySlug(ctx, sp.slug)
	created := 0
	if errors.Is(err, ErrNotFound) {
		pg, err = p.Create(ctx, staffID, NewPage{Slug: sp.slug, Kind: sp.kind, Position: sp.position, ParentSlug: sp.parent})
		created = 1
	}
	if err != nil {
		return 0, err
	}
	// Only what this run wrote is published: a page an editor has taken back stays so.
	wrote := false
	for _, lang := range Langs {
		if pg.Latest[lang] > 0 {
			continue
		}
		wrote = true
		t := sp.text[lang]
		if t.Body, err = p.seedImages(ctx, staffID, t.Body, images); err != nil {
			return 0, err
		}
		if _, err := p.Save(ctx, staffID, pg.ID, lang, t, ""); err != nil {
			return 0, fmt.Errorf("%s: %w", lang, err)
		}
	}
	if wrote && pg.Status != StatusPublished {
		if err := p.Publish(ctx, staffID, pg.ID, now); err != nil {
			return 0, err
		}
	}
	return created, nil
}

// seedImages stores each image body refers to (once per seed) and points the reference at its
// address; without a file store the image is left out.
func (p *Pages) seedImages(ctx context.Context, staffID int64, body string, images map[string]int64) (string, error) {
	var err error
	out := imageRef.ReplaceAllStringFunc(body, func(m string) string {
		sub := imageRef.FindStringSubmatch(m)
		alt, name := sub[1], sub[2]
		if p.store == nil || err != nil {
			return ""
		}
		id, ok := images[name]
		if !ok {
			var data []byte
			if data, err = content.ReadFile("content/images/" + name); err != nil {
				return ""
			}
			var img Image
			if img, err = p.AddImage(ctx, staffID, alt, bytes.NewReader(data)); err != nil {
				return ""
			}
			id, images[name] = img.ID, img.ID
		}
		return "![" + alt + "](" + ImageURL(id) + ")"
	})
	return out, err
}

// readContent reads the content folder: every slug with its text in both languages.
func readContent() ([]seedPage, error) {
	bySlug := map[string]*seedPage{}
	for _, lang := range Langs {
		files, err := fs.Glob(content, "content/"+lang+"/*.md")
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			raw, err := content.ReadFile(f)
			if err != nil {
				return nil, err
			}
			meta, body, err := frontMatter(string(raw))
			if err != nil {
				return nil, fmt.Errorf("%s: %w", f, err)
			}
			slug := strings.TrimSuffix(path.Base(f), ".md")
			sp := bySlug[slug]
			if sp == nil {
				pos, err := strconv.Atoi(word(meta["position"]))
				if err != nil && meta["position"] != "" {
					return nil, fmt.Errorf("%s: position: %w", f, err)
				}
				sp = &seedPage{slug: slug, kind: Kind(word(meta["kind"])), position: pos, parent: word(meta["parent"]),
					text: map[string]Text{}}
				bySlug[slug] = sp
			}
			sp.text[lang] = Text{Title: meta["title"], Summary: meta["summary"], Body: body}
		}
	}
	var pages []seedPage
	for _, sp := range bySlug {
		for _, lang := range Langs {
			if _, ok := sp.text[lang]; !ok {
				return nil, fmt.Errorf("content: %s has no %s text", sp.slug, lang)
			}
		}
		pages = append(pages, *sp)
	}
	sort.Slice(pages, func(i, j int) bool { return pages[i].slug < pages[j].slug })
	return pages, nil
}

// frontMatter splits a content file into its "key: value" lines between "---" lines and the
// Markdown after them.
func frontMatter(raw string) (map[string]string, string, error) {
	raw = strings.ReplaceAll(raw, "\r\n", "\n")
	rest, ok := strings.CutPrefix(raw, "---\n")
	if !ok {
		return nil, "", errors.New("no front matter")
	}
	head, body, ok := strings.Cut(rest, "\n---\n")
	if !ok {
		return nil, "", errors.New("front matter does not end")
	}
	meta := map[string]string{}
	for _, line := range strings.Split(head, "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok || strings.TrimSpace(line) == "" {
			continue
		}
		v = strings.TrimSpace(v)
		if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
			v = v[1 : len(v)-1]
		}
		meta[strings.TrimSpace(k)] = v
	}
	return meta, strings.TrimSpace(body), nil
}

// word is the first word of a front matter value: "article  (front | article | guide)" is
// "article".
func word(v string) string {
	if f := strings.Fields(v); len(f) > 0 {
		return f[0]
	}
	return ""
}
