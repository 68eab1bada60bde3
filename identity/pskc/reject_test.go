package pskc

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// pkg is a KeyPackage for the rejection table; good gives a valid one to break.
type pkg struct{ serial, model, alg, params, data string }

const testSecret = "MTIzNDU2Nzg5MDEyMzQ1Njc4OTA=" // "12345678901234567890"

func good(serial string) pkg {
	return pkg{
		serial: serial,
		model:  "MitID-KV1",
		alg:    algTOTP,
		params: `<ResponseFormat Length="6" Encoding="DECIMAL"/>`,
		data:   `<Secret><PlainValue>` + testSecret + `</PlainValue></Secret>`,
	}
}

func (p pkg) String() string {
	dev := ""
	if p.serial != "-" {
		dev = fmt.Sprintf(`<DeviceInfo><SerialNo>%s</SerialNo><Model>%s</Model></DeviceInfo>`, p.serial, p.model)
	}
	return fmt.Sprintf(`<KeyPackage>%s<Key Id="k" Algorithm="%s"><AlgorithmParameters>%s</AlgorithmParameters><Data>%s</Data></Key></KeyPackage>`,
		dev, p.alg, p.params, p.data)
}

func container(head string, pkgs ...pkg) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<KeyContainer Version="1.0" xmlns="urn:ietf:params:xml:ns:keyprov:pskc" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" xmlns:xenc="http://www.w3.org/2001/04/xmlenc#">`)
	b.WriteString(head)
	for _, p := range pkgs {
		b.WriteString(p.String())
	}
	b.WriteString(`</KeyContainer>`)
	return b.String()
}

// The RFC 6030 §6.1 MAC key, encrypted with rfcPSK, and its plain value.
const (
	rfcMACKeyCipher = "ESIzRFVmd4iZABEiM0RVZgKn6WjLaTC1sbeBMSvIhRejN9vJa2BOlSaMrR7I5wSX"
	rfcMACKeyHex    = "1122334455667788990011223344556677889900"
)

func macHead(alg string) string {
	return `<EncryptionKey><ds:KeyName>Pre-shared-key</ds:KeyName></EncryptionKey><MACMethod Algorithm="` + alg + `"><MACKey>` +
		encValue(algAES128CBC, rfcMACKeyCipher) + `</MACKey></MACMethod>`
}

func encValue(method, b64 string) string {
	return `<xenc:EncryptionMethod Algorithm="` + method + `"/><xenc:CipherData><xenc:CipherValue>` + b64 + `</xenc:CipherValue></xenc:CipherData>`
}

// encSecret builds an encrypted Secret from raw IV||ciphertext; mac nil means no ValueMAC.
func encSecret(raw, mac []byte) string {
	s := `<Secret><EncryptedValue>` + encValue(algAES128CBC, base64.StdEncoding.EncodeToString(raw)) + `</EncryptedValue>`
	if mac != nil {
		s += `<ValueMAC>` + base64.StdEncoding.EncodeToString(mac) + `</ValueMAC>`
	}
	return s + `</Secret>`
}

// cbcNoPad encrypts block-aligned plain text as is, to forge bad padding under a valid MAC.
func cbcNoPad(plain []byte) []byte {
	block, _ := aes.NewCipher(rfcPSK)
	raw := make([]byte, aes.BlockSize+len(plain))
	copy(raw[aes.BlockSize:], plain)
	cipher.NewCBCEncrypter(block, raw[:aes.BlockSize]).CryptBlocks(raw[aes.BlockSize:], raw[aes.BlockSize:])
	return raw
}

