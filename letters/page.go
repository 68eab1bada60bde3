package letters

import (
	"bytes"
	"fmt"
	"time"

	"github.com/go-pdf/fpdf"
)

// The sender, as printed in the letterhead, the return address and the footer.
const (
	senderName    = "Digitaliseringsstyrelsen"
	senderStreet  = "Landgreven 4"
	senderCity    = "1301 København K"
	senderWebsite = "digst.dk"
)

// Page geometry in millimetres. The address field follows the C5 window envelope (DIN 5008
// form B, which Danish window envelopes share): the window spans 20 to 105 mm from the left
// from 45 mm from the top; its text starts 5 mm in, on the body's margin, with the return
// address on the first line. The fold mark halves the A4 sheet for C5.
const (
	marginLeft   = 25.0
	marginRight  = 20.0
	pageWidth    = 210.0
	textWidth    = pageWidth - marginLeft - marginRight
	addressX     = marginLeft
	addressY     = 45.0
	addressWidth = 105.0 - addressX
	foldY        = 148.5
	bodyY        = 95.0
)

// page is a letter being drawn. Text passed to it is UTF-8; it encodes it for the core fonts
// and keeps the first encoding error, so the drawing code reads as a plain sequence of calls.
type page struct {
	pdf *fpdf.Fpdf
	err error
	// boxBottom is where the box drawn last ends (box, endBox).
	boxBottom float64
}

// newPage starts an A4 letter with the document metadata and the letterhead, dated date.
func newPage(title, footer string, date time.Time) *page {
	pdf := fpdf.New("P", "mm", "A4", "")
	p := &page{pdf: pdf}
	pdf.SetTitle(title, true)
	pdf.SetSubject(title, true)
	pdf.SetAuthor(senderName, true)
	pdf.SetCreator("MitID-portalen", true)
	pdf.SetLang("da-DK")
	// The letter's own date instead of the render time: the same letter renders to the same
	// bytes, so a letter can be rendered again later and compared.
	pdf.SetCreationDate(date)
	pdf.SetModificationDate(date)
	pdf.SetCatalogSort(true)
	pdf.SetMargins(marginLeft, 15, marginRight)
	pdf.SetAutoPageBreak(true, 22)
	footerText := p.enc("footer", footer)
	pdf.SetFooterFunc(func() {
		pdf.SetY(-18)
		pdf.SetDrawColor(180, 180, 180)
		pdf.Line(marginLeft, pdf.GetY(), pageWidth-marginRight, pdf.GetY())
		pdf.Ln(2)
		pdf.SetFont("Helvetica", "", 7.5)
		pdf.SetTextColor(90, 90, 90)
		pdf.CellFormat(textWidth, 4, footerText, "", 0, "C", false, 0, "")
	})
	pdf.AddPage()
	p.letterhead(date)
	return p
}

// enc encodes s for the core fonts; after an error it returns "" and keeps the first error.
func (p *page) enc(field, s string) string {
	if p.err != nil {
		return ""
	}
	out, err := cp1252(field, s)
	if err != nil {
		p.err = err
	}
	return out
}

// letterhead draws the sender at the top right, the date below it and the fold mark.
func (p *page) letterhead(date time.Time) {
	pdf := p.pdf
	pdf.SetTextColor(0, 40, 90)
	pdf.SetFont("Helvetica", "B", 15)
	pdf.SetXY(110, 15)
	pdf.CellFormat(pageWidth-marginRight-110, 7, p.enc("sender", senderName), "", 2, "R", false, 0, "")
	pdf.SetTextColor(60, 60, 60)
	pdf.SetFont("Helvetica", "", 8.5)
	for _, line := range []string{senderStreet, senderCity, senderWebsite} {
		pdf.CellFormat(pageWidth-marginRight-110, 4, p.enc("sender", line), "", 2, "R", false, 0, "")
	}
	pdf.SetTextColor(0, 0, 0)
	pdf.SetFont("Helvetica", "", 10)
	pdf.SetXY(110, addressY+30)
	pdf.CellFormat(pageWidth-marginRight-110, 5, p.enc("date", danishDate(date)), "", 0, "R", false, 0, "")
	pdf.SetDrawColor(150, 150, 150)
	pdf.Line(4, foldY, 8, foldY)
}

// address fills the envelope window: the return address, small and underlined, then the
// recipient.
func (p *page) address(to Recipient) {
	pdf := p.pdf
	pdf.SetXY(addressX, addressY)
	pdf.SetFont("Helvetica", "U", 6.5)
	pdf.CellFormat(addressWidth, 4, p.enc("sender", senderName+", "+senderStreet+", "+senderCity), "", 2, "L", false, 0, "")
	pdf.Ln(3)
	pdf.SetFont("Helvetica", "", 11)
	for _, line := range []struct{ field, text string }{
		{"recipient name", to.Name},
		{"address line", to.AddressLine},
		{"postcode and city", to.Postcode + " " + to.City},
	} {
		pdf.SetX(addressX)
		pdf.MultiCell(addressWidth, 5, p.enc(line.field, line.text), "", "L", false)
	}
}

// heading writes a bold line with space above it.
func (p *page) heading(size float64, text string) {
	p.pdf.Ln(size * 0.35)
	p.pdf.SetFont("Helvetica", "B", size)
	p.pdf.MultiCell(0, size*0.5, p.enc("text", text), "", "L", false)
	p.pdf.Ln(1)
}

// para writes a paragraph of body text at the given size.
func (p *page) para(size float64, text string) {
	p.pdf.SetFont("Helvetica", "", size)
	p.pdf.MultiCell(0, size*0.48, p.enc("text", text), "", "L", false)
	p.pdf.Ln(size * 0.2)
}

// numbered writes the steps of a procedure as a numbered list with hanging indent.
func (p *page) numbered(size float64, steps []string) {
	pdf := p.pdf
	pdf.SetFont("Helvetica", "", size)
	for i, s := range steps {
		pdf.SetX(marginLeft + 2)
		pdf.CellFormat(6, size*0.48, fmt.Sprintf("%d.", i+1), "", 0, "L", false, 0, "")
		pdf.MultiCell(textWidth-8, size*0.48, p.enc("text", s), "", "L", false)
	}
	pdf.Ln(size * 0.2)
}

// bytes finishes the document.
// box draws the shaded, framed box a letter's code or serial stands in, h mm high and centred,
// and leaves the cursor 3 mm inside its top. It returns the box's width; the caller writes the
// content and then moves below it with endBox.
func (p *page) box(h float64) (w float64) {
	const boxW = 110.0
	pdf := p.pdf
	x := marginLeft + (textWidth-boxW)/2
	y := pdf.GetY()
	pdf.SetFillColor(238, 242, 247)
	pdf.SetDrawColor(0, 40, 90)
	pdf.SetLineWidth(0.4)
	pdf.RoundedRect(x, y, boxW, h, 3, "1234", "FD")
	pdf.SetLineWidth(0.2)
	pdf.SetXY(x, y+3)
	p.boxBottom = y + h
	return boxW
}

// endBox moves below the box drawn last.
func (p *page) endBox() { p.pdf.SetY(p.boxBottom + 3) }

func (p *page) bytes() ([]byte, error) {
	if p.err != nil {
		return nil, p.err
	}
	var buf bytes.Buffer
	if err := p.pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("letters: render: %w", err)
	}
	return buf.Bytes(), nil
}
