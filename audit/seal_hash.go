package audit

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash"
	"time"
)

// The hash of seal seq is HMAC-SHA256, with the key named by key_id, over this encoding (every
// length-dependent field prefixed with its length, so that no two different seals encode alike):
//
//	"mitidportal audit seal v2\n"                 domain tag
//	seq, entry id                                 each 8 bytes, big-endian
//	at                                            8 bytes, big-endian: µs since 1970-01-01 UTC
//	actor, action, subject, detail, key id        each: 4-byte big-endian length, UTF-8 bytes
//	prev_hash                                     32 bytes: seal seq-1's hash; zeros for seq 1
//
// Canonical JSON of detail: PostgreSQL's jsonb text of it (numbers as jsonb prints them) decoded
// and written again with object keys sorted by their bytes, no insignificant white space, and
// strings escaped as Go's encoding/json does without HTML escaping. The sealer and Verify both
// read the stored column, so they hash the same bytes.
//
// Without the key nobody can compute a valid hash, so rewriting an entry and every later hash
// (possible with the unkeyed chain of migration 00006) no longer yields a chain that verifies.
const sealTag = "mitidportal audit seal v2\n"

// genesis is the prev_hash of the first seal.
var genesis [sha256.Size]byte

// sealed is an entry as the chain covers it.
type sealed struct {
	seq, entryID                   int64
	at                             time.Time
	actor, action, subject, detail string // detail as PostgreSQL prints the jsonb
	keyID                          string
	prev                           []byte
}

func (s sealed) hash(key []byte) ([]byte, error) {
	h := hmacHash(key)
	if err := s.encode(h); err != nil {
		return nil, err
	}
	return h.Sum(nil), nil
}

// encode writes the encoding above to h.
func (s sealed) encode(h hash.Hash) error {
	canon, err := canonicalJSON([]byte(s.detail))
	if err != nil {
		return err
	}
	h.Write([]byte(sealTag))
	writeInts(h, s.seq, s.entryID, s.at.UnixMicro())
	writeStrings(h, []byte(s.actor), []byte(s.action), []byte(s.subject), canon, []byte(s.keyID))
	h.Write(s.prev)
	return nil
}

func writeInts(h hash.Hash, v ...int64) {
	var n [8]byte
	for _, x := range v {
		binary.BigEndian.PutUint64(n[:], uint64(x))
		h.Write(n[:])
	}
}

func writeStrings(h hash.Hash, v ...[]byte) {
	var n [4]byte
	for _, s := range v {
		binary.BigEndian.PutUint32(n[:], uint32(len(s)))
		h.Write(n[:])
		h.Write(s)
	}
}

// canonicalJSON rewrites a JSON text in the canonical form above.
func canonicalJSON(text []byte) ([]byte, error) {
	d := json.NewDecoder(bytes.NewReader(text))
	d.UseNumber() // keep numbers exactly as written, not as float64
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, fmt.Errorf("audit: detail is not JSON: %w", err)
	}
	var out bytes.Buffer
	e := json.NewEncoder(&out)
	e.SetEscapeHTML(false)
	if err := e.Encode(v); err != nil { // maps are written with sorted keys
		return nil, fmt.Errorf("audit: canonical detail: %w", err)
	}
	return bytes.TrimSuffix(out.Bytes(), []byte("\n")), nil
}

func hmacHash(key []byte) hash.Hash { return hmac.New(sha256.New, key) }
