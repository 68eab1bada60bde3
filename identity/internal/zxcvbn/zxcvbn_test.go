package zxcvbn

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	upstream "github.com/ccojocar/zxcvbn-go"
	"github.com/ccojocar/zxcvbn-go/frequency"
)

// TestNothingBuiltAtStart must stay the first test of the package: the point of the package is
// that importing it builds nothing until a password is checked.
func TestNothingBuiltAtStart(t *testing.T) {
	if lists != nil || matchers != nil {
		t.Fatal("the dictionaries were built before the first PasswordStrength")
	}
	PasswordStrength("Hest1234", nil)
	if len(lists) != 5 || len(matchers) != 5+6 {
		t.Fatalf("after the first check: %d lists, %d matchers; want 5 and 11", len(lists), len(matchers))
	}
}

// TestSameAsUpstream compares score and entropy with upstream's PasswordStrength on the
// portal's password table, words of every list in the ways people bend them, and random
// strings: the lazy copy must estimate exactly as upstream does.
func TestSameAsUpstream(t *testing.T) {
	inputs := [][]string{nil, {"jens.hansen"}, {"jens", "150390"}}
	pws := []string{"Rødgrød-med-fløde-7", "Xq7#mPz2", "æøåæøåæø", strings.Repeat("aB3-", 16),
		"Aaaaaaaa1", "Hest1234", "qwerty123456", "Mette1970", "Kattegat-Havkajak-Lygte-31",
		"Kage1235-xyz", "Kage150390!", "xxJENS.HANSEN99", "p@ssw0rd!", "1q2w3e4r5t", "abcdefgh",
		"zyxwvuts9876", "01.02.1999", "12/31/85x", "correcthorsebatterystaple", "ZXCVBNM,./"}
	for name, l := range frequency.Lists {
		for i := 0; i < len(l.List); i += len(l.List) / 25 {
			w := l.List[i]
			pws = append(pws, w, strings.ToUpper(w[:1])+w[1:]+"1984",
				strings.NewReplacer("a", "@", "e", "3", "o", "0", "s", "$").Replace(w)+"!", w+"-"+name)
		}
	}
	rnd := rand.New(rand.NewPCG(13, 7))
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#-_.æøå"
	for range 120 {
		b := make([]rune, 6+rnd.IntN(12))
		for i := range b {
			b[i] = []rune(alphabet)[rnd.IntN(len([]rune(alphabet)))]
		}
		pws = append(pws, string(b))
	}
	for _, in := range inputs {
		for _, pw := range pws {
			got, want := PasswordStrength(pw, in), upstream.PasswordStrength(pw, in)
			if got.Score != want.Score || math.Abs(got.Entropy-want.Entropy) > 1e-9 {
				t.Errorf("%q with %q: score %d, entropy %.3f; upstream %d, %.3f",
					pw, in, got.Score, got.Entropy, want.Score, want.Entropy)
			}
		}
	}
	if got, want := len(Passwords()), len(frequency.Lists["Passwords"].List); got != want {
		t.Errorf("Passwords() has %d entries, upstream %d", got, want)
	}
}
