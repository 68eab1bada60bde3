package demofiles

import (
	"bytes"
	"crypto/sha256"
	"image/png"
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

// TestFilesAreValid: every file has its words in both languages and renders to a PDF that
// starts and ends as one, or a PNG that decodes at its layout's size.
func TestFilesAreValid(t *testing.T) {
	for _, f := range allFiles(t) {
		for _, lang := range []string{"da", "en"} {
			t.Run(f.Name+"/"+lang, func(t *testing.T) {
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
				if !f.Layout.IsImage() {
					if !bytes.HasPrefix(b, []byte("%PDF-")) || !bytes.HasSuffix(bytes.TrimSpace(b), []byte("%%EOF")) {
						t.Fatalf("not a PDF: %q ... %q", b[:min(len(b), 16)], b[max(0, len(b)-16):])
					}
					// Two renders in one second agree even with the clock in them: the dates
					// must be the fixed ones.
					for _, date := range []string{"/CreationDate (D:20210118090000)", "/ModDate (D:20210118090000)"} {
						if !bytes.Contains(b, []byte(date)) {
							t.Errorf("no %s: the render time is in the file", date)
						}
					}
					if len(b) < 1500 {
						t.Errorf("a PDF of %d bytes has hardly any text", len(b))
					}
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

// TestDeterministic: two renders give the same bytes, so re-seeding stores nothing new.
func TestDeterministic(t *testing.T) {
	for _, f := range allFiles(t) {
		for _, lang := range []string{"da", "en"} {
			t.Run(f.Name+"/"+lang, func(t *testing.T) {
				t.Parallel()
				a, err := f.Render(lang)
				if err != nil {
					t.Fatal(err)
				}
				b, err := f.Render(lang)
				if err != nil {
					t.Fatal(err)
				}
				if sha256.Sum256(a) != sha256.Sum256(b) {
					t.Error("two renders differ")
				}
			})
		}
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

// TestRefusesLettersOutsideCP1252: a letter the PDF fonts lack is an error, not a hole.
func TestRefusesLettersOutsideCP1252(t *testing.T) {
	f := File{Name: "x", Layout: LayoutGuide, Text: map[string]Text{"da": {Title: "Łódź → København"}}}
	if _, err := f.Render("da"); err == nil {
		t.Error("rendered a letter cp1252 lacks")
	}
	if _, err := f.Render("en"); err == nil {
		t.Error("rendered a missing language")
	}
}
