package pskc

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func randomKeys(t *testing.T) []Key {
	t.Helper()
	secret := func(n int) []byte {
		b := make([]byte, n)
		if _, err := rand.Read(b); err != nil {
			t.Fatal(err)
		}
		return b
	}
	return []Key{
		{Serial: "KV-0001", Model: "MitID-KV1", Kind: KindCodeDisplay, Secret: secret(20), Algorithm: SHA1, Digits: 6, Period: 30},
		{Serial: "KO-0002", Model: "MitID-KO1", Kind: KindAudioReader, Secret: secret(32), Algorithm: SHA256, Digits: 8, Period: 60},
		{Serial: "KV<&\"'>3", Model: "MitID-KV2 & co", Kind: KindCodeDisplay, Secret: secret(64), Algorithm: SHA512, Digits: 6, Period: 30},
		{Serial: "KV-0004", Model: "MitID-KV1", Kind: KindCodeDisplay, Secret: secret(16), Algorithm: SHA1, Digits: 8, Period: 1},
	}
}

func TestWriteParseRoundTrip(t *testing.T) {
	keys := randomKeys(t)
	for _, tt := range []struct {
		name string
		psk  []byte
	}{{"plain", nil}, {"encrypted", rfcPSK}} {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, keys, tt.psk); err != nil {
				t.Fatal(err)
			}
			got, err := Parse(bytes.NewReader(buf.Bytes()), tt.psk)
			if err != nil {
				t.Fatalf("%v\n%s", err, buf.Bytes())
			}
			if !reflect.DeepEqual(got, keys) {
				t.Errorf("got  %+v\nwant %+v", got, keys)
			}
			plainInFile := strings.Contains(buf.String(), base64.StdEncoding.EncodeToString(keys[0].Secret))
			if plainInFile != (tt.psk == nil) {
				t.Errorf("plain secret in file = %v with psk %x", plainInFile, tt.psk)
			}
		})
	}
}

func TestWriteEncryptedIsFreshAndKeyed(t *testing.T) {
	keys := randomKeys(t)
	var a, b bytes.Buffer
	if err := Write(&a, keys, rfcPSK); err != nil {
		t.Fatal(err)
	}
	if err := Write(&b, keys, rfcPSK); err != nil {
		t.Fatal(err)
	}
	if a.String() == b.String() {
		t.Error("two encrypted writes are identical: MAC key and IVs are not fresh")
	}
	if strings.Count(a.String(), "<ValueMAC>") != len(keys) {
		t.Error("want one ValueMAC per key")
	}
	if _, err := Parse(bytes.NewReader(a.Bytes()), nil); !errors.Is(err, ErrNeedKey) {
		t.Errorf("parse without key: err = %v, want ErrNeedKey", err)
	}
	if _, err := Parse(bytes.NewReader(a.Bytes()), mustHex("00112233445566778899aabbccddeeff")); err == nil {
		t.Error("parse with another key succeeded")
	}
}

func TestWriteRejects(t *testing.T) {
	tests := []struct {
		name   string
		change func(k []Key) []Key
		psk    []byte
		want   error
	}{
		{"no keys", func([]Key) []Key { return nil }, nil, ErrEmpty},
		{"short pre-shared key", func(k []Key) []Key { return k }, make([]byte, 32), ErrKey},
		{"missing serial", func(k []Key) []Key { k[1].Serial = ""; return k }, nil, ErrMissingSerial},
		{"control character in serial", func(k []Key) []Key { k[1].Serial = "KV\n1"; return k }, nil, ErrInvalid},
		{"duplicate serial", func(k []Key) []Key { k[1].Serial = k[0].Serial; return k }, nil, ErrDuplicateSerial},
		{"unknown model", func(k []Key) []Key { k[1].Model = "Acme"; return k }, nil, ErrUnknownModel},
		{"kind not the model's", func(k []Key) []Key { k[1].Kind = KindCodeDisplay; return k }, nil, ErrInvalid},
		{"unknown algorithm", func(k []Key) []Key { k[1].Algorithm = "MD5"; return k }, nil, ErrUnsupported},
		{"7 digits", func(k []Key) []Key { k[1].Digits = 7; return k }, nil, ErrInvalid},
		{"zero period", func(k []Key) []Key { k[1].Period = 0; return k }, nil, ErrInvalid},
		{"short secret", func(k []Key) []Key { k[1].Secret = k[1].Secret[:15]; return k }, rfcPSK, ErrShortSecret},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := Write(&buf, tt.change(randomKeys(t)), tt.psk)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			var pe *PackageError
			if errors.As(err, &pe) && pe.Index != 2 {
				t.Errorf("err = %v, want it to name key 2", err)
			}
			if buf.Len() != 0 {
				t.Error("Write wrote a partial file")
			}
		})
	}
}
