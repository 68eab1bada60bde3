package session

import (
	"bytes"
	"encoding/gob"
	"reflect"
	"testing"
)

// TestCodec: the session's values survive a round trip in the small format; a map holding a type
// the format does not know goes through gob and back; a row stored with gob before the format
// existed still loads; malformed data is an error, never a panic or a half-read map.
func TestCodec(t *testing.T) {
	for _, tt := range []struct {
		name   string
		values map[any]any
		gob    bool // expected to be stored with gob
	}{
		{"empty", map[any]any{}, false},
		{"every kind", map[any]any{"csrf": "tok", "_level": "substantial", "_auth_at": int64(1764979200), "n": 3,
			"_must_change": true, "off": false, "list": []string{"a", "", "æøå"}, "neg": int64(-5)}, false},
		{"unknown type", map[any]any{"ratio": 1.5}, true},
		{"key not a string", map[any]any{1: "x"}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			data, err := encodeValues(tt.values)
			if err != nil {
				t.Fatal(err)
			}
			if isGob := !bytes.HasPrefix(data, kvMagic); isGob != tt.gob {
				t.Fatalf("stored with gob = %v, want %v", isGob, tt.gob)
			}
			got, err := decodeValues(data)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.values) {
				t.Errorf("got %#v, want %#v", got, tt.values)
			}
		})
	}
	t.Run("row stored with gob", func(t *testing.T) {
		old := map[any]any{"csrf": "tok", "_auth_at": int64(7)}
		var buf bytes.Buffer
		if err := gob.NewEncoder(&buf).Encode(old); err != nil {
			t.Fatal(err)
		}
		got, err := decodeValues(buf.Bytes())
		if err != nil || !reflect.DeepEqual(got, old) {
			t.Errorf("got %#v, %v", got, err)
		}
	})
	good, _ := encodeValues(map[any]any{"k": "value", "l": []string{"x"}, "b": true, "i": int64(300)})
	for i := len(kvMagic) + 1; i < len(good); i++ {
		if _, err := decodeValues(good[:i]); err == nil {
			// A cut that falls between two entries is a valid, shorter map; any other must fail.
			if m, _ := decodeValues(good[:i]); len(m) == 0 {
				t.Errorf("cut at %d decoded to nothing without an error", i)
			}
		}
	}
	for _, bad := range [][]byte{
		append(append([]byte{}, kvMagic...), 1, 'k', 'z'),             // unknown type
		append(append([]byte{}, kvMagic...), 1, 'k', kvBool, 2),       // bool out of range
		append(append([]byte{}, kvMagic...), 1, 'k', kvStrings, 0xff), // count beyond the data
		append(append([]byte{}, kvMagic...), 9, 'k'),                  // key longer than the data
	} {
		if _, err := decodeValues(bad); err == nil {
			t.Errorf("%q decoded without an error", bad)
		}
	}
}
