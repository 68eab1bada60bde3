package audit

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// Anchor is the chain's head as recorded outside the database: the anchor job writes one every
// minute to the log and to AUDIT_ANCHOR_FILE, where the database's owner cannot rewrite it.
// Verify checks the chain against the newest one, which is what detects entries deleted from the
// end of the chain (they leave a shorter chain that is intact in itself).
type Anchor struct {
	// Seq and Hash are the last seal's (0 and zeros for an empty chain); Count is the number of
	// sealed entries, equal to Seq because seq has no gaps, kept separately so that a reader
	// need not know that.
	Seq   int64
	Count int64
	Hash  []byte
	At    time.Time
	// KeyID names the key of MAC, an HMAC over the fields above: a line someone appended to the
	// file without the key (to make a truncated chain look anchored) does not verify.
	KeyID string
	MAC   []byte
}

// anchorTag is the domain tag of an anchor's MAC, distinct from a seal's.
const anchorTag = "mitidportal audit anchor v1\n"

func (a Anchor) mac(key []byte) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(anchorTag))
	writeInts(h, a.Seq, a.Count, a.At.UnixMicro())
	writeStrings(h, a.Hash, []byte(a.KeyID))
	return h.Sum(nil)
}

// Anchor returns the chain's current head, signed with the signing key. It does not seal first.
func (c *Chain) Anchor(ctx context.Context) (Anchor, error) {
	seq, hash, err := readHead(ctx, c.pool)
	if err != nil {
		return Anchor{}, fmt.Errorf("audit: anchor: %w", err)
	}
	key := c.keys.signer()
	// Microseconds: the MAC covers At as µs, and the JSON round trip keeps them exactly.
	a := Anchor{Seq: seq, Count: seq, Hash: hash, At: time.Now().UTC().Truncate(time.Microsecond), KeyID: key.ID}
	a.MAC = a.mac(key.Secret)
	return a, nil
}

// anchorJSON is an anchor's line in the anchor file.
type anchorJSON struct {
	Seq   int64     `json:"seq"`
	Count int64     `json:"count"`
	Hash  string    `json:"hash"`
	At    time.Time `json:"at"`
	KeyID string    `json:"key_id"`
	MAC   string    `json:"mac"`
}

// MarshalJSON writes the anchor as one JSON object with hex hashes.
func (a Anchor) MarshalJSON() ([]byte, error) {
	return json.Marshal(anchorJSON{a.Seq, a.Count, hex.EncodeToString(a.Hash), a.At, a.KeyID, hex.EncodeToString(a.MAC)})
}

// UnmarshalJSON reads what MarshalJSON wrote.
func (a *Anchor) UnmarshalJSON(b []byte) error {
	var j anchorJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	hash, err1 := hex.DecodeString(j.Hash)
	mac, err2 := hex.DecodeString(j.MAC)
	if err := errors.Join(err1, err2); err != nil || len(hash) != sha256.Size || j.Seq < 0 {
		return fmt.Errorf("audit: malformed anchor %s", b)
	}
	*a = Anchor{Seq: j.Seq, Count: j.Count, Hash: hash, At: j.At, KeyID: j.KeyID, MAC: mac}
	return nil
}

// AppendAnchorFile appends a as one JSON line to the file at path (created 0600 when missing)
// and syncs it to disk before returning, so an anchor that was logged as written survives a
// crash.
func AppendAnchorFile(path string, a Anchor) error {
	line, err := json.Marshal(a)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("audit: anchor file: %w", err)
	}
	_, err = f.Write(append(line, '\n'))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("audit: anchor file: %w", err)
	}
	return nil
}

// ErrNoAnchor is returned by ReadNewestAnchor for an anchor file without an anchor yet.
var ErrNoAnchor = errors.New("audit: the anchor file holds no anchor yet")

// anchorTail is how much of the end of the anchor file ReadNewestAnchor reads: the file grows by
// a line a minute for ever, and only the last line matters.
const anchorTail = 64 << 10

// ReadNewestAnchor returns the last anchor in the file at path. A missing file is an error, not
// "no anchor": a configured anchor file that vanished is itself worth an alarm. A last line
// without its newline (a write cut short by a crash) is skipped.
func ReadNewestAnchor(path string) (Anchor, error) {
	f, err := os.Open(path)
	if err != nil {
		return Anchor{}, fmt.Errorf("audit: anchor file: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return Anchor{}, fmt.Errorf("audit: anchor file: %w", err)
	}
	off := max(st.Size()-anchorTail, 0)
	buf := make([]byte, st.Size()-off)
	if _, err := f.ReadAt(buf, off); err != nil && !errors.Is(err, io.EOF) {
		return Anchor{}, fmt.Errorf("audit: anchor file: %w", err)
	}
	lines := bytes.Split(bytes.TrimRight(buf[:bytes.LastIndexByte(buf, '\n')+1], "\n"), []byte("\n"))
	last := bytes.TrimSpace(lines[len(lines)-1])
	if len(last) == 0 {
		return Anchor{}, ErrNoAnchor
	}
	var a Anchor
	if err := json.Unmarshal(last, &a); err != nil {
		return Anchor{}, fmt.Errorf("audit: anchor file %s: last line: %w", path, err)
	}
	return a, nil
}
