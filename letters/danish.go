package letters

import (
	"fmt"
	"time"
	_ "time/tzdata" // the letter shows Danish time, also on hosts without a zoneinfo database
	"unicode"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"
)

// copenhagen is the zone of every date and time in a letter. The tzdata import above makes
// loading it unable to fail.
var copenhagen = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Copenhagen")
	if err != nil {
		panic(err)
	}
	return loc
}()

var danishMonths = [...]string{"januar", "februar", "marts", "april", "maj", "juni", "juli",
	"august", "september", "oktober", "november", "december"}

// danishDate formats as Danish letters do: "25. november 2026".
func danishDate(t time.Time) string {
	t = t.In(copenhagen)
	return fmt.Sprintf("%d. %s %d", t.Day(), danishMonths[t.Month()-1], t.Year())
}

// danishTime formats a time of day the Danish way: "kl. 14.30".
func danishTime(t time.Time) string {
	t = t.In(copenhagen)
	return fmt.Sprintf("kl. %02d.%02d", t.Hour(), t.Minute())
}

// englishDate formats as British English does: "25 November 2026 at 14:30".
func englishDate(t time.Time) string {
	return t.In(copenhagen).Format("2 January 2006 at 15:04")
}

// strokeLetters are letters of Latin names that cp1252 lacks and that do not decompose into a
// base letter and an accent.
var strokeLetters = map[rune]rune{'Ł': 'L', 'ł': 'l', 'Đ': 'D', 'đ': 'd', 'Ħ': 'H', 'ħ': 'h', 'ı': 'i', 'Ŧ': 'T', 'ŧ': 't'}

// cp1252 encodes text for fpdf's core fonts, which use Windows-1252. The text is composed
// first (a name typed as "a" + ring is "å"); a letter cp1252 lacks is printed without its
// accent (Ş as S, ő as o) rather than as "?", and anything else is refused, because a wrong
// name on a letter is worse than no letter.
func cp1252(field, s string) (string, error) {
	s = norm.NFC.String(s)
	out := make([]byte, 0, len(s))
	for _, r := range s {
		if b, ok := charmap.Windows1252.EncodeRune(r); ok && (r == ' ' || r == '\u00a0' || unicode.IsPrint(r)) {
			out = append(out, b)
			continue
		}
		folded, ok := fold(r)
		if !ok {
			return "", fmt.Errorf("letters: %w: %s has a character the font lacks (%U)", ErrUnprintable, field, r)
		}
		out = append(out, folded...)
	}
	return string(out), nil
}

// fold returns r without its accent, in cp1252.
func fold(r rune) ([]byte, bool) {
	if base, ok := strokeLetters[r]; ok {
		return []byte{byte(base)}, true
	}
	var out []byte
	for _, d := range norm.NFD.String(string(r)) {
		if unicode.Is(unicode.Mn, d) {
			continue
		}
		b, ok := charmap.Windows1252.EncodeRune(d)
		if !ok || !unicode.IsPrint(d) {
			return nil, false
		}
		out = append(out, b)
	}
	return out, len(out) > 0
}
