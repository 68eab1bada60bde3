package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"mitidportal/audit"
	"mitidportal/db/dbtest"
)

const (
	testAuditKey1 = "k1:0101010101010101010101010101010101010101010101010101010101010101"
	testAuditKey2 = "k2:0202020202020202020202020202020202020202020202020202020202020202"
)

// tamperSQL runs stmts as someone with the table owner's or superuser rights could: with the
// append-only triggers and foreign keys silenced.
func tamperSQL(t *testing.T, pool *pgxpool.Pool, stmts ...string) {
	t.Helper()
	sql := "BEGIN; SET LOCAL session_replication_role = replica; " + strings.Join(stmts, "; ") + "; COMMIT"
	if _, err := pool.Exec(context.Background(), sql); err != nil { // several statements: simple protocol
		t.Fatal(err)
	}
}

// recomputeWithoutKey changes entry 3 and gives seals 3 to 5 new SHA-256 hashes, each linked to
// the one before: what anyone who can write the tables could do to the unkeyed chain of old.
func recomputeWithoutKey(t *testing.T, pool *pgxpool.Pool) {
	stmts := []string{`UPDATE audit_log SET subject = 'mitid:99' WHERE id = 3`,
		`UPDATE audit_seal SET prev_hash = sha256(prev_hash || 'x') WHERE seq >= 3`}
	var prev []byte
	if err := pool.QueryRow(context.Background(), `SELECT hash FROM audit_seal WHERE seq = 2`).Scan(&prev); err != nil {
		t.Fatal(err)
	}
	for seq := 3; seq <= 5; seq++ {
		h := sha256.Sum256(fmt.Appendf(prev, "%d staff:1 citizen_lookup mitid:%d {}", seq, seq))
		stmts = append(stmts, fmt.Sprintf(`UPDATE audit_seal SET prev_hash = '\x%x', hash = '\x%x' WHERE seq = %d`, prev, h, seq))
		prev = h[:]
	}
	tamperSQL(t, pool, stmts...)
}

// TestAuditVerify runs `portal audit verify` as main would against a log of five sealed and
// anchored entries, changed in the ways only someone with direct database access could.
func TestAuditVerify(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		keys    string // AUDIT_KEYS; testAuditKey1 when empty
		tamper  func(t *testing.T, pool *pgxpool.Pool)
		args    func(anchorFile string) []string
		want    []string
		wantErr error // nil: success
	}{
		{"intact", "", nil, nil, []string{"audit log intact: 5 entries\n", "head: seq 5 (entry 5), hmac-sha256 ",
			"tail matches the newest anchor ("}, nil},
		{"anchor file named by --anchor", "", nil, func(f string) []string { return []string{"--anchor", f} },
			[]string{"audit log intact: 5 entries\n", "tail matches the newest anchor"}, nil},
		{"changed and every later hash recomputed without the key", "", recomputeWithoutKey, nil,
			[]string{"audit log BROKEN at seq 3 (entry 3): content changed\n", "2 entries before it are intact"}, errAuditBroken},
		{"tail deleted", "", func(t *testing.T, pool *pgxpool.Pool) {
			tamperSQL(t, pool, `DELETE FROM audit_seal WHERE seq > 3`, `DELETE FROM audit_log WHERE id > 3`)
		}, nil, []string{"audit log BROKEN at seq 4: truncated tail", "covers seq 5 (5 entries", "the chain ends at seq 3"}, errAuditBroken},
		{"middle entry deleted", "", func(t *testing.T, pool *pgxpool.Pool) {
			tamperSQL(t, pool, `DELETE FROM audit_seal WHERE seq = 2`, `DELETE FROM audit_log WHERE id = 2`)
		}, nil, []string{"audit log BROKEN at seq 3 (entry 3): entry before it missing (deleted)\n"}, errAuditBroken},
		{"signing key removed from AUDIT_KEYS", testAuditKey2, nil, nil,
			[]string{"audit log BROKEN at seq 1 (entry 1): sealed with an unknown key id\n"}, errAuditBroken},
		{"rotated: new key first, old kept", testAuditKey2 + "," + testAuditKey1, nil, nil,
			[]string{"audit log intact: 5 entries\n"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := verifyPrepared(t, tt.keys, tt.tamper, tt.args)
			t.Logf("portal audit verify:\n%s", out)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("error %v, want %v\n%s", err, tt.wantErr, out)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output %q lacks %q", out, w)
				}
			}
		})
	}
}

