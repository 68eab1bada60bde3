package identity

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/binary"
	"fmt"
	"hash"
	"time"
)

// TOTP (RFC 6238) is HOTP (RFC 4226) over the number of periods since the Unix epoch. It is
// written here rather than taken from a library because the library API wants base32 secrets
// and we hold raw bytes; the RFC 6238 appendix B vectors test it.

// hotp computes the HOTP value of counter with the given HMAC algorithm (SHA1, SHA256 or
// SHA512) and number of digits (6 or 8).
func hotp(secret []byte, counter uint64, algorithm string, digits int) (string, error) {
	var h func() hash.Hash
	switch algorithm {
	case "SHA1", "":
		h = sha1.New
	case "SHA256":
		h = sha256.New
	case "SHA512":
		h = sha512.New
	default:
		return "", fmt.Errorf("totp: algorithm %q", algorithm)
	}
	if digits != 6 && digits != 8 {
		return "", fmt.Errorf("totp: %d digits", digits)
	}
	mac := hmac.New(h, secret)
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], counter)
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	// Dynamic truncation (RFC 4226 §5.3).
	off := sum[len(sum)-1] & 0x0f
	bin := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	mod := uint32(1_000_000)
	if digits == 8 {
		mod = 100_000_000
	}
	return fmt.Sprintf("%0*d", digits, bin%mod), nil
}

// totpStep is the time step t falls in for a period in seconds.
func totpStep(t time.Time, period int) int64 {
	if period <= 0 {
		period = 30
	}
	return t.Unix() / int64(period)
}

// totpWindow is how many steps either side of now a code is accepted from: a token's clock
// drifts and a citizen needs a few seconds to type the code.
const totpWindow = 1
