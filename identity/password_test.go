package identity

import (
	"errors"
	"strings"
	"testing"
)

func TestValidatePassword(t *testing.T) {
	t.Parallel()
	cpr, err := ParseCPR("150390-1235")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, pw, username string
		want               error
	}{
		{"good", "Rødgrød-med-fløde-7", "jens.hansen", nil},
		{"exactly 8", "Xq7#mPz2", "jens", nil},
		{"7 characters", "Xq7#mPz", "jens", ErrPasswordTooShort},
		{"8 runes of 2 bytes each count as 8", "æøåæøåæø", "jens", nil},
		{"7 runes but 14 bytes", "æøåæøåæ", "jens", ErrPasswordTooShort},
		{"64 characters", strings.Repeat("aB3-", 16), "jens", nil},
		{"65 characters", strings.Repeat("aB3-", 16) + "x", "jens", ErrPasswordTooLong},
		{"the username", "Jens.Hansen", "jens.hansen", ErrPasswordIsUsername},
		{"contains the username", "xxJENS.HANSEN99", "jens.hansen", ErrPasswordIsUsername},
		{"contains a 4-character username", "myjenspassword", "jens", ErrPasswordIsUsername},
		{"may contain a 3-character username", "Kanal-bob-Fyrtaarn-7", "bob", nil},
		{"the 3-character username itself is still refused", "bobbobbob", "bobbobbob", ErrPasswordIsUsername},
		{"birth date DDMMYY", "Kage150390!", "jens", ErrPasswordHasCPR},
		{"other digits of the CPR are fine", "Kage1235-xyz", "jens", nil},
		{"common", "password", "jens", ErrPasswordCommon},
		{"common, any case", "PassWord", "jens", ErrPasswordCommon},
		{"common 9 digits", "123456789", "jens", ErrPasswordCommon},
		{"common from the zxcvbn list", "iloveyou", "jens", ErrPasswordCommon},
		{"common Danish", "Adgangskode1", "jens", ErrPasswordCommon},
		{"long enough but guessable", "Aaaaaaaa1", "jens", ErrPasswordWeak},
		{"a word and digits", "Hest1234", "jens", ErrPasswordWeak},
		{"a keyboard walk", "qwerty123456", "jens", ErrPasswordWeak},
		{"a name and a year", "Mette1970", "jens", ErrPasswordWeak},
		{"several words", "Kattegat-Havkajak-Lygte-31", "jens", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := ValidatePassword(tt.pw, tt.username, cpr); !errors.Is(err, tt.want) {
				t.Errorf("ValidatePassword(%q, %q) = %v, want %v", tt.pw, tt.username, err, tt.want)
			}
		})
	}
	t.Run("without CPR", func(t *testing.T) {
		if err := ValidatePassword("Kage150390!", "jens", ""); err != nil {
			t.Errorf("got %v", err)
		}
	})
}

func TestHashAndVerifyPassword(t *testing.T) {
	t.Parallel()
	h, err := HashPassword("korrekt hest batteri hæfteklamme")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash %q is not a PHC argon2id string with the chosen parameters", h)
	}
	h2, _ := HashPassword("korrekt hest batteri hæfteklamme")
	if h == h2 {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
	tests := []struct {
		name, hash, pw string
		ok, err        bool
	}{
		{"right", h, "korrekt hest batteri hæfteklamme", true, false},
		{"wrong", h, "korrekt hest batteri", false, false},
		{"case matters", h, "Korrekt hest batteri hæfteklamme", false, false},
		{"not PHC", "plain", "x", false, true},
		{"bcrypt", "$2a$10$abcdefghijklmnopqrstuv", "x", false, true},
		{"bad parameters", "$argon2id$v=19$m=0,t=2,p=1$c2FsdA$aGFzaA", "x", false, true},
		{"bad base64", "$argon2id$v=19$m=64,t=1,p=1$***$aGFzaA", "x", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, err := VerifyPassword(tt.hash, tt.pw)
			if ok != tt.ok || (err != nil) != tt.err {
				t.Errorf("VerifyPassword = %v, %v; want %v, error %v", ok, err, tt.ok, tt.err)
			}
		})
	}
}
