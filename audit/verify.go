package audit

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"
)

// The hash of entry n is SHA-256 over this encoding, every length-dependent field prefixed with
// its length, so that no two different entries encode alike:
//
//	"mitidportal audit v1\n"                      domain tag
//	id                                            8 bytes, big-endian
//	at                                            8 bytes, big-endian: µs since 1970-01-01 UTC
//	actor, action, subject                        each: 4-byte big-endian length, UTF-8 bytes
//	detail                                        4-byte length, canonical JSON (below)
//	prev_hash                                     32 bytes: entry n-1's hash; zeros for the first
//
// Canonical JSON of detail: PostgreSQL's jsonb text of it (numbers as jsonb prints them) decoded
// and written again with object keys sorted by their bytes, no insignificant white space, and
// strings escaped as Go's encoding/json does without HTML escaping. Append hashes the detail as
// PostgreSQL returns it, so Verify, reading the same column, gets the same bytes.
const hashTag = "mitidportal audit v1\n"

// genesis is the prev_hash of the first entry.
var genesis [sha256.Size]byte

func entryHash(id int64, at time.Time, actor, action, subject string, detail, prev []byte) []byte {
	h := sha256.New()
	h.Write([]byte(hashTag))
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(id))
	h.Write(n[:])
	binary.BigEndian.PutUint64(n[:], uint64(at.UnixMicro()))
	h.Write(n[:])
	for _, s := range [][]byte{[]byte(actor), []byte(action), []byte(subject), detail} {
		binary.BigEndian.PutUint32(n[:4], uint32(len(s)))
		h.Write(n[:4])
		h.Write(s)
	}
	h.Write(prev)
	return h.Sum(nil)
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

// Reason says how the chain is broken at an entry.
type Reason string

// Reasons Verify reports.
const (
	// ReasonContentChanged: the entry's hash does not match its columns (id, at, actor, action,
	// subject, detail or prev_hash changed, or the hash itself).
	ReasonContentChanged Reason = "content changed"
	// ReasonMissing: the entry is intact, but its prev_hash is not the hash of the entry before
	// it and there are unused ids between them: at least one entry there was deleted.
	ReasonMissing Reason = "entry before it missing (deleted)"
	// ReasonUnlinked: the entry is intact, but its prev_hash is not the hash of the entry right
	// before it: entries were reordered or inserted, or the one before was rewritten with a new
	// hash.
	ReasonUnlinked Reason = "not linked to the entry before it (rewritten, inserted or reordered)"
)

// Break is the first entry at which the chain fails.
type Break struct {
	ID     int64
	Reason Reason
}

// Report is the result of Verify.
type Report struct {
	// Entries counts the entries verified, in id order, before the first break (all of them
	// when the log is intact).
	Entries int64
	// LastID and Head are the id and hash of the last verified entry (0 and zeros when none).
	// Entries deleted from the end leave a shorter, intact chain: comparing Head with a value
	// recorded earlier elsewhere is what detects that.
	LastID int64
	Head   []byte
	// Broken is the first broken entry, nil when the log is intact.
	Broken *Break
}

// Intact reports whether the whole log verified.
func (r Report) Intact() bool { return r.Broken == nil }

// Verify walks the whole log in id order, one row at a time (constant memory, one consistent
// snapshot), and stops at the first entry that breaks the chain. Continuity is proven by each
// entry's prev_hash naming the hash of the entry before it, not by consecutive ids: a rolled-back
// append leaves an unused id, so a gap alone is not a deletion. It is evidence of one only when
// the link across it fails too (ReasonMissing).
func (l *Log) Verify(ctx context.Context) (Report, error) {
	rep := Report{Head: genesis[:]}
	rows, err := l.pool.Query(ctx, `
		SELECT id, at, actor, action, subject, detail::text, prev_hash, hash
		FROM audit_log ORDER BY id`)
	if err != nil {
		return rep, fmt.Errorf("audit: verify: %w", err)
	}
	defer rows.Close()
	var (
		id                             int64
		at                             time.Time
		actor, action, subject, detail string
		prev, hash                     []byte
	)
	for rows.Next() {
		if err := rows.Scan(&id, &at, &actor, &action, &subject, &detail, &prev, &hash); err != nil {
			return rep, fmt.Errorf("audit: verify: %w", err)
		}
		canon, err := canonicalJSON([]byte(detail))
		if err != nil {
			return rep, err
		}
		switch {
		case !bytes.Equal(entryHash(id, at, actor, action, subject, canon, prev), hash):
			rep.Broken = &Break{ID: id, Reason: ReasonContentChanged}
		case !bytes.Equal(prev, rep.Head) && id > rep.LastID+1:
			rep.Broken = &Break{ID: id, Reason: ReasonMissing}
		case !bytes.Equal(prev, rep.Head):
			rep.Broken = &Break{ID: id, Reason: ReasonUnlinked}
		}
		if rep.Broken != nil {
			return rep, nil
		}
		rep.Entries++
		rep.LastID = id
		rep.Head = bytes.Clone(hash)
	}
	if err := rows.Err(); err != nil {
		return rep, fmt.Errorf("audit: verify: %w", err)
	}
	return rep, nil
}
