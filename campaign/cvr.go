package campaign

import "strings"

// NormalizeCVR returns a CVR number as its 8 digits, accepting the spaces and the "DK" prefix
// people copy from letterheads ("DK 24 25 67 90"), or ErrCVRInvalid when the result is not 8
// digits that pass the modulus-11 check (weights 2, 7, 6, 5, 4, 3, 2, 1; the weighted sum is
// divisible by 11).
func NormalizeCVR(s string) (string, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	s = strings.TrimPrefix(s, "DK")
	s = strings.NewReplacer(" ", "", "-", "", "\u00a0", "").Replace(s)
	if len(s) != 8 {
		return "", ErrCVRInvalid
	}
	weights := [8]int{2, 7, 6, 5, 4, 3, 2, 1}
	sum := 0
	for i := 0; i < 8; i++ {
		if s[i] < '0' || s[i] > '9' {
			return "", ErrCVRInvalid
		}
		sum += int(s[i]-'0') * weights[i]
	}
	if sum%11 != 0 || s[0] == '0' {
		return "", ErrCVRInvalid
	}
	return s, nil
}
