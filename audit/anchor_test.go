package audit

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"mitidportal/db/dbtest"
)

// TestAnchorFile: anchors append as JSON lines and the newest one reads back exactly, so its
// MAC still verifies.
func TestAnchorFile(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.New(t)
	c := newChain(t, pool, key1)
	path := filepath.Join(t.TempDir(), "anchors.jsonl")

	if _, err := ReadNewestAnchor(path); err == nil || errors.Is(err, ErrNoAnchor) {
		t.Errorf("a missing anchor file must be an error of its own: %v", err)
	}
	empty, err := c.Anchor(ctx)
	if err != nil || empty.Seq != 0 || !bytes.Equal(empty.Hash, genesis[:]) {
		t.Fatalf("anchor of the empty chain: %+v %v", empty, err)
	}
	if err := AppendAnchorFile(path, empty); err != nil {
		t.Fatal(err)
	}
	appendN(t, NewLog(pool), 4)
	if _, err := c.Seal(ctx); err != nil {
		t.Fatal(err)
	}
	a, err := c.Anchor(ctx)
	if err != nil || a.Seq != 4 || a.Count != 4 || a.KeyID != "k1" {
		t.Fatalf("anchor: %+v %v", a, err)
	}
	if err := AppendAnchorFile(path, a); err != nil {
		t.Fatal(err)
	}
	got, err := ReadNewestAnchor(path)
	if err != nil || got.Seq != 4 || !bytes.Equal(got.Hash, a.Hash) || !got.At.Equal(a.At) || !bytes.Equal(got.MAC, a.MAC) {
		t.Fatalf("read back %+v, %v; want %+v", got, err, a)
	}
	rep, err := c.Verify(ctx, VerifyOptions{Anchor: &got})
	if err != nil || !rep.Intact() || !rep.Anchored {
		t.Errorf("verify against the anchor read back: %+v %v", rep, err)
	}
	if info, err := os.Stat(path); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("anchor file mode: %v %v", info, err)
	}

	// A write cut short by a crash leaves a line without its newline: the one before counts.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(`{"seq":9,"cou`); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if got, err := ReadNewestAnchor(path); err != nil || got.Seq != 4 {
		t.Errorf("after a cut line: %+v %v", got, err)
	}

	for name, content := range map[string]string{"empty": "", "cut only": `{"seq":1`, "blank lines": "\n\n"} {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "a")
			if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := ReadNewestAnchor(p); !errors.Is(err, ErrNoAnchor) {
				t.Errorf("got %v, want ErrNoAnchor", err)
			}
		})
	}
	p := filepath.Join(t.TempDir(), "bad")
	if err := os.WriteFile(p, []byte("{\"seq\": 1, \"hash\": \"zz\"}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadNewestAnchor(p); err == nil || errors.Is(err, ErrNoAnchor) {
		t.Errorf("a malformed anchor: %v", err)
	}
}

func TestParseKeys(t *testing.T) {
	t.Parallel()
	hex1 := "0101010101010101010101010101010101010101010101010101010101010101"
	tests := []struct {
		in      string
		signing string
		ok      bool
	}{
		{"k1:" + hex1, "k1", true},
		{"2027-01:" + hex1 + ", k1:" + hex1, "2027-01", true},
		{"", "", false},
		{"k1", "", false},
		{"k1:" + hex1[:62], "", false},
		{"k1:" + hex1 + "zz", "", false},
		{"k 1:" + hex1, "", false},
		{":" + hex1, "", false},
		{"k1:" + hex1 + ",k1:" + hex1, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			r, err := ParseKeys(tt.in)
			if (err == nil) != tt.ok || r.SigningID() != tt.signing {
				t.Errorf("got %q, %v", r.SigningID(), err)
			}
			if err != nil && bytes.Contains([]byte(err.Error()), []byte(hex1[:16])) {
				t.Errorf("the error shows the key: %v", err)
			}
		})
	}
}
