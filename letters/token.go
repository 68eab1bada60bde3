package letters

import (
	"fmt"
	"strings"
	"time"
)

// TokenLetter goes in the parcel with a kodeviser or kodeoplæser the citizen ordered: it names
// the unit by its serial and says how to activate it.
type TokenLetter struct {
	To Recipient
	// AudioReader is true for a kodeoplæser, false for a kodeviser.
	AudioReader bool
	Serial      string    // the unit's serial number, as printed on its back
	Date        time.Time // the date of the letter
	// SupportPhone is MitID support's number; ActivateURL is where the unit is activated.
	SupportPhone, ActivateURL string
}

func (l TokenLetter) check() error {
	for _, f := range []struct{ name, value string }{
		{"serial", l.Serial}, {"recipient name", l.To.Name}, {"address line", l.To.AddressLine},
		{"postcode", l.To.Postcode}, {"city", l.To.City}, {"support phone", l.SupportPhone},
		{"activation URL", l.ActivateURL},
	} {
		if strings.TrimSpace(f.value) == "" {
			return fmt.Errorf("letters: %w: %s is empty", ErrIncomplete, f.name)
		}
	}
	if l.Date.IsZero() {
		return fmt.Errorf("letters: %w: letter date is not set", ErrIncomplete)
	}
	return nil
}

// RenderTokenLetter renders the letter that comes with an ordered kodeviser or kodeoplæser. It
// refuses a letter without serial, recipient, address, support phone, activation URL or date.
func RenderTokenLetter(l TokenLetter) ([]byte, error) {
	if err := l.check(); err != nil {
		return nil, err
	}
	device, deviceEN := "kodeviser", "code display"
	if l.AudioReader {
		device, deviceEN = "kodeoplæser", "audio code reader"
	}
	title := "Din nye " + device + " til MitID"
	p := newPage(title,
		fmt.Sprintf("%s · %s · %s · %s · MitID-support: %s", senderName, senderStreet, senderCity, senderWebsite, l.SupportPhone),
		l.Date)
	p.address(l.To)

	pdf := p.pdf
	pdf.SetXY(marginLeft, bodyY)
	pdf.SetFont("Helvetica", "B", 14)
	pdf.CellFormat(0, 7, p.enc("text", title), "", 1, "L", false, 0, "")
	pdf.Ln(4)
	p.para(10, "Kære "+l.To.Name)
	p.para(10, "Her er den "+device+", du har bestilt til dit MitID. Den har dette serienummer, "+
		"som også står på bagsiden:")

	pdf.Ln(1)
	boxW := p.box(15)
	pdf.SetFont("Courier", "B", 20)
	pdf.CellFormat(boxW, 9, p.enc("serial", strings.TrimSpace(l.Serial)), "", 1, "C", false, 0, "")
	p.endBox()

	p.heading(11, "Sådan tager du den i brug")
	p.numbered(10, []string{
		"Log på MitID på " + l.ActivateURL + " med et af dine andre MitID-identifikationsmidler.",
		"Skriv serienummeret og den kode, " + device + "en viser nu.",
		"Derefter kan du logge på med din " + device + ".",
	})
	p.heading(11, "Har du ikke bestilt den?")
	p.para(10, "Ring til MitID-support på "+l.SupportPhone+", så spærrer vi den.")
	pdf.Ln(2)
	p.para(10, "Med venlig hilsen")
	p.para(10, senderName)

	pdf.Ln(3)
	pdf.SetDrawColor(180, 180, 180)
	pdf.Line(marginLeft, pdf.GetY(), pageWidth-marginRight, pdf.GetY())
	pdf.Ln(1)
	p.heading(9, "In English")
	p.para(8.5, "This is the "+deviceEN+" you ordered for your MitID, serial number "+strings.TrimSpace(l.Serial)+
		". To activate it, log in at "+l.ActivateURL+" with another MitID means and enter the serial number "+
		"and the code the device shows. If you did not order it, call MitID support on "+l.SupportPhone+".")
	return p.bytes()
}
