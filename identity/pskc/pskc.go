// Package pskc reads and writes the seed files (RFC 6030, Portable Symmetric Key Container) in
// which the maker delivers the MitID hardware tokens: kodevisere (code displays) and
// kodeoplæsere (audio code readers). Only TOTP keys are accepted, as plain values or encrypted
// with a pre-shared AES-128 key and authenticated with a MAC (RFC 6030 §6.1).
//
// Errors name the KeyPackage (position and serial) and the reason, never secret material, so
// they can be logged and shown to the operator who imports the file.
package pskc

import (
	"errors"
	"fmt"
	"unicode"
	"unicode/utf8"
)

// Kinds of token, as the identity package stores them.
const (
	KindCodeDisplay = "code_display" // kodeviser, model "MitID-KV…"
	KindAudioReader = "audio_reader" // kodeoplæser, model "MitID-KO…"
)

// Hash algorithms of the TOTP keys (RFC 6238 allows these three).
const (
	SHA1   = "SHA1"
	SHA256 = "SHA256"
	SHA512 = "SHA512"
)

// MaxFileSize bounds what Parse reads: a seed file of a few hundred thousand tokens is far
// smaller, and the bound keeps a hostile file from exhausting memory.
const MaxFileSize = 10 << 20

// Bounds of a key's fields. A TOTP secret shorter than 128 bits is too weak (RFC 4226 §4
// demands at least 128); the upper bounds only keep nonsense out.
const (
	minSecret = 16
	maxSecret = 128
	maxSerial = 64
	maxPeriod = 3600
)

// Key is one token unit and its TOTP key.
type Key struct {
	Serial    string // DeviceInfo/SerialNo, printed on the unit
	Model     string // DeviceInfo/Model
	Kind      string // KindCodeDisplay or KindAudioReader, from the model
	Secret    []byte
	Algorithm string // SHA1, SHA256 or SHA512
	Digits    int    // 6 or 8
	Period    int    // seconds per time step
}

// Reasons Parse and Write fail; test them with errors.Is. The error text adds the details.
var (
	ErrTooLarge        = errors.New("file larger than 10 MiB")
	ErrNotPSKC         = errors.New("not a PSKC key container")
	ErrEmpty           = errors.New("no KeyPackage")
	ErrMissingSerial   = errors.New("missing serial number")
	ErrDuplicateSerial = errors.New("duplicate serial number")
	ErrUnknownModel    = errors.New("unknown model")
	ErrUnsupported     = errors.New("unsupported")
	ErrInvalid         = errors.New("invalid")
	ErrShortSecret     = errors.New("secret shorter than 16 bytes")
	ErrNeedKey         = errors.New("encrypted, but no pre-shared key was given")
	ErrKey             = errors.New("bad pre-shared key")
	ErrBadMAC          = errors.New("MAC check failed")
	ErrPadding         = errors.New("bad padding after decryption")
)

// PackageError is a fault in one KeyPackage.
type PackageError struct {
	Index  int    // 1-based position in the file
	Serial string // empty when the package has none
	Err    error
}

func (e *PackageError) Error() string {
	if e.Serial == "" {
		return fmt.Sprintf("pskc: KeyPackage %d: %v", e.Index, e.Err)
	}
	return fmt.Sprintf("pskc: KeyPackage %d (serial %q): %v", e.Index, e.Serial, e.Err)
}

func (e *PackageError) Unwrap() error { return e.Err }

// kindOf derives the kind of unit from its model name.
func kindOf(model string) string {
	switch {
	case len(model) >= 8 && model[:8] == "MitID-KV":
		return KindCodeDisplay
	case len(model) >= 8 && model[:8] == "MitID-KO":
		return KindAudioReader
	}
	return ""
}

// check holds the rules every Key obeys, whether read or about to be written.
func check(k Key) error {
	switch {
	case k.Serial == "":
		return ErrMissingSerial
	case len(k.Serial) > maxSerial || !printable(k.Serial):
		return fmt.Errorf("%w: serial must be at most %d printable characters", ErrInvalid, maxSerial)
	case kindOf(k.Model) == "":
		return fmt.Errorf("%w %q: want MitID-KV… (kodeviser) or MitID-KO… (kodeoplæser)", ErrUnknownModel, clip(k.Model))
	case k.Kind != kindOf(k.Model):
		return fmt.Errorf("%w: kind %q does not match model %q", ErrInvalid, clip(k.Kind), clip(k.Model))
	case k.Algorithm != SHA1 && k.Algorithm != SHA256 && k.Algorithm != SHA512:
		return fmt.Errorf("%w: hash algorithm %q", ErrUnsupported, clip(k.Algorithm))
	case k.Digits != 6 && k.Digits != 8:
		return fmt.Errorf("%w: %d digits (want 6 or 8)", ErrInvalid, k.Digits)
	case k.Period < 1 || k.Period > maxPeriod:
		return fmt.Errorf("%w: time interval %d s (want 1 to %d)", ErrInvalid, k.Period, maxPeriod)
	case len(k.Secret) < minSecret:
		return fmt.Errorf("%w (%d bytes)", ErrShortSecret, len(k.Secret))
	case len(k.Secret) > maxSecret:
		return fmt.Errorf("%w: secret longer than %d bytes", ErrInvalid, maxSecret)
	}
	return nil
}

func printable(s string) bool {
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return false
		}
	}
	return utf8.ValidString(s)
}

// clip shortens a value from the file for an error message, so a hostile file cannot make the
// message huge.
func clip(s string) string {
	if utf8.RuneCountInString(s) <= 80 {
		return s
	}
	return string([]rune(s)[:80]) + "…"
}
