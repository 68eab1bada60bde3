// Package demofiles makes the demo's communication packs: the packs of the 2020 campaign plan
// (private, business, partner channels, helpers) with real text about MitID in Danish and
// English, rendered as PDF guides and flyers (go-pdf/fpdf) and PNG posters and social-media
// images (drawn with the Go fonts). Every file renders to the same bytes on every run, so the
// content-addressed store keeps each one once however often the demo is seeded.
package demofiles

import (
	"fmt"

	"mitidportal/campaign"
)

// Layout is how a file is drawn.
type Layout int

// The layouts: two kinds of PDF and three image sizes.
const (
	LayoutGuide  Layout = iota // A4 PDF: title band, sections, page numbers
	LayoutFlyer                // A4 PDF: one page, large type
	LayoutSquare               // 1080 × 1080 PNG: a social-media post
	LayoutBanner               // 1200 × 628 PNG: a link image for web and social media
	LayoutPoster               // 1240 × 1754 PNG: an A-format poster (A4 at 150 dpi)
)

// Size is the width and height in pixels of an image layout; 0, 0 for a PDF.
func (l Layout) Size() (int, int) {
	switch l {
	case LayoutSquare:
		return 1080, 1080
	case LayoutBanner:
		return 1200, 628
	case LayoutPoster:
		return 1240, 1754
	}
	return 0, 0
}

// IsImage reports whether the layout is a PNG.
func (l Layout) IsImage() bool { return l >= LayoutSquare }

// Ext is the file extension of the layout.
func (l Layout) Ext() string {
	if l.IsImage() {
		return ".png"
	}
	return ".pdf"
}

// Section is a part of a guide: a heading over paragraphs, a bullet list and numbered steps.
type Section struct {
	Heading string
	Paras   []string
	Bullets []string
	Steps   []string
}

// Text is a file's words in one language. An image shows Title, Lead and Call; a PDF all of it.
type Text struct {
	// Title is the item's title and the file's heading.
	Title string
	// Description is what the item's page says about the file.
	Description string
	Lead        string
	Sections    []Section
	// Call is the closing call to action (a box in a PDF, the bottom line of an image).
	Call string
}

// File is one generated file in both languages.
type File struct {
	// Name is the base of the download name; the language and extension are appended.
	Name     string
	Kind     campaign.ItemKind
	Audience campaign.ItemAudience
	Layout   Layout
	// Text holds the words by language: "da" and "en", always both.
	Text map[string]Text
}

// Filename is the file's download name in lang.
func (f File) Filename(lang string) string { return f.Name + "-" + lang + f.Layout.Ext() }

// Render draws the file in lang ("da" or "en").
func (f File) Render(lang string) ([]byte, error) {
	t, ok := f.Text[lang]
	if !ok {
		return nil, fmt.Errorf("demofiles: %s has no %q text", f.Name, lang)
	}
	if f.Layout.IsImage() {
		w, h := f.Layout.Size()
		return renderImage(t, w, h, palette(f.Audience))
	}
	return renderPDF(t, f.Layout, lang, palette(f.Audience))
}

// Item is a file as the seed puts it into a pack.
type Item struct {
	File File
	// Langs are the languages the item is seeded in: always "da", for several also "en".
	Langs      []string
	Visibility campaign.Visibility
	// Embargo: the item is published with a release time a week after the seed.
	Embargo bool
	// Revision, when set, is the item's second version.
	Revision *Revision
}

// Revision is a second version of an item's file with its change note.
type Revision struct {
	File File
	// Note is the change note by language.
	Note map[string]string
}

// Pack is a communication pack with its items.
type Pack struct {
	Slug                 string
	Audience             campaign.Audience
	TitleDA, TitleEN     string
	SummaryDA, SummaryEN string
	Items                []Item
}

// Packs returns the demo's packs in the order they are listed.
func Packs() []Pack {
	return []Pack{privatePack(), businessPack(), partnerPack(), helperPack()}
}
