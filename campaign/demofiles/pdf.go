package demofiles

import (
	"bytes"
	"fmt"
	"image/color"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"
	"golang.org/x/text/encoding/charmap"

	"mitidportal/campaign"
)

// fixedDate is every PDF's creation and modification date: with the render time in them, two
// runs would give two files and the store would keep both.
var fixedDate = time.Date(2021, time.January, 18, 9, 0, 0, 0, time.UTC)

// colours is an audience's palette: the dark band and the accent.
type colours struct{ dark, accent color.RGBA }

func palette(a campaign.ItemAudience) colours {
	navy := color.RGBA{0, 40, 90, 255}
	switch a {
	case campaign.ForBusinesses, campaign.ForAdvisers:
		return colours{navy, color.RGBA{0, 122, 110, 255}}
	case campaign.ForPartners:
		return colours{color.RGBA{40, 40, 60, 255}, color.RGBA{180, 90, 0, 255}}
	case campaign.ForHelpers:
		return colours{navy, color.RGBA{160, 40, 90, 255}}
	}
	return colours{navy, color.RGBA{0, 100, 200, 255}}
}

// checkCP1252 refuses text the PDF core fonts cannot show: fpdf's translator would quietly
// drop such a letter, and a demo file with holes in its words is worse than an error.
func checkCP1252(t Text) error {
	all := []string{t.Title, t.Lead, t.Call}
	for _, s := range t.Sections {
		all = append(all, s.Heading)
		all = append(all, s.Paras...)
		all = append(all, s.Bullets...)
		all = append(all, s.Steps...)
	}
	for _, s := range all {
		for _, r := range s {
			if _, ok := charmap.Windows1252.EncodeRune(r); !ok {
				return fmt.Errorf("demofiles: %q in %q is not in cp1252", r, t.Title)
			}
		}
	}
	return nil
}

const (
	margin = 20.0
	width  = 210.0 - 2*margin
)

func renderPDF(t Text, layout Layout, lang string, c colours) ([]byte, error) {
	if err := checkCP1252(t); err != nil {
		return nil, err
	}
	pdf := fpdf.New("P", "mm", "A4", "")
	tr := pdf.UnicodeTranslatorFromDescriptor("cp1252")
	pdf.SetTitle(t.Title, true)
	pdf.SetAuthor("Digitaliseringsstyrelsen", true)
	pdf.SetCreator("MitID-portalen", true)
	pdf.SetProducer("MitID-portalen", true)
	pdf.SetLang(map[string]string{"da": "da-DK", "en": "en-GB"}[lang])
	pdf.SetCreationDate(fixedDate)
	pdf.SetModificationDate(fixedDate)
	pdf.SetCatalogSort(true)
	pdf.SetMargins(margin, 18, margin)
	pdf.SetAutoPageBreak(true, 20)
	footer := map[string]string{"da": "MitID · Kommunikationspakke · Side %d", "en": "MitID · Communication pack · Page %d"}[lang]
	pdf.SetFooterFunc(func() {
		pdf.SetY(-14)
		pdf.SetFont("Helvetica", "", 8)
		pdf.SetTextColor(90, 90, 90)
		pdf.CellFormat(width, 4, tr(fmt.Sprintf(footer, pdf.PageNo())), "", 0, "C", false, 0, "")
	})
	pdf.AddPage()
	flyer := layout == LayoutFlyer

	// The title band.
	bandH := 38.0
	if flyer {
		bandH = 80
	}
	pdf.SetFillColor(int(c.dark.R), int(c.dark.G), int(c.dark.B))
	pdf.Rect(0, 0, 210, bandH, "F")
	pdf.SetFillColor(int(c.accent.R), int(c.accent.G), int(c.accent.B))
	pdf.Rect(0, bandH, 210, 3, "F")
	pdf.SetTextColor(255, 255, 255)
	pdf.SetFont("Helvetica", "B", 11)
	pdf.SetXY(margin, 10)
	pdf.CellFormat(width, 6, "MitID", "", 2, "L", false, 0, "")
	size := 20.0
	if flyer {
		size = 32
	}
	pdf.SetFont("Helvetica", "B", size)
	pdf.MultiCell(width, size*0.45, tr(t.Title), "", "L", false)
	if pdf.GetY() > bandH {
		return nil, fmt.Errorf("demofiles: the title %q does not fit its band", t.Title)
	}
	pdf.SetY(bandH + 10)

	pdf.SetTextColor(20, 20, 20)
	lead := 13.0
	if flyer {
		lead = 16
	}
	if t.Lead != "" {
		pdf.SetFont("Helvetica", "", lead)
		pdf.MultiCell(width, lead*0.5, tr(t.Lead), "", "L", false)
		pdf.Ln(4)
	}
	body := 11.0
	if flyer {
		body = 13
	}
	for _, s := range t.Sections {
		if s.Heading != "" {
			pdf.Ln(2)
			pdf.SetTextColor(int(c.dark.R), int(c.dark.G), int(c.dark.B))
			pdf.SetFont("Helvetica", "B", body+3)
			pdf.MultiCell(width, (body+3)*0.5, tr(s.Heading), "", "L", false)
			pdf.Ln(1.5)
			pdf.SetTextColor(20, 20, 20)
		}
		pdf.SetFont("Helvetica", "", body)
		for _, p := range s.Paras {
			pdf.MultiCell(width, body*0.5, tr(p), "", "L", false)
			pdf.Ln(2)
		}
		list(pdf, tr, body, s.Bullets, func(int) string { return "•" })
		list(pdf, tr, body, s.Steps, func(i int) string { return fmt.Sprintf("%d.", i+1) })
	}
	if t.Call != "" {
		pdf.Ln(4)
		pdf.SetFillColor(int(c.accent.R), int(c.accent.G), int(c.accent.B))
		pdf.SetTextColor(255, 255, 255)
		pdf.SetFont("Helvetica", "B", body+1)
		pdf.MultiCell(width, (body+1)*0.6, tr(t.Call), "", "C", true)
	}
	if err := pdf.Error(); err != nil {
		return nil, fmt.Errorf("demofiles: %s: %w", t.Title, err)
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("demofiles: %s: %w", t.Title, err)
	}
	return buf.Bytes(), nil
}

// list writes items with a hanging indent, each after its mark (a bullet or a step number).
func list(pdf *fpdf.Fpdf, tr func(string) string, size float64, items []string, mark func(int) string) {
	for i, it := range items {
		pdf.SetX(margin + 2)
		pdf.CellFormat(7, size*0.5, tr(mark(i)), "", 0, "L", false, 0, "")
		pdf.MultiCell(width-9, size*0.5, tr(strings.TrimSpace(it)), "", "L", false)
		pdf.Ln(1)
	}
	if len(items) > 0 {
		pdf.Ln(2)
	}
}
