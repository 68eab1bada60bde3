package pskc

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"hash"
	"strings"
)

// macHash maps the MACMethod algorithms accepted on input to their hash. RFC 6030 §6.1.1 names
// HMAC-SHA1; HMAC-SHA256 is accepted too because makers' tools offer it.
var macHash = map[string]func() hash.Hash{
	algHMACSHA1:   sha1.New,
	algHMACSHA256: sha256.New,
}

// decodeBase64 decodes xs:base64Binary, which may be wrapped over several lines.
func decodeBase64(s string) ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		// The error of encoding/base64 gives only an offset, never content.
		return nil, fmt.Errorf("%w: bad base64: %v", ErrInvalid, err)
	}
	return b, nil
}

// cipherValue checks an xenc EncryptedValue and returns IV||ciphertext.
func cipherValue(e *xmlEncrypted) ([]byte, error) {
	if e.Method == nil {
		return nil, fmt.Errorf("%w: EncryptionMethod missing", ErrInvalid)
	}
	if e.Method.Algorithm != algAES128CBC {
		return nil, fmt.Errorf("%w: encryption method %q (only %s)", ErrUnsupported, clip(e.Method.Algorithm), algAES128CBC)
	}
	if e.CipherData == nil || e.CipherData.CipherValue == nil {
		return nil, fmt.Errorf("%w: CipherData/CipherValue missing", ErrInvalid)
	}
	raw, err := decodeBase64(*e.CipherData.CipherValue)
	if err != nil {
		return nil, err
	}
	// At least the IV and one block: CBC with padding never yields less.
	if len(raw) < 2*aes.BlockSize || len(raw)%aes.BlockSize != 0 {
		return nil, fmt.Errorf("%w: cipher value of %d bytes is not IV plus whole AES blocks", ErrInvalid, len(raw))
	}
	return raw, nil
}

// decrypt undoes AES-128-CBC with the IV prepended (XML Encryption §5.2.1).
func decrypt(key, raw []byte) ([]byte, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrKey, err)
	}
	iv, ct := raw[:aes.BlockSize], raw[aes.BlockSize:]
	out := make([]byte, len(ct))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(out, ct)
	// XML Encryption pads with arbitrary bytes and a final count byte (§5.2), so only the
	// count can be checked; PKCS#7 output, as Write makes, is a special case of it.
	n := int(out[len(out)-1])
	if n < 1 || n > aes.BlockSize {
		return nil, ErrPadding
	}
	return out[:len(out)-n], nil
}

// encrypt is AES-128-CBC with a fresh random IV prepended and PKCS#7 padding.
func encrypt(key, plain []byte) ([]byte, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrKey, err)
	}
	n := aes.BlockSize - len(plain)%aes.BlockSize
	buf := make([]byte, aes.BlockSize+len(plain)+n)
	if _, err := rand.Read(buf[:aes.BlockSize]); err != nil {
		return nil, err
	}
	copy(buf[aes.BlockSize:], plain)
	for i := len(buf) - n; i < len(buf); i++ {
		buf[i] = byte(n)
	}
	cipher.NewCBCEncrypter(block, buf[:aes.BlockSize]).CryptBlocks(buf[aes.BlockSize:], buf[aes.BlockSize:])
	return buf, nil
}

// valueMAC is the ValueMAC of RFC 6030 §6.1.1: an HMAC over IV||ciphertext.
func valueMAC(h func() hash.Hash, macKey, raw []byte) []byte {
	m := hmac.New(h, macKey)
	m.Write(raw)
	return m.Sum(nil)
}