func TestParseRejects(t *testing.T) {
	macKey := mustHex(rfcMACKeyHex)
	goodRaw, err := encrypt(rfcPSK, []byte("12345678901234567890"))
	if err != nil {
		t.Fatal(err)
	}
	goodMAC := valueMAC(sha1.New, macKey, goodRaw)
	tampered := append([]byte(nil), goodRaw...)
	tampered[len(tampered)-1] ^= 1
	badPad := cbcNoPad([]byte("12345678901234567890\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"))
	hmacHead := macHead(algHMACSHA1)

	// with returns a valid package KV2 changed by f, placed after a valid KV1.
	with := func(head string, f func(*pkg)) string {
		p := good("KV2")
		f(&p)
		return container(head, good("KV1"), p)
	}
	encrypted := func(s string) func(*pkg) { return func(p *pkg) { p.data = s } }
	tests := []struct {
		name string
		doc  string
		psk  []byte
		want error
		text string // must appear in the message
	}{
		{"not XML", "this is not xml", nil, ErrNotPSKC, "XML"},
		{"broken XML", "<KeyContainer>\n<Key>", nil, ErrNotPSKC, "line 2"},
		{"HTML", "<html><body></body></html>", nil, ErrNotPSKC, `"html"`},
		{"no namespace", strings.Replace(container("", good("KV1")), ` xmlns="urn:ietf:params:xml:ns:keyprov:pskc"`, "", 1), nil, ErrNotPSKC, "namespace"},
		{"version 2", strings.Replace(container("", good("KV1")), `Version="1.0"`, `Version="2.0"`, 1), nil, ErrUnsupported, "Version"},
		{"too large", container("", good("KV1")) + strings.Repeat(" ", MaxFileSize), nil, ErrTooLarge, "10 MiB"},
		{"no packages", container(""), nil, ErrEmpty, ""},
		{"missing serial", with("", func(p *pkg) { p.serial = "" }), nil, ErrMissingSerial, "KeyPackage 2"},
		{"missing DeviceInfo", with("", func(p *pkg) { p.serial = "-" }), nil, ErrMissingSerial, "KeyPackage 2"},
		{"duplicate serial", with("", func(p *pkg) { p.serial = "KV1" }), nil, ErrDuplicateSerial, "also in KeyPackage 1"},
		{"unknown model", with("", func(p *pkg) { p.model = "Acme-OTP" }), nil, ErrUnknownModel, `serial "KV2"`},
		{"HOTP", with("", func(p *pkg) { p.alg = algHOTP }), nil, ErrUnsupported, "HOTP"},
		{"unknown algorithm", with("", func(p *pkg) { p.alg = "urn:ietf:params:xml:ns:keyprov:pskc#OCRA-1" }), nil, ErrUnsupported, "OCRA"},
		{"unknown suite", with("", func(p *pkg) { p.params = "<Suite>HMAC-MD5</Suite>" + p.params }), nil, ErrUnsupported, "HMAC-MD5"},
		{"7 digits", with("", func(p *pkg) { p.params = `<ResponseFormat Length="7" Encoding="DECIMAL"/>` }), nil, ErrInvalid, "7 digits"},
		{"hex encoding", with("", func(p *pkg) { p.params = `<ResponseFormat Length="6" Encoding="HEXADECIMAL"/>` }), nil, ErrUnsupported, "HEXADECIMAL"},
		{"no ResponseFormat", with("", func(p *pkg) { p.params = "" }), nil, ErrInvalid, "ResponseFormat"},
		{"two keys", strings.Replace(with("", func(*pkg) {}), "</Key></KeyPackage>", "</Key><Key/></KeyPackage>", 1), nil, ErrInvalid, "2 Key elements"},
		{"short secret", with("", encrypted(`<Secret><PlainValue>MTIzNDU2Nzg5MDEyMzQ1</PlainValue></Secret>`)), nil, ErrShortSecret, "15 bytes"},
		{"long secret", with("", encrypted(`<Secret><PlainValue>`+base64.StdEncoding.EncodeToString(make([]byte, 129))+`</PlainValue></Secret>`)), nil, ErrInvalid, "longer"},
		{"bad base64", with("", encrypted(`<Secret><PlainValue>MTIz*DU2</PlainValue></Secret>`)), nil, ErrInvalid, "base64"},
		{"no secret", with("", encrypted("")), nil, ErrInvalid, "Secret missing"},
		{"plain and encrypted", with(hmacHead, encrypted(strings.Replace(encSecret(goodRaw, goodMAC), "<Secret>", "<Secret><PlainValue>"+testSecret+"</PlainValue>", 1))), rfcPSK, ErrInvalid, "exactly one"},
		{"start time", with("", func(p *pkg) { p.data += `<Time><PlainValue>1</PlainValue></Time>` }), nil, ErrUnsupported, "T0"},
		{"zero interval", with("", func(p *pkg) { p.data += `<TimeInterval><PlainValue>0</PlainValue></TimeInterval>` }), nil, ErrInvalid, "time interval 0"},
		{"interval not a number", with("", func(p *pkg) { p.data += `<TimeInterval><PlainValue>x</PlainValue></TimeInterval>` }), nil, ErrInvalid, "TimeInterval"},
		{"encrypted, no key", with(hmacHead, encrypted(encSecret(goodRaw, goodMAC))), nil, ErrNeedKey, "KeyPackage 2"},
		{"bad MAC", with(hmacHead, encrypted(encSecret(goodRaw, valueMAC(sha1.New, macKey, tampered)))), rfcPSK, ErrBadMAC, "KV2"},
		{"tampered cipher text", with(hmacHead, encrypted(encSecret(tampered, goodMAC))), rfcPSK, ErrBadMAC, "KV2"},
		{"MAC by SHA-256 method", with(macHead(algHMACSHA256), encrypted(encSecret(goodRaw, goodMAC))), rfcPSK, ErrBadMAC, "KV2"},
		{"no ValueMAC", with(hmacHead, encrypted(encSecret(goodRaw, nil))), rfcPSK, ErrBadMAC, "ValueMAC missing"},
		{"no MACMethod", with("", encrypted(encSecret(goodRaw, goodMAC))), rfcPSK, ErrBadMAC, "no MACMethod"},
		{"bad padding", with(hmacHead, encrypted(encSecret(badPad, valueMAC(sha1.New, macKey, badPad)))), rfcPSK, ErrPadding, "KV2"},
		{"partial block", with(hmacHead, encrypted(encSecret(goodRaw[:40], valueMAC(sha1.New, macKey, goodRaw[:40])))), rfcPSK, ErrInvalid, "whole AES blocks"},
		{"AES-256", with(hmacHead, encrypted(strings.Replace(encSecret(goodRaw, goodMAC), "aes128-cbc", "aes256-cbc", 1))), rfcPSK, ErrUnsupported, "aes256-cbc"},
		{"MD5 MAC method", with(macHead("http://www.w3.org/2001/04/xmldsig-more#hmac-md5"), encrypted(encSecret(goodRaw, goodMAC))), rfcPSK, ErrUnsupported, "hmac-md5"},
		{"password-derived key", with(`<EncryptionKey><DerivedKey/></EncryptionKey>`, func(*pkg) {}), nil, ErrUnsupported, "password"},
		{"short pre-shared key", container("", good("KV1")), rfcPSK[:15], ErrKey, "15 bytes"},
	}
	secretBits := []string{"MTIzNDU2", "1234567890", base64.StdEncoding.EncodeToString(goodRaw)[:12], rfcMACKeyHex[:10], "112233"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keys, err := Parse(strings.NewReader(tt.doc), tt.psk)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v (keys %d), want %v", err, len(keys), tt.want)
			}
			if keys != nil {
				t.Errorf("got %d keys with the error", len(keys))
			}
			if !strings.Contains(err.Error(), tt.text) {
				t.Errorf("err = %q, want it to mention %q", err, tt.text)
			}
			for _, s := range secretBits {
				if strings.Contains(err.Error(), s) {
					t.Errorf("err = %q contains secret material %q", err, s)
				}
			}
		})
	}
}
