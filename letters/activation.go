package letters

import (
	"fmt"
	"strings"
)

// letterText is what differs between the purposes of an activation letter.
type letterText struct {
	intro, heading, lastStep, english string
}

var letterTexts = map[Purpose]letterText{
	PurposeCreate: {
		intro:    "Du har bestilt en aktiveringskode, så du kan oprette MitID. Her er din personlige kode:",
		heading:  "Sådan opretter du dit MitID",
		lastStep: "Vælg brugernavn og adgangskode, og følg vejledningen på skærmen.",
		english:  "To create your MitID,",
	},
	PurposeRecover: {
		intro:    "Du har bedt om at komme ind i dit MitID igen. Her er din personlige kode:",
		heading:  "Sådan kommer du ind i dit MitID igen",
		lastStep: "Opret nye identifikationsmidler, og følg vejledningen på skærmen.",
		english:  "To get back into your MitID,",
	},
	PurposeLift: {
		intro:    "Her er din personlige kode til at ophæve spærringen af dit MitID:",
		heading:  "Sådan ophæver du spærringen af dit MitID",
		lastStep: "Bekræft, at spærringen skal ophæves, og følg vejledningen på skærmen.",
		english:  "To lift the block of your MitID,",
	},
}

// RenderActivationLetter renders the letter that brings a citizen an activation code: for
// creating a MitID (DESIGN §3.4, way 1), getting back into one (§3.5) or lifting its block
// (§3.6), as Purpose says. It refuses a letter without code, recipient name,
// address, support phone, portal URL or dates. Errors never contain the code.
func RenderActivationLetter(l ActivationLetter) ([]byte, error) {
	if err := l.check(); err != nil {
		return nil, err
	}
	code := strings.TrimSpace(l.Code)
	expires := danishDate(l.Expires) + " " + danishTime(l.Expires)
	p := newPage("Din aktiveringskode til MitID",
		fmt.Sprintf("%s · %s · %s · %s · MitID-support: %s", senderName, senderStreet, senderCity, senderWebsite, l.SupportPhone),
		l.Date)
	p.address(l.To)

	pdf := p.pdf
	pdf.SetXY(marginLeft, bodyY)
	pdf.SetFont("Helvetica", "B", 14)
	pdf.CellFormat(0, 7, p.enc("text", "Din aktiveringskode til MitID"), "", 1, "L", false, 0, "")
	pdf.Ln(4)
	t := letterTexts[l.Purpose]
	if t.intro == "" {
		t = letterTexts[PurposeCreate]
	}
	p.para(10, "Kære "+l.To.Name)
	p.para(10, t.intro)

	// The code: large, in a monospaced font so that similar characters stay distinct, in a
	// shaded box the eye finds at once.
	pdf.Ln(1)
	boxW := p.box(19)
	pdf.SetFont("Courier", "B", 26)
	pdf.CellFormat(boxW, 10, p.enc("activation code", code), "", 2, "C", false, 0, "")
	pdf.SetFont("Helvetica", "", 8.5)
	pdf.CellFormat(boxW, 5, p.enc("text", "Aktiveringskode · gyldig til "+expires), "", 1, "C", false, 0, "")
	p.endBox()

	p.heading(11, t.heading)
	p.numbered(10, []string{
		"Gå til " + l.PortalURL + " på en hvilken som helst computer eller telefon.",
		"Indtast dit CPR-nummer eller brugernavn og aktiveringskoden.",
		t.lastStep,
	})
	p.para(10, "Koden skal bruges senest den "+expires+". Koden kan kun bruges én gang. "+
		"Har du fået en aktiveringskode tidligere, virker den ikke længere: kun koden i det nyeste brev gælder.")

	p.heading(11, "Giv aldrig koden til andre")
	p.para(10, "Aktiveringskoden er personlig. Med den kan man oprette et MitID i dit navn. "+
		"Giv den aldrig til andre\u00a0– heller ikke til nogen, der siger, at de ringer fra MitID, "+
		"din bank eller en myndighed. MitID-support beder dig aldrig om koden.")

	p.heading(11, "Har du ikke bestilt koden?")
	p.para(10, "Hvis du ikke selv har bestilt en aktiveringskode, skal du ikke bruge den. "+
		"Ring i stedet til MitID-support på "+l.SupportPhone+", så spærrer vi koden.")

	pdf.Ln(2)
	p.para(10, "Med venlig hilsen")
	p.para(10, senderName)

	pdf.Ln(3)
	pdf.SetDrawColor(180, 180, 180)
	pdf.Line(marginLeft, pdf.GetY(), pageWidth-marginRight, pdf.GetY())
	pdf.Ln(1)
	p.heading(9, "In English")
	p.para(8.5, "This letter contains your personal activation code for MitID. "+t.english+" go to "+
		l.PortalURL+" on any computer or phone and enter your CPR number or username and the code. The code "+
		"can be used once and expires on "+englishDate(l.Expires)+" (Danish time); a code from an earlier "+
		"letter no longer works. Never give the code to anyone\u00a0– "+
		"MitID support will never ask for it. If you did not request this code, do not use it, and call "+
		"MitID support on "+l.SupportPhone+".")
	return p.bytes()
}
