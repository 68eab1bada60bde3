package pskc

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse feeds arbitrary documents to Parse, with and without a key: it must never panic,
// and whatever it accepts must obey the rules Write enforces.
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob("testdata/*.xml")
	if err != nil || len(files) == 0 {
		f.Fatalf("no seed files: %v", err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(container("", good("KV1"), good("KV2"))))
	f.Add([]byte(container(macHead(algHMACSHA1), good("KV1"))))
	f.Fuzz(func(t *testing.T, doc []byte) {
		for _, psk := range [][]byte{nil, rfcPSK} {
			keys, err := Parse(bytes.NewReader(doc), psk)
			if err != nil {
				continue
			}
			for _, k := range keys {
				if err := check(k); err != nil {
					t.Fatalf("accepted a key that breaks the rules: %v", err)
				}
			}
		}
	})
}
