package pskc

import (
	"bytes"
	"crypto/aes"
	"crypto/hmac"
	"encoding/xml"
	"errors"
	"fmt"
	"hash"
	"io"
	"strconv"
	"strings"
)

// maxReported bounds how many faulty KeyPackages one error lists.
const maxReported = 10

// macKey is the container's MAC key and hash, decrypted once for all packages.
type macKey struct {
	key  []byte
	hash func() hash.Hash
}

// Parse reads a PSKC file and returns its keys in file order. With a nil preSharedKey only
// plain values are accepted; otherwise it is the 16-byte AES-128 key that encrypts the MAC key
// and the secrets. Faulty KeyPackages are all reported (up to ten), joined with errors.Join.
func Parse(r io.Reader, preSharedKey []byte) ([]Key, error) {
	if preSharedKey != nil && len(preSharedKey) != 16 {
		return nil, fmt.Errorf("pskc: %w: %d bytes, want 16 (AES-128)", ErrKey, len(preSharedKey))
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("pskc: read: %w", err)
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("pskc: %w", ErrTooLarge)
	}
	var c xmlContainer
	if err := xml.NewDecoder(bytes.NewReader(data)).Decode(&c); err != nil {
		// Only the line is reported: a syntax error's text can quote the document.
		var se *xml.SyntaxError
		if errors.As(err, &se) {
			return nil, fmt.Errorf("pskc: %w: XML syntax error on line %d", ErrNotPSKC, se.Line)
		}
		return nil, fmt.Errorf("pskc: %w: not well-formed XML", ErrNotPSKC)
	}
	if c.XMLName.Space != nsPSKC || c.XMLName.Local != "KeyContainer" {
		return nil, fmt.Errorf("pskc: %w: root element is %q in namespace %q", ErrNotPSKC, clip(c.XMLName.Local), clip(c.XMLName.Space))
	}
	if c.Version != "1.0" {
		return nil, fmt.Errorf("pskc: %w: KeyContainer Version %q (want 1.0)", ErrUnsupported, clip(c.Version))
	}
	if ek := c.EncryptionKey; ek != nil && (ek.DerivedKey != nil || ek.X509Data != nil) {
		return nil, fmt.Errorf("pskc: %w: only a pre-shared key may encrypt (no password-derived or X.509 key)", ErrUnsupported)
	}
	if len(c.Packages) == 0 {
		return nil, fmt.Errorf("pskc: %w", ErrEmpty)
	}
	var mac *macKey
	if c.MACMethod != nil && preSharedKey != nil {
		if mac, err = readMACKey(c.MACMethod, preSharedKey); err != nil {
			return nil, fmt.Errorf("pskc: MACMethod: %w", err)
		}
	}

	keys := make([]Key, 0, len(c.Packages))
	seen := make(map[string]int, len(c.Packages))
	var errs []error
	for i, p := range c.Packages {
		k, err := parsePackage(p, preSharedKey, mac)
		if err == nil {
			err = check(k)
		}
		if err == nil {
			if first, dup := seen[k.Serial]; dup {
				err = fmt.Errorf("%w: also in KeyPackage %d", ErrDuplicateSerial, first)
			} else {
				seen[k.Serial] = i + 1
			}
		}
		if err != nil {
			if len(errs) == maxReported {
				errs = append(errs, fmt.Errorf("pskc: further KeyPackages not checked"))
				break
			}
			errs = append(errs, &PackageError{Index: i + 1, Serial: clip(k.Serial), Err: err})
			continue
		}
		keys = append(keys, k)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return keys, nil
}

// readMACKey decrypts the MAC key with the pre-shared key (RFC 6030 §6.1.1).
func readMACKey(m *xmlMACMethod, psk []byte) (*macKey, error) {
	h, ok := macHash[m.Algorithm]
	if !ok {
		return nil, fmt.Errorf("%w: MAC algorithm %q", ErrUnsupported, clip(m.Algorithm))
	}
	if m.MACKey == nil {
		return nil, fmt.Errorf("%w: MACKey missing (MACKeyReference is not supported)", ErrInvalid)
	}
	raw, err := cipherValue(m.MACKey)
	if err != nil {
		return nil, err
	}
	key, err := decrypt(psk, raw)
	if err != nil {
		// Nothing authenticates the MAC key itself, so a wrong pre-shared key shows up here.
		return nil, fmt.Errorf("MAC key: %w (wrong pre-shared key?)", err)
	}
	if len(key) < 16 {
		return nil, fmt.Errorf("%w: MAC key of %d bytes (wrong pre-shared key?)", ErrInvalid, len(key))
	}
	return &macKey{key: key, hash: h}, nil
}

// parsePackage maps one KeyPackage to a Key; check applies the rules shared with Write.
func parsePackage(p xmlPackage, psk []byte, mac *macKey) (Key, error) {
	var k Key
	if p.DeviceInfo != nil {
		k.Serial = strings.TrimSpace(p.DeviceInfo.SerialNo)
		k.Model = strings.TrimSpace(p.DeviceInfo.Model)
		k.Kind = kindOf(k.Model)
	}
	if len(p.Keys) != 1 {
		return k, fmt.Errorf("%w: %d Key elements (want exactly one)", ErrInvalid, len(p.Keys))
	}
	x := p.Keys[0]
	switch strings.TrimSpace(x.Algorithm) {
	case algTOTP:
	case algHOTP:
		return k, fmt.Errorf("%w: HOTP (counter-based) key; MitID tokens must be TOTP (%s)", ErrUnsupported, algTOTP)
	default:
		return k, fmt.Errorf("%w: key algorithm %q (want %s)", ErrUnsupported, clip(x.Algorithm), algTOTP)
	}
	if x.Parameters == nil || x.Parameters.ResponseFormat == nil {
		return k, fmt.Errorf("%w: AlgorithmParameters/ResponseFormat missing", ErrInvalid)
	}
	var err error
	if k.Algorithm, err = suite(x.Parameters.Suite); err != nil {
		return k, err
	}
	rf := x.Parameters.ResponseFormat
	if rf.Encoding != "DECIMAL" {
		return k, fmt.Errorf("%w: ResponseFormat Encoding %q (want DECIMAL)", ErrUnsupported, clip(rf.Encoding))
	}
	if k.Digits, err = strconv.Atoi(strings.TrimSpace(rf.Length)); err != nil {
		return k, fmt.Errorf("%w: ResponseFormat Length is not a number", ErrInvalid)
	}
	if x.Data == nil || x.Data.Secret == nil {
		return k, fmt.Errorf("%w: Data/Secret missing", ErrInvalid)
	}
	if k.Secret, err = secret(x.Data.Secret, psk, mac); err != nil {
		return k, fmt.Errorf("secret: %w", err)
	}
	k.Period = 30 // RFC 6030 §4.3.4 and RFC 6238 default
	if x.Data.TimeInterval != nil {
		if k.Period, err = intValue(x.Data.TimeInterval, "TimeInterval"); err != nil {
			return k, err
		}
	}
	if x.Data.Time != nil {
		t0, err := intValue(x.Data.Time, "Time")
		if err != nil {
			return k, err
		}
		if t0 != 0 {
			// The verifier counts steps from the Unix epoch; another T0 would shift every code.
			return k, fmt.Errorf("%w: Time (T0) %d, only 0 is supported", ErrUnsupported, t0)
		}
	}
	return k, nil
}

// suite reads the hash algorithm from AlgorithmParameters/Suite (RFC 6030 §4.3.4); SHA1 when
// absent, as RFC 6238 defaults to.
func suite(s *string) (string, error) {
	if s == nil {
		return SHA1, nil
	}
	switch strings.ToUpper(strings.TrimSpace(*s)) {
	case "HMAC-SHA1":
		return SHA1, nil
	case "HMAC-SHA256":
		return SHA256, nil
	case "HMAC-SHA512":
		return SHA512, nil
	}
	return "", fmt.Errorf("%w: Suite %q (want HMAC-SHA1, HMAC-SHA256 or HMAC-SHA512)", ErrUnsupported, clip(*s))
}

// secret returns the plain secret, decrypting and authenticating it when encrypted. The MAC is
// checked before decrypting, so a tampered value never reaches the padding check.
func secret(v *xmlValue, psk []byte, mac *macKey) ([]byte, error) {
	switch {
	case (v.PlainValue == nil) == (v.EncryptedValue == nil):
		return nil, fmt.Errorf("%w: want exactly one of PlainValue and EncryptedValue", ErrInvalid)
	case v.PlainValue != nil:
		return decodeBase64(*v.PlainValue)
	case psk == nil:
		return nil, ErrNeedKey
	case mac == nil:
		return nil, fmt.Errorf("%w: file has no MACMethod", ErrBadMAC)
	case v.ValueMAC == nil:
		return nil, fmt.Errorf("%w: ValueMAC missing", ErrBadMAC)
	}
	raw, err := cipherValue(v.EncryptedValue)
	if err != nil {
		return nil, err
	}
	got, err := decodeBase64(*v.ValueMAC)
	if err != nil {
		return nil, fmt.Errorf("ValueMAC: %w", err)
	}
	if !hmac.Equal(got, valueMAC(mac.hash, mac.key, raw)) {
		return nil, fmt.Errorf("%w (altered file or wrong pre-shared key)", ErrBadMAC)
	}
	return decrypt(psk[:aes.BlockSize], raw)
}

// intValue reads a plain intDataType value such as TimeInterval.
func intValue(v *xmlValue, name string) (int, error) {
	if v.PlainValue == nil {
		return 0, fmt.Errorf("%w: %s must be a PlainValue", ErrUnsupported, name)
	}
	n, err := strconv.Atoi(strings.TrimSpace(*v.PlainValue))
	if err != nil {
		return 0, fmt.Errorf("%w: %s is not a number", ErrInvalid, name)
	}
	return n, nil
}
