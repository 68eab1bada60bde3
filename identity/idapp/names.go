package idapp

import (
	"fmt"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"mitidportal/identity/mrz"
)

// nameFieldLength is the room for the names in line 1 of a passport's MRZ (TD3: 44 characters
// less the document code, the filler after it and the issuing state).
const nameFieldLength = mrz.LineLength - 5

// mrzLetters spells the letters the MRZ has no room for as ICAO 9303 part 3 recommends.
var mrzLetters = map[rune]string{
	'Æ': "AE", 'Ø': "OE", 'Å': "AA", 'Ä': "AE", 'Ö': "OE", 'Ü': "UE", 'ß': "SS", 'Þ': "TH", 'Ð': "D",
	'Ł': "L", 'Œ': "OE", 'Ĳ': "IJ",
}

// Transliterate writes a name the way the MRZ does: capitals A–Z, Danish and German letters
// spelled out (Ø as OE), other accents dropped, and every space or hyphen a filler <.
// Apostrophes and other marks disappear.
func Transliterate(name string) string {
	var b strings.Builder
	for _, r := range norm.NFC.String(strings.ToUpper(strings.TrimSpace(name))) {
		if s, ok := mrzLetters[r]; ok {
			b.WriteString(s)
			continue
		}
		for _, d := range norm.NFD.String(string(r)) {
			switch {
			case d >= 'A' && d <= 'Z':
				b.WriteRune(d)
			case d == ' ' || d == '-':
				b.WriteByte('<')
			case unicode.Is(unicode.Mn, d):
				// an accent, dropped
			}
		}
	}
	// One filler between names, however many spaces were typed.
	out := b.String()
	for strings.Contains(out, "<<") {
		out = strings.ReplaceAll(out, "<<", "<")
	}
	return strings.Trim(out, "<")
}

// NameField is line 1's name part for a person: SURNAME<<GIVEN<NAMES, cut at its room and
// padded with fillers.
func NameField(surname, givenNames string) string {
	f := Transliterate(surname) + "<<" + Transliterate(givenNames)
	if len(f) > nameFieldLength {
		f = f[:nameFieldLength]
	}
	return f + strings.Repeat("<", nameFieldLength-len(f))
}

// nameFieldMatches reports whether line 1 of an MRZ names the person: the same name field, or,
// where the passport had to cut a long name, the beginning of it (at least the surname and
// the start of the given names, as ICAO 9303 truncates).
func nameFieldMatches(line1, surname, givenNames string) bool {
	line1 = mrz.Normalize(line1)
	if len(line1) != mrz.LineLength {
		return false
	}
	got := strings.TrimRight(line1[5:], "<")
	want := strings.TrimRight(Transliterate(surname)+"<<"+Transliterate(givenNames), "<")
	if got == want {
		return true
	}
	full := len(want) > nameFieldLength
	return full && len(got) >= len(Transliterate(surname))+3 && strings.HasPrefix(want, got)
}

// PassportMRZ writes the two MRZ lines of a Danish passport (TD3) with correct check digits:
// what the demo simulator's identification app reads from the chip. sex is "M", "F" or "<".
func PassportMRZ(number, surname, givenNames string, birth time.Time, sex string, expiry time.Time) ([2]string, error) {
	number = strings.ToUpper(number)
	if len(number) > 9 || len(number) == 0 {
		return [2]string{}, fmt.Errorf("idapp: document number %q is not 1–9 characters", number)
	}
	number += strings.Repeat("<", 9-len(number))
	line1 := "P<DNK" + NameField(surname, givenNames)
	digit := func(s string) string { return fmt.Sprint(mrz.CheckDigit(s)) }
	b, e := birth.Format("060102"), expiry.Format("060102")
	optional := strings.Repeat("<", 14)
	line2 := number + digit(number) + "DNK" + b + digit(b) + sex + e + digit(e) + optional + "<"
	line2 += digit(line2[0:10] + line2[13:20] + line2[21:43])
	if _, err := mrz.Parse(line1, line2); err != nil {
		return [2]string{}, fmt.Errorf("idapp: built MRZ does not parse: %w", err)
	}
	return [2]string{line1, line2}, nil
}
