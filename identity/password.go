package identity

import (
	"encoding/base64"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
	"golang.org/x/text/unicode/norm"

	// The strength estimate and the common-password list are github.com/ccojocar/zxcvbn-go's:
	// its "Passwords" frequency list (7,141 entries from leaked-password corpora, 1,751 of them
	// long enough to pass the length rule) and its matchers, built on the first password check
	// rather than when the process starts (see the package).
	"mitidportal/identity/internal/zxcvbn"
)

// Salt and key lengths of every argon2id hash; the cost parameters are ArgonParams.
const (
	argonSaltLen = 16
	argonKeyLen  = 32
)

// Password length bounds, in characters (runes): NIST SP 800-63B asks for at least 8 and for
// allowing at least 64.
const (
	PasswordMinLength = 8
	PasswordMaxLength = 64
)

// HashPassword returns the argon2id hash of secret with DefaultArgonParams as a PHC string
// ($argon2id$v=19$m=...,t=...,p=...$salt$hash), outside any concurrency bound: for the command
// line and enrolment. Request paths that anyone can trigger use a Hasher.
func HashPassword(secret string) (string, error) {
	return hashWith(DefaultArgonParams, secret)
}

var b64 = base64.RawStdEncoding

// VerifyPassword reports whether secret matches a hash made by HashPassword, comparing in
// constant time. A malformed hash is an error, never a match.
func VerifyPassword(encoded, secret string) (bool, error) {
	// "", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return false, fmt.Errorf("password hash: not an argon2id PHC string")
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, fmt.Errorf("password hash: unsupported version %q", parts[2])
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m == 0 || t == 0 || p == 0 {
		return false, fmt.Errorf("password hash: bad parameters %q", parts[3])
	}
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, fmt.Errorf("password hash: salt: %w", err)
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false, fmt.Errorf("password hash: key: %v", err)
	}
	got := argon2.IDKey([]byte(secret), salt, t, m, p, uint32(len(want)))
	return constantTimeEqual(got, want), nil
}

// ValidatePassword checks a new password against the rules shown to the citizen: 8–64
// characters, not the username and not containing it (when the username has at least 4
// characters; shorter ones occur inside too many ordinary words), not containing the birth date
// of the CPR number as DDMMYY, and not on the list of common passwords. The comparisons ignore
// case. cpr may be "" when it is not known.
func ValidatePassword(pw, username string, cpr CPR) error {
	n := utf8.RuneCountInString(pw)
	if n < PasswordMinLength {
		return ErrPasswordTooShort
	}
	if n > PasswordMaxLength {
		return ErrPasswordTooLong
	}
	lower := strings.ToLower(norm.NFC.String(pw))
	user := strings.ToLower(norm.NFC.String(strings.TrimSpace(username)))
	if user != "" && (lower == user || (utf8.RuneCountInString(user) >= 4 && strings.Contains(lower, user))) {
		return ErrPasswordIsUsername
	}
	if len(cpr) == 10 && strings.Contains(lower, string(cpr[:6])) {
		return ErrPasswordHasCPR
	}
	if commonPasswords()[lower] {
		return ErrPasswordCommon
	}
	// Beyond the list: zxcvbn's estimate of how many guesses the password takes, with the
	// username and the birth date as words an attacker tries first. "Aaaaaaaa1" or "Hest1234"
	// pass the length rule and no list, and fall here.
	inputs := []string{user}
	if len(cpr) == 10 {
		inputs = append(inputs, string(cpr[:6]))
	}
	if zxcvbn.PasswordStrength(pw, inputs).Score < MinPasswordScore {
		return ErrPasswordWeak
	}
	return nil
}

// MinPasswordScore is the lowest zxcvbn score (0–4) a new password may have: 3 is "safely
// unguessable" for an online attacker and most offline ones against a slow hash.
const MinPasswordScore = 3

// danishCommonPasswords adds what Danish users choose often and the English list lacks.
var danishCommonPasswords = []string{
	"adgangskode", "adgangskode1", "adgangskode123", "kodeord", "kodeord1", "kodeord123",
	"password1", "sommer2024", "sommer2025", "sommer2026", "vinter2024", "vinter2025",
	"vinter2026", "efterår2025", "forår2026", "danmark1", "danmark123", "københavn",
	"kobenhavn", "hejmeddig", "hejsameddig", "minkode123", "mitid1234", "mitidkode",
	"qwertyuiop", "qwertzuiop", "asdfghjkl", "1q2w3e4r5t", "12345678", "123456789",
	"1234567890", "87654321", "11111111", "00000000", "abcd1234", "abc12345",
}

// commonPasswords is built on first use, like the estimator's dictionaries: an instance that
// never checks a new password never holds them.
var commonPasswords = sync.OnceValue(func() map[string]bool {
	list := zxcvbn.Passwords()
	set := make(map[string]bool, len(list)+len(danishCommonPasswords))
	for _, w := range list {
		// Shorter entries fail the length rule anyway.
		if utf8.RuneCountInString(w) >= PasswordMinLength {
			set[strings.ToLower(w)] = true
		}
	}
	for _, w := range danishCommonPasswords {
		set[w] = true
	}
	return set
})
