package identity

import (
	"errors"
	"testing"
	"time"
)

func TestCentury(t *testing.T) {
	t.Parallel()
	tests := []struct{ seventh, yy, want int }{
		{0, 0, 1900}, {3, 99, 1900},
		{4, 0, 2000}, {4, 36, 2000}, {4, 37, 1900}, {9, 36, 2000}, {9, 37, 1900},
		{5, 0, 2000}, {8, 57, 2000}, {5, 58, 1800}, {8, 99, 1800},
	}
	for _, tt := range tests {
		if got := Century(tt.seventh, tt.yy); got != tt.want {
			t.Errorf("Century(%d, %02d) = %d, want %d", tt.seventh, tt.yy, got, tt.want)
		}
	}
}

func TestParseCPR(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    CPR
		born    string // yyyy-mm-dd
		sex     Sex
		invalid bool
	}{
		{in: "010190-1235", want: "0101901235", born: "1990-01-01", sex: SexMale},
		{in: " 0101901234 ", want: "0101901234", born: "1990-01-01", sex: SexFemale},
		{in: "010203 1234", want: "0102031234", born: "1903-02-01", sex: SexFemale},
		{in: "010203-1234", want: "0102031234", born: "1903-02-01", sex: SexFemale},
		{in: " 0102031234 ", want: "0102031234", born: "1903-02-01", sex: SexFemale},
		{in: "\t010203 1234\n", want: "0102031234", born: "1903-02-01", sex: SexFemale},
		{in: "010203\u20131234", want: "0102031234", born: "1903-02-01", sex: SexFemale}, // pasted: Word's en dash
		{in: "010203\u00a01234", want: "0102031234", born: "1903-02-01", sex: SexFemale}, // pasted: a non-breaking space
		{in: "010203\u20111234", want: "0102031234", born: "1903-02-01", sex: SexFemale}, // pasted: a non-breaking hyphen
		{in: "010203\u22121234", want: "0102031234", born: "1903-02-01", sex: SexFemale}, // pasted: a minus sign
		{in: "010203\u20141234", invalid: true},                                          // an em dash is no separator
		{in: "010203  1234", invalid: true},                                              // one separator, not any run of spaces
		{in: "010203 -1234", invalid: true},
		{in: "0102 031234", invalid: true},                                        // a separator only where the date ends
		{in: "290200-4001", want: "2902004001", born: "2000-02-29", sex: SexMale}, // 2000 is a leap year
		{in: "010158-5001", want: "0101585001", born: "1858-01-01", sex: SexMale},
		{in: "311299-9998", want: "3112999998", born: "1999-12-31", sex: SexFemale},
		{in: "290201-4001", invalid: true}, // 2001 is not a leap year
		{in: "320190-1234", invalid: true},
		{in: "011390-1234", invalid: true},
		{in: "000190-1234", invalid: true},
		{in: "010190_1234", invalid: true},
		{in: "01019O-1234", invalid: true},
		{in: "010190-123", invalid: true},
		{in: "", invalid: true},
		{in: "٠١٠١٩٠١٢٣٤", invalid: true}, // Arabic-Indic digits are not CPR digits
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseCPR(tt.in)
			if tt.invalid {
				if !errors.Is(err, ErrCPRInvalid) {
					t.Fatalf("ParseCPR(%q) = %q, %v; want ErrCPRInvalid", tt.in, got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseCPR(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
			if b := got.BirthDate().Format(time.DateOnly); b != tt.born {
				t.Errorf("birth date %s, want %s", b, tt.born)
			}
			if got.Sex() != tt.sex {
				t.Errorf("sex %s, want %s", got.Sex(), tt.sex)
			}
			if got.String() != string(got[:6])+"-"+string(got[6:]) {
				t.Errorf("String() = %q", got.String())
			}
		})
	}
}
