package sitedata_test

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"mitidportal/markdown"
)

// The guide pages this package's task writes into the campaign site's content folder, in the
// format package campaign/site loads (front matter between --- lines, then Markdown).
var guideSlugs = []string{"guide-app", "guide-kodeviser", "hjaelp-andre", "hjaelp-boern", "hjaelp-aeldre", "hjaelp-udsatte"}

const contentDir = "../site/content"

var imageRef = regexp.MustCompile(`!\[([^\]]*)\]\(([^)\s]+)\)`)

// frontMatter reads a content file's front matter and body.
func frontMatter(t *testing.T, path string) (map[string]string, string) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	head, body, ok := strings.Cut(strings.TrimPrefix(string(raw), "---\n"), "\n---\n")
	if !strings.HasPrefix(string(raw), "---\n") || !ok {
		t.Fatalf("%s: no front matter between --- lines", path)
	}
	fm := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(head))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			t.Fatalf("%s: front matter line %q is not key: value", path, sc.Text())
		}
		fm[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return fm, body
}

// TestGuideContent: every guide exists in Danish and English with a title, a summary, a valid
// kind and position, a parent that exists, pictures that exist and have alt text, and a body
// that renders.
func TestGuideContent(t *testing.T) {
	for _, slug := range guideSlugs {
		for _, lang := range []string{"da", "en"} {
			t.Run(lang+"/"+slug, func(t *testing.T) {
				fm, body := frontMatter(t, filepath.Join(contentDir, lang, slug+".md"))
				if fm["title"] == "" || fm["summary"] == "" {
					t.Errorf("title %q, summary %q", fm["title"], fm["summary"])
				}
				if !slices.Contains([]string{"front", "article", "guide"}, fm["kind"]) {
					t.Errorf("kind %q", fm["kind"])
				}
				if _, err := strconv.Atoi(fm["position"]); err != nil {
					t.Errorf("position %q", fm["position"])
				}
				if p := fm["parent"]; p != "" && !slices.Contains(guideSlugs, p) {
					t.Errorf("parent %q is not a page", p)
				}
				for k := range fm {
					if !slices.Contains([]string{"title", "summary", "kind", "position", "parent"}, k) {
						t.Errorf("unknown front matter key %q", k)
					}
				}
				for _, m := range imageRef.FindAllStringSubmatch(body, -1) {
					if strings.TrimSpace(m[1]) == "" {
						t.Errorf("picture %s has no alt text", m[2])
					}
					if !strings.HasPrefix(m[2], "images/") {
						t.Errorf("picture %s is not in images/", m[2])
					}
					if st, err := os.Stat(filepath.Join(contentDir, m[2])); err != nil || st.Size() > 30<<10 {
						t.Errorf("picture %s: %v (or larger than 30 KB)", m[2], err)
					}
				}
				html := string(markdown.HTML(body))
				if len(html) < 200 || !strings.Contains(html, "<p>") {
					t.Errorf("the body renders as %.200q", html)
				}
			})
		}
	}
	// The guides with step pictures have one per step.
	for _, slug := range []string{"guide-app", "guide-kodeviser"} {
		_, body := frontMatter(t, filepath.Join(contentDir, "da", slug+".md"))
		if n := len(imageRef.FindAllString(body, -1)); n < 5 {
			t.Errorf("%s has %d pictures, want one per step", slug, n)
		}
	}
}