// verifyPrepared appends and seals five entries, anchors them in a file the way the anchor job
// does, runs tamper and then `portal audit verify` (with AUDIT_ANCHOR_FILE set, unless args
// names the file) and returns its output.
func verifyPrepared(t *testing.T, keys string, tamper func(*testing.T, *pgxpool.Pool), args func(string) []string) (string, error) {
	t.Helper()
	ctx := context.Background()
	pool, dbURL := dbtest.NewWithURL(t)
	ring, err := audit.ParseKeys(testAuditKey1)
	if err != nil {
		t.Fatal(err)
	}
	chain, err := audit.NewChain(pool, ring)
	if err != nil {
		t.Fatal(err)
	}
	log := audit.NewLog(pool)
	for i := range 5 {
		e := audit.Entry{Actor: audit.Staff(1), Action: audit.ActionCitizenLookup, Subject: audit.MitID(int64(i + 1))}
		if err := log.AppendNow(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	anchorFile := filepath.Join(t.TempDir(), "anchors.jsonl")
	if _, err := chain.Seal(ctx); err != nil {
		t.Fatal(err)
	}
	a, err := chain.Anchor(ctx)
	if err == nil {
		err = audit.AppendAnchorFile(anchorFile, a)
	}
	if err != nil {
		t.Fatal(err)
	}
	if tamper != nil {
		tamper(t, pool)
	}
	if keys == "" {
		keys = testAuditKey1
	}
	vars := map[string]string{"DATABASE_URL": dbURL, "AUDIT_KEYS": keys, "AUDIT_ANCHOR_FILE": anchorFile}
	cmd := []string{"audit", "verify"}
	if args != nil {
		delete(vars, "AUDIT_ANCHOR_FILE")
		cmd = append(cmd, args(anchorFile)...)
	}
	var out bytes.Buffer
	err = run(ctx, cmd, envOf(vars), &out, &out)
	return out.String(), err
}

// TestAuditVerifyWithoutAnchor: without an anchor a truncated tail looks intact, and the output
// says so; unsealed entries are sealed first; a missing anchor file, missing keys and a database
// without the chain are errors.
func TestAuditVerifyWithoutAnchor(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool, dbURL := dbtest.NewWithURL(t)
	env := func(m map[string]string) func(string) string {
		m["DATABASE_URL"] = dbURL
		return envOf(m)
	}
	withKey := map[string]string{"AUDIT_KEYS": testAuditKey1}
	if err := audit.NewLog(pool).AppendNow(ctx, audit.Entry{Actor: audit.ActorSystem, Action: audit.ActionStaffLogin}); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	err := run(ctx, []string{"audit", "verify"}, env(withKey), &out, &out)
	for _, w := range []string{"sealed 1 entries that were waiting", "audit log intact: 1 entries",
		"no anchor file (set AUDIT_ANCHOR_FILE or pass --anchor): entries deleted from the end cannot be detected"} {
		if err != nil || !strings.Contains(out.String(), w) {
			t.Errorf("%v: output %q lacks %q", err, out.String(), w)
		}
	}
	failures := map[string][]string{
		"no keys":             {"audit", "verify"},
		"missing anchor file": {"audit", "verify", "--anchor", filepath.Join(t.TempDir(), "gone")},
		"extra argument":      {"audit", "verify", "extra"},
		"no such command":     {"audit", "repair"},
		"no command":          {"audit"},
	}
	for name, args := range failures {
		t.Run(name, func(t *testing.T) {
			m := map[string]string{"AUDIT_KEYS": testAuditKey1}
			if name == "no keys" {
				m = map[string]string{}
			}
			if err := run(ctx, args, env(m), &out, &out); err == nil {
				t.Errorf("%v accepted", args)
			}
		})
	}
	for _, args := range [][]string{{"audit", "--help"}, {"audit", "verify", "--help"}} {
		out.Reset()
		if err := run(ctx, args, env(withKey), &out, &out); err != nil || !strings.Contains(out.String(), "portal audit verify") {
			t.Errorf("%v: %v %q", args, err, out.String())
		}
	}
	if _, err := pool.Exec(ctx, `DROP TABLE audit_seal`); err != nil {
		t.Fatal(err)
	}
	if err := run(ctx, []string{"audit", "verify"}, env(withKey), &out, &out); err == nil || !strings.Contains(err.Error(), "portal migrate") {
		t.Errorf("without the chain's table: %v", err)
	}
}
