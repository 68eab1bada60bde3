package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"mitidportal/audit"
	"mitidportal/db/dbtest"
)

// TestAuditVerify runs `portal audit verify` as main would against a log that is changed step by
// step the way only someone with direct database access could.
func TestAuditVerify(t *testing.T) {
	ctx := context.Background()
	pool, dbURL := dbtest.NewWithURL(t)
	env := envOf(map[string]string{"DATABASE_URL": dbURL})
	log := audit.NewLog(pool)
	exec := func(t *testing.T, sql string) {
		t.Helper()
		if _, err := pool.Exec(ctx, sql); err != nil { // several statements: simple protocol
			t.Fatal(err)
		}
	}
	steps := []struct {
		name    string
		prepare func(t *testing.T)
		want    []string
		wantErr bool
	}{
		{"empty", func(*testing.T) {}, []string{"audit log intact: 0 entries\n"}, false},
		{"intact", func(t *testing.T) {
			for i := range 3 {
				e := audit.Entry{Actor: audit.Staff(1), Action: audit.ActionCitizenLookup, Subject: audit.MitID(int64(i))}
				if err := log.AppendNow(ctx, e); err != nil {
					t.Fatal(err)
				}
			}
		}, []string{"audit log intact: 3 entries\n", "head: entry 3, sha256 "}, false},
		{"content changed", func(t *testing.T) {
			exec(t, `ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only;
				UPDATE audit_log SET subject = 'mitid:99' WHERE id = 2;
				ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only`)
		}, []string{"audit log BROKEN at entry 2: content changed\n", "1 entries before it are intact"}, true},
		{"entry deleted", func(t *testing.T) {
			exec(t, `ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only;
				DELETE FROM audit_log WHERE id = 2;
				ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only`)
		}, []string{"audit log BROKEN at entry 3: entry before it missing (deleted)\n"}, true},
		{"no table", func(t *testing.T) { exec(t, `DROP TABLE audit_log`) }, nil, true},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			s.prepare(t)
			var out, errOut bytes.Buffer
			err := run(ctx, []string{"audit", "verify"}, env, &out, &errOut)
			if (err != nil) != s.wantErr {
				t.Fatalf("error %v, want error: %v\n%s", err, s.wantErr, out.String())
			}
			for _, w := range s.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output %q lacks %q", out.String(), w)
				}
			}
			if s.wantErr && len(s.want) > 0 && !errors.Is(err, errAuditBroken) {
				t.Errorf("error %v, want errAuditBroken", err)
			}
		})
	}
	var out bytes.Buffer
	for _, args := range [][]string{{"audit", "--help"}, {"audit", "verify", "--help"}} {
		out.Reset()
		if err := run(ctx, args, env, &out, &out); err != nil || !strings.Contains(out.String(), "portal audit verify") {
			t.Errorf("%v: %v %q", args, err, out.String())
		}
	}
	for _, args := range [][]string{{"audit"}, {"audit", "repair"}, {"audit", "verify", "extra"}} {
		if err := run(ctx, args, env, &out, &out); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}
