package mrz_test

import (
	"errors"
	"testing"
	"time"

	"mitidportal/identity/mrz"
)

// The specimen passport of ICAO Doc 9303 part 4 (Utopia, Anna Maria Eriksson).
const (
	specimen1 = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<"
	specimen2 = "L898902C36UTO7408122F1204159ZE184226B<<<<<10"
)

func TestSpecimen(t *testing.T) {
	p, err := mrz.Parse(specimen1, specimen2)
	if err != nil {
		t.Fatal(err)
	}
	want := mrz.Passport{DocumentCode: "P", IssuingState: "UTO", Nationality: "UTO", Surname: "ERIKSSON",
		GivenNames: "ANNA MARIA", Number: "L898902C3", Birth: mrz.Date{YY: 74, MM: 8, DD: 12}, Sex: "F",
		Expiry: mrz.Date{YY: 12, MM: 4, DD: 15}, Optional: "ZE184226B"}
	if p != want {
		t.Errorf("got %+v\nwant %+v", p, want)
	}
	now := time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC)
	if got := p.Birth.Time(now, false); got.Year() != 1974 {
		t.Errorf("birth year %d", got.Year())
	}
	if got := p.Expiry.Time(now, true); got.Year() != 2012 {
		t.Errorf("expiry year %d", got.Year())
	}
}

// TestCheckDigits changes each check digit of the specimen to every other digit, and one
// character in each field a check digit covers: each change is reported as that check digit.
func TestCheckDigits(t *testing.T) {
	positions := []struct {
		name string
		at   int
		want error
	}{
		{"document number", 9, mrz.ErrCheckNumber},
		{"birth date", 19, mrz.ErrCheckBirth},
		{"expiry date", 27, mrz.ErrCheckExpiry},
		{"optional data", 42, mrz.ErrCheckOptional},
		{"composite", 43, mrz.ErrCheckComposite},
	}
	for _, p := range positions {
		for d := byte('0'); d <= '9'; d++ {
			if d == specimen2[p.at] {
				continue
			}
			line := []byte(specimen2)
			line[p.at] = d
			t.Run(p.name+" digit "+string(d), func(t *testing.T) {
				if _, err := mrz.Parse(specimen1, string(line)); !errors.Is(err, p.want) {
					t.Errorf("got %v, want %v", err, p.want)
				}
			})
		}
	}
	fields := []struct {
		name string
		at   int
		to   byte
		want error
	}{
		{"a letter of the number", 0, 'M', mrz.ErrCheckNumber},
		{"the birth month", 16, '9', mrz.ErrCheckBirth},
		{"the expiry year", 22, '3', mrz.ErrCheckExpiry},
		{"the optional data", 30, 'X', mrz.ErrCheckOptional},
		// The nationality and sex are covered by no check digit: changing them passes.
		{"the nationality", 10, 'X', nil},
		{"the sex", 20, 'M', nil},
	}
	for _, f := range fields {
		line := []byte(specimen2)
		line[f.at] = f.to
		t.Run(f.name, func(t *testing.T) {
			if _, err := mrz.Parse(specimen1, string(line)); !errors.Is(err, f.want) && !(f.want == nil && err == nil) {
				t.Errorf("got %v, want %v", err, f.want)
			}
		})
	}
}

func TestRefusals(t *testing.T) {
	tests := []struct {
		name         string
		line1, line2 string
		want         error
	}{
		{"short second line", specimen1, specimen2[:43], mrz.ErrLength},
		{"long first line", specimen1 + "<", specimen2, mrz.ErrLength},
		{"lower-case letters are read as upper case", "p<utoeriksson<<anna<maria<<<<<<<<<<<<<<<<<<<", specimen2, nil},
		{"spaces typed for inner filler", " P UTOERIKSSON  ANNA MARIA<<<<<<<<<<<<<<<<<<<\n", specimen2, nil},
		{"a character outside the MRZ", "P<UTOERIKSSØN<<ANNA<MARIA<<<<<<<<<<<<<<<<<<", specimen2, mrz.ErrCharacter},
		{"a NUL byte", specimen1, "L898902C36UTO7408122F1204159ZE184226B<<<<<1\x00", mrz.ErrCharacter},
		{"an identity card, not a passport", "I" + specimen1[1:], specimen2, mrz.ErrNotTD3},
		{"month 13", specimen1, withCheck("L898902C36UTO7413122F1204159ZE184226B<<<<<1"), mrz.ErrDate},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := mrz.Parse(tt.line1, tt.line2)
			if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
		})
	}
}

// withCheck mends the birth and composite check digits of a 43-character line 2 and appends the
// composite one, so that a test reaches the date check.
func withCheck(line string) string {
	b := []byte(line)
	b[19] = byte('0' + mrz.CheckDigit(line[13:19]))
	line = string(b)
	return line + string(rune('0'+mrz.CheckDigit(line[0:10]+line[13:20]+line[21:43])))
}

func TestCheckDigit(t *testing.T) {
	for s, want := range map[string]int{"L898902C3": 6, "740812": 2, "120415": 9, "ZE184226B<<<<<": 1, "<<<": 0, "a": -1} {
		if got := mrz.CheckDigit(s); got != want {
			t.Errorf("CheckDigit(%q) = %d, want %d", s, got, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add(specimen1, specimen2)
	f.Add("P<DNKHANSEN<<METTE<<<<<<<<<<<<<<<<<<<<<<<<<", "")
	f.Add(specimen1, "L898902C36UTO7402302F1204159ZE184226B<<<<<10")
	f.Fuzz(func(t *testing.T, l1, l2 string) {
		p, err := mrz.Parse(l1, l2)
		if err != nil {
			return
		}
		// Whatever parses has a checked number and real dates.
		if mrz.CheckDigit(p.Number) < 0 || p.Birth.MM < 1 || p.Birth.MM > 12 || p.Expiry.DD < 1 {
			t.Errorf("parsed nonsense: %+v", p)
		}
	})
}
