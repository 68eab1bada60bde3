package pskc

import (
	"bufio"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"text/template"
)

// Write writes keys as a PSKC file that Parse reads back. With a nil preSharedKey the secrets
// are PlainValues; otherwise preSharedKey (16 bytes) encrypts a fresh random HMAC-SHA1 MAC key
// and every secret, each with its own random IV, as RFC 6030 §6.1 describes.
func Write(w io.Writer, keys []Key, preSharedKey []byte) error {
	if preSharedKey != nil && len(preSharedKey) != 16 {
		return fmt.Errorf("pskc: %w: %d bytes, want 16 (AES-128)", ErrKey, len(preSharedKey))
	}
	if len(keys) == 0 {
		return fmt.Errorf("pskc: %w", ErrEmpty)
	}
	doc := writeDoc{Packages: make([]writePackage, len(keys))}
	seen := make(map[string]int, len(keys))
	var macKey []byte
	if preSharedKey != nil {
		macKey = make([]byte, sha1.Size)
		if _, err := rand.Read(macKey); err != nil {
			return fmt.Errorf("pskc: MAC key: %w", err)
		}
		raw, err := encrypt(preSharedKey, macKey)
		if err != nil {
			return fmt.Errorf("pskc: MAC key: %w", err)
		}
		doc.MACKey = base64.StdEncoding.EncodeToString(raw)
	}
	for i, k := range keys {
		perr := func(err error) error { return &PackageError{Index: i + 1, Serial: clip(k.Serial), Err: err} }
		if err := check(k); err != nil {
			return perr(err)
		}
		if first, dup := seen[k.Serial]; dup {
			return perr(fmt.Errorf("%w: also key %d", ErrDuplicateSerial, first))
		}
		seen[k.Serial] = i + 1
		p := writePackage{Key: k, Suite: "HMAC-" + k.Algorithm}
		if preSharedKey == nil {
			p.Plain = base64.StdEncoding.EncodeToString(k.Secret)
		} else {
			raw, err := encrypt(preSharedKey, k.Secret)
			if err != nil {
				return perr(err)
			}
			p.Cipher = base64.StdEncoding.EncodeToString(raw)
			p.MAC = base64.StdEncoding.EncodeToString(valueMAC(sha1.New, macKey, raw))
		}
		doc.Packages[i] = p
	}
	bw := bufio.NewWriter(w)
	if err := fileTemplate.Execute(bw, doc); err != nil {
		return fmt.Errorf("pskc: write: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("pskc: write: %w", err)
	}
	return nil
}

type writeDoc struct {
	MACKey   string // base64 IV||ciphertext; empty for a plain file
	Packages []writePackage
}

type writePackage struct {
	Key
	Suite       string
	Plain       string
	Cipher, MAC string
}

// xmlText escapes character data and attribute values.
func xmlText(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s)) // a strings.Builder never fails
	return b.String()
}

// The file is written from a template rather than with encoding/xml's encoder, which cannot
// emit namespace prefixes (ds:, xenc:) and would repeat xmlns on every element.
var fileTemplate = template.Must(template.New("pskc").Funcs(template.FuncMap{"x": xmlText}).Parse(
	`<?xml version="1.0" encoding="UTF-8"?>
<KeyContainer Version="1.0" xmlns="` + nsPSKC + `" xmlns:ds="` + nsDS + `" xmlns:xenc="` + nsXenc + `">
{{- if .MACKey}}
  <EncryptionKey>
    <ds:KeyName>Pre-shared-key</ds:KeyName>
  </EncryptionKey>
  <MACMethod Algorithm="` + algHMACSHA1 + `">
    <MACKey>
      <xenc:EncryptionMethod Algorithm="` + algAES128CBC + `"/>
      <xenc:CipherData>
        <xenc:CipherValue>{{.MACKey}}</xenc:CipherValue>
      </xenc:CipherData>
    </MACKey>
  </MACMethod>
{{- end}}
{{- range .Packages}}
  <KeyPackage>
    <DeviceInfo>
      <SerialNo>{{x .Serial}}</SerialNo>
      <Model>{{x .Model}}</Model>
    </DeviceInfo>
    <Key Id="{{x .Serial}}" Algorithm="` + algTOTP + `">
      <AlgorithmParameters>
        <Suite>{{.Suite}}</Suite>
        <ResponseFormat Length="{{.Digits}}" Encoding="DECIMAL"/>
      </AlgorithmParameters>
      <Data>
        <Secret>
{{- if .Cipher}}
          <EncryptedValue>
            <xenc:EncryptionMethod Algorithm="` + algAES128CBC + `"/>
            <xenc:CipherData>
              <xenc:CipherValue>{{.Cipher}}</xenc:CipherValue>
            </xenc:CipherData>
          </EncryptedValue>
          <ValueMAC>{{.MAC}}</ValueMAC>
{{- else}}
          <PlainValue>{{.Plain}}</PlainValue>
{{- end}}
        </Secret>
        <Time>
          <PlainValue>0</PlainValue>
        </Time>
        <TimeInterval>
          <PlainValue>{{.Period}}</PlainValue>
        </TimeInterval>
      </Data>
    </Key>
  </KeyPackage>
{{- end}}
</KeyContainer>
`))
