package demofiles

import (
	"bytes"
	"crypto/sha256"
	"image/png"
	"strings"
	"testing"

	"mitidportal/campaign"
)

// allFiles is every file of the catalogue: each item's and each revision's.
func allFiles(t *testing.T) []File {
	t.Helper()
	var files []File
	for _, p := range Packs() {
		for _, it := range p.Items {
			files = append(files, it.File)
			if it.Revision != nil {
				files = append(files, it.Revision.File)
			}
		}
	}
	return files
}

// TestFiles: every file has its words in both languages and renders, twice to the same bytes
// (so re-seeding stores nothing new), to a PDF that starts and ends as one and carries the
// fixed dates, or a PNG that decodes at its layout's size.
func TestFiles(t *testing.T) {
	for _, f := range allFiles(t) {
		for _, lang := range []string{"da", "en"} {
			t.Run(f.Name+"/"+lang, func(t *testing.T) {
				t.Parallel()
				text := f.Text[lang]
				if text.Title == "" || text.Description == "" || text.Lead == "" || text.Call == "" {
					t.Fatalf("missing words: %+v", text)
				}
				if !f.Layout.IsImage() && len(text.Sections) == 0 {
					t.Fatal("a PDF without sections")
				}
				b, err := f.Render(lang)
				if err != nil {
					t.Fatal(err)
				}
				again, err := f.Render(lang)
				if err != nil {
					t.Fatal(err)
				}
				if sha256.Sum256(b) != sha256.Sum256(again) {
					t.Error("two renders differ")
				}
				if !f.Layout.IsImage() {
					checkPDF(t, b)
					return
				}
				img, err := png.Decode(bytes.NewReader(b))
				if err != nil {
					t.Fatal(err)
				}
				w, h := f.Layout.Size()
				if got := img.Bounds().Size(); got.X != w || got.Y != h {
					t.Errorf("size %v, want %dx%d", got, w, h)
				}
			})
		}
	}
}

func checkPDF(t *testing.T, b []byte) {
	t.Helper()
	if !bytes.HasPrefix(b, []byte("%PDF-")) || !bytes.HasSuffix(bytes.TrimSpace(b), []byte("%%EOF")) {
		t.Fatalf("not a PDF: %q ... %q", b[:min(len(b), 16)], b[max(0, len(b)-16):])
	}
	// Two renders in one second agree even with the clock in them: the dates must be the
	// fixed ones.
	for _, date := range []string{"/CreationDate (D:20210118090000)", "/ModDate (D:20210118090000)"} {
		if !bytes.Contains(b, []byte(date)) {
			t.Errorf("no %s: the render time is in the file", date)
		}
	}
	if len(b) < 1500 {
		t.Errorf("a PDF of %d bytes has hardly any text", len(b))
	}
}

// TestCatalogue: the seed finds an item again by its pack, language and title, so those are
// unique; the demo has exactly one embargoed item, one in forum review and one revised.
func TestCatalogue(t *testing.T) {
	slugs := map[string]bool{}
	var embargoed, review, revised int
	for _, p := range Packs() {
		if slugs[p.Slug] {
			t.Errorf("pack %s twice", p.Slug)
		}
		slugs[p.Slug] = true
		seen := map[string]bool{}
		for _, it := range p.Items {
			if len(it.Langs) == 0 || it.Langs[0] != "da" {
				t.Errorf("%s: languages %v do not start with da", it.File.Name, it.Langs)
			}
			for _, lang := range it.Langs {
				key := lang + "/" + it.File.Text[lang].Title
				if seen[key] {
					t.Errorf("%s: title %q twice", p.Slug, key)
				}
				seen[key] = true
			}
			if it.Embargo {
				embargoed++
			}
			if it.Visibility == campaign.VisibleReview {
				review++
			}
			if it.Revision != nil {
				revised++
				for _, lang := range it.Langs {
					if it.Revision.Note[lang] == "" || it.Revision.File.Text[lang].Title != it.File.Text[lang].Title {
						t.Errorf("%s: revision in %s lacks a note or changes the title", it.File.Name, lang)
					}
				}
			}
		}
	}
	if embargoed != 1 || review != 1 || revised != 1 {
		t.Errorf("%d embargoed, %d in review, %d revised; want one each", embargoed, review, revised)
	}
}

// TestRefuses: a letter the PDF fonts lack, a missing language and words that do not fit
// are errors, not a file with holes or text over its edges.
func TestRefuses(t *testing.T) {
	long := strings.Repeat("Alle med NemID skal have MitID. ", 8)
	for _, c := range []struct {
		name string
		file File
		lang string
	}{
		{"letter outside cp1252", File{Layout: LayoutGuide, Text: map[string]Text{"da": {Title: "Łódź → København"}}}, "da"},
		{"missing language", File{Layout: LayoutGuide, Text: map[string]Text{"da": {Title: "MitID"}}}, "en"},
		{"title too long for the band", File{Layout: LayoutGuide, Text: map[string]Text{"da": {Title: long}}}, "da"},
		{"text too long for the image", File{Layout: LayoutBanner, Text: map[string]Text{"da": {Title: long, Lead: long}}}, "da"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := c.file.Render(c.lang); err == nil {
				t.Error("rendered")
			}
		})
	}
}
