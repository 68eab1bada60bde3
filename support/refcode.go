package support

import (
	"crypto/rand"
	"math/big"
	"strings"
)

// RefAlphabet is the set of letters a reference code is made of. A code is read out by a
// citizen on the phone and typed by an agent, so the set leaves out, for Danish speakers and
// for the eye:
//
//   - I, L, O, Q, U, V: misread as 1, 0 or one another (I/L, O/Q, U/V), on paper and on screen;
//   - Y (heard as U or I), W (spelled "dobbelt-ve", heard as V) and Æ, Ø, Å (missing on
//     foreign keyboards, and unknown to an English-speaking caller);
//   - one letter of each pair a telephone line blurs: P (kept B: Danish b and p differ only in
//     aspiration), D (kept T, likewise), N (kept M) and F (kept S: "æf"/"æs", the line cuts
//     the high frequencies that tell them apart).
//
// That leaves 14 letters and 14^6 ≈ 7.5 million codes. Some kept letters still rhyme (B, C,
// E, G, T: "be", "se", "e", "ge", "te"); agents confirm those with the Danish spelling
// alphabet ("B som Bernhard"). The seed mock-up's "SATEBY" is therefore not a code: it has a Y.
const RefAlphabet = "ABCEGHJKMRSTXZ"

// RefLength is the number of letters in a reference code.
const RefLength = 6

// refTwins maps the letters left out for sounding like a kept one onto it, so that a code
// misheard as "SATEPX" still finds "SATEBX". A left-out letter never occurs in a code, so the
// mapping cannot turn a right code into a wrong one.
var refTwins = map[rune]rune{'P': 'B', 'D': 'T', 'N': 'M', 'F': 'S'}

// NewRef returns a random reference code drawn with crypto/rand. Uniqueness is the store's
// business: it retries on a collision with the unique index.
func NewRef() (string, error) {
	var b strings.Builder
	b.Grow(RefLength)
	n := big.NewInt(int64(len(RefAlphabet)))
	for range RefLength {
		i, err := rand.Int(rand.Reader, n)
		if err != nil {
			return "", err
		}
		b.WriteByte(RefAlphabet[i.Int64()])
	}
	return b.String(), nil
}

// NormalizeRef reads a reference code as a person types or dictates it: case and spaces,
// hyphens and dots do not matter, and a letter that sounds like one of the alphabet's (P, D,
// N, F) is read as that letter. ok is false when the result is not six letters of
// RefAlphabet.
func NormalizeRef(s string) (ref string, ok bool) {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == ' ' || r == '-' || r == '.' || r == '\t' || r == '\u00a0':
			continue
		case refTwins[r] != 0:
			r = refTwins[r]
		}
		if !strings.ContainsRune(RefAlphabet, r) {
			return "", false
		}
		b.WriteRune(r)
		if b.Len() > RefLength {
			return "", false
		}
	}
	if b.Len() != RefLength {
		return "", false
	}
	return b.String(), true
}

// ValidRef reports whether s is a reference code exactly as the store writes it.
func ValidRef(s string) bool {
	ref, ok := NormalizeRef(s)
	return ok && ref == s
}
