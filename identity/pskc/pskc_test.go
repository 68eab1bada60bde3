package pskc

import (
	"bytes"
	"encoding/hex"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
)

// rfcPSK is the pre-shared key of RFC 6030 §6.1.
var rfcPSK = mustHex("12345678901234567890123456789012")

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

func parseFile(t *testing.T, name string, psk []byte) ([]Key, error) {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return Parse(f, psk)
}

func TestParseRFCFigures(t *testing.T) {
	rfcSecret := []byte("12345678901234567890")
	tests := []struct {
		file string
		psk  []byte
		want []Key
	}{
		{"figure2-totp.xml", nil, []Key{
			{Serial: "KV0000001", Model: "MitID-KV1", Kind: KindCodeDisplay, Secret: rfcSecret, Algorithm: SHA1, Digits: 6, Period: 30},
		}},
		{"figure3-totp-sha256.xml", nil, []Key{
			{Serial: "KO0000042", Model: "MitID-KO2 audio", Kind: KindAudioReader, Secret: []byte("12345678901234567890123456789012"), Algorithm: SHA256, Digits: 8, Period: 60},
		}},
		// The ciphertext, MAC key and ValueMAC are the RFC's own: decrypting them proves the
		// MAC key handling, the MAC and the IV||ciphertext layout against the standard.
		{"figure6-aes-totp.xml", rfcPSK, []Key{
			{Serial: "987654321", Model: "MitID-KO1", Kind: KindAudioReader, Secret: rfcSecret, Algorithm: SHA1, Digits: 8, Period: 30},
		}},
		{"figure10-bulk-prefixed.xml", nil, []Key{
			{Serial: "KV654321", Model: "MitID-KV3", Kind: KindCodeDisplay, Secret: []byte("MitID kodeviser 01"), Algorithm: SHA1, Digits: 6, Period: 30},
			{Serial: "KV123456", Model: "MitID-KV3", Kind: KindCodeDisplay, Secret: []byte("MitID kodeviser 02"), Algorithm: SHA1, Digits: 6, Period: 30},
			{Serial: "KO999999", Model: "MitID-KO3", Kind: KindAudioReader, Secret: []byte("MitID kodeoplæser 03"), Algorithm: SHA512, Digits: 8, Period: 30},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := parseFile(t, tt.file, tt.psk)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// TestRFCFigure6 checks the published §6.1 example itself: its MAC key decrypts to the value
// the RFC states, and its HOTP key is then refused by name.
func TestRFCFigure6(t *testing.T) {
	raw, err := decodeBase64("ESIzRFVmd4iZABEiM0RVZgKn6WjLaTC1sbeBMSvIhRejN9vJa2BOlSaMrR7I5wSX")
	if err != nil {
		t.Fatal(err)
	}
	mk, err := decrypt(rfcPSK, raw)
	if err != nil {
		t.Fatal(err)
	}
	if want := mustHex("1122334455667788990011223344556677889900"); !bytes.Equal(mk, want) {
		t.Errorf("MAC key = %x, want %x", mk, want)
	}

	_, err = parseFile(t, "figure6-aes-hotp.xml", rfcPSK)
	var pe *PackageError
	if !errors.As(err, &pe) || pe.Index != 1 || pe.Serial != "987654321" || !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "HOTP") {
		t.Errorf("err = %v, want HOTP refused in KeyPackage 1 (serial 987654321)", err)
	}
}

func TestParseWrongPreSharedKey(t *testing.T) {
	for _, psk := range [][]byte{mustHex("00000000000000000000000000000000"), mustHex("12345678901234567890123456789013")} {
		_, err := parseFile(t, "figure6-aes-totp.xml", psk)
		if err == nil || !strings.Contains(err.Error(), "pre-shared key") {
			t.Errorf("psk %x: err = %v, want a pre-shared key hint", psk, err)
		}
	}
}

func TestParseReportsEveryBadPackage(t *testing.T) {
	var pkgs []pkg
	for i := range 12 {
		p := good(string(rune('A'+i)) + "1")
		p.model = "Other"
		pkgs = append(pkgs, p)
	}
	_, err := Parse(strings.NewReader(container("", pkgs...)), nil)
	msg := err.Error()
	if !strings.Contains(msg, "KeyPackage 1 ") || !strings.Contains(msg, "KeyPackage 10 ") ||
		strings.Contains(msg, "KeyPackage 11 ") || !strings.Contains(msg, "further KeyPackages not checked") {
		t.Errorf("err = %v, want packages 1 to 10 and a note", err)
	}
}
