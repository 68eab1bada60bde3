package app

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"mitidportal/audit"
	"mitidportal/db/dbtest"
)

// TestAuditAnchorJob: the job seals what is pending and records the head in the log and the
// anchor file, and the anchor it wrote verifies the chain.
func TestAuditAnchorJob(t *testing.T) {
	ctx := context.Background()
	pool := dbtest.New(t)
	ring, err := audit.NewKeyring(audit.Key{ID: "k1", Secret: bytes.Repeat([]byte{7}, audit.KeySize)})
	if err != nil {
		t.Fatal(err)
	}
	chain, err := audit.NewChain(pool, ring)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := audit.NewLog(pool).AppendNow(ctx, audit.Entry{Actor: audit.ActorSystem, Action: audit.ActionStaffLogin}); err != nil {
			t.Fatal(err)
		}
	}
	var logs bytes.Buffer
	file := filepath.Join(t.TempDir(), "anchors.jsonl")
	w := &auditAnchorWorker{chain: chain, file: file, log: slog.New(slog.NewJSONHandler(&logs, nil))}
	if err := w.Work(ctx, nil); err != nil {
		t.Fatal(err)
	}
	a, err := audit.ReadNewestAnchor(file)
	if err != nil || a.Seq != 3 || a.Count != 3 {
		t.Fatalf("anchor in the file: %+v %v", a, err)
	}
	var line map[string]any
	if err := json.Unmarshal([]byte(strings.TrimSpace(logs.String())), &line); err != nil ||
		line["msg"] != "audit anchor" || line["seq"] != 3.0 || line["key_id"] != "k1" {
		t.Errorf("log line %q, %v", logs.String(), err)
	}
	rep, err := chain.Verify(ctx, audit.VerifyOptions{Anchor: &a})
	if err != nil || !rep.Intact() || !rep.Anchored || rep.Unsealed != 0 {
		t.Errorf("verify against the job's anchor: %+v %v", rep, err)
	}
}
