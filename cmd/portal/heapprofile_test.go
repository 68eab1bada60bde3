package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestWriteHeapProfile checks that PORTAL_HEAP_PROFILE's file is a profile pprof reads (gzip,
// as runtime/pprof writes its protobuf form) and that an unwritable path is an error, which
// serve logs instead of stopping.
func TestWriteHeapProfile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "heap.pb.gz")
	if err := writeHeapProfile(path); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte{0x1f, 0x8b}) {
		t.Errorf("profile starts with %x, want gzip's 1f8b", b[:min(len(b), 2)])
	}
	if err := writeHeapProfile(filepath.Join(t.TempDir(), "missing", "heap.pb.gz")); err == nil {
		t.Error("a path in a missing folder gave no error")
	}
}
