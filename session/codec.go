package session

import (
	"bytes"
	"encoding/binary"
	"encoding/gob"
	"errors"
	"fmt"
)

// The session's values are stored in a small format of our own: gob, which the store used
// before, sends its type descriptions with every value and compiles a decoder for them on
// every load, and that was two thirds of the CPU a logged-in page spent loading its session.
// The format knows the types the portal keeps in a session (string, int64, int, bool,
// []string, each under a string key); a map holding anything else is stored with gob as
// before, and rows stored with gob (from before this format) are still read.
//
//	"\x00kv1" then per entry: key (uvarint length + bytes), a type byte, the value
//
// gob never starts a stream with a zero byte (its first message length is at least 1).
var kvMagic = []byte("\x00kv1")

const (
	kvString  = 's'
	kvInt64   = 'i'
	kvInt     = 'n'
	kvBool    = 'b'
	kvStrings = 'l'
)

// encodeValues encodes values, in the small format when every entry fits it, else with gob.
func encodeValues(values map[any]any) ([]byte, error) {
	if b, ok := encodeKV(values); ok {
		return b, nil
	}
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(values); err != nil {
		return nil, fmt.Errorf("encode session: %w", err)
	}
	return buf.Bytes(), nil
}

func encodeKV(values map[any]any) ([]byte, bool) {
	b := make([]byte, 0, 256)
	b = append(b, kvMagic...)
	putString := func(s string) {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	for k, v := range values {
		key, ok := k.(string)
		if !ok {
			return nil, false
		}
		putString(key)
		switch v := v.(type) {
		case string:
			b = append(b, kvString)
			putString(v)
		case int64:
			b = append(b, kvInt64)
			b = binary.AppendVarint(b, v)
		case int:
			b = append(b, kvInt)
			b = binary.AppendVarint(b, int64(v))
		case bool:
			b = append(b, kvBool)
			if v {
				b = append(b, 1)
			} else {
				b = append(b, 0)
			}
		case []string:
			b = append(b, kvStrings)
			b = binary.AppendUvarint(b, uint64(len(v)))
			for _, s := range v {
				putString(s)
			}
		default:
			return nil, false
		}
	}
	return b, true
}

var errKV = errors.New("decode session: malformed data")

// decodeValues reads what encodeValues wrote, or a gob-encoded map stored earlier.
func decodeValues(data []byte) (map[any]any, error) {
	if !bytes.HasPrefix(data, kvMagic) {
		values := map[any]any{}
		if err := gob.NewDecoder(bytes.NewReader(data)).Decode(&values); err != nil {
			return nil, fmt.Errorf("decode session: %w", err)
		}
		return values, nil
	}
	d := data[len(kvMagic):]
	uvarint := func() (uint64, bool) {
		n, w := binary.Uvarint(d)
		if w <= 0 {
			return 0, false
		}
		d = d[w:]
		return n, true
	}
	str := func() (string, bool) {
		n, ok := uvarint()
		if !ok || n > uint64(len(d)) {
			return "", false
		}
		s := string(d[:n])
		d = d[n:]
		return s, true
	}
	values := map[any]any{}
	for len(d) > 0 {
		key, ok := str()
		if !ok || len(d) == 0 {
			return nil, errKV
		}
		kind := d[0]
		d = d[1:]
		switch kind {
		case kvString:
			s, ok := str()
			if !ok {
				return nil, errKV
			}
			values[key] = s
		case kvInt64, kvInt:
			n, w := binary.Varint(d)
			if w <= 0 {
				return nil, errKV
			}
			d = d[w:]
			if kind == kvInt {
				values[key] = int(n)
			} else {
				values[key] = n
			}
		case kvBool:
			if len(d) == 0 || d[0] > 1 {
				return nil, errKV
			}
			values[key] = d[0] == 1
			d = d[1:]
		case kvStrings:
			n, ok := uvarint()
			if !ok || n > uint64(len(d)) { // every string takes at least one byte
				return nil, errKV
			}
			list := make([]string, 0, n)
			for range n {
				s, ok := str()
				if !ok {
					return nil, errKV
				}
				list = append(list, s)
			}
			values[key] = list
		default:
			return nil, errKV
		}
	}
	return values, nil
}
