package audit

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"mitidportal/db/dbtest"
)

// TestDetailRoundTrip: details that PostgreSQL's jsonb normalises (key order, duplicate keys,
// number spelling, escapes) still verify, because the hash covers the stored form.
func TestDetailRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.New(t)
	l := NewLog(pool)
	details := []map[string]any{
		nil,
		{},
		{"b": 1, "a": 2, "aa": 3, "B": 4},
		{"float": 1.5, "tiny": 1e-7, "huge": 1e21, "big": uint64(1<<63 + 1), "neg": math.Copysign(0, -1)},
		{"text": `<script>&"quotes"\ </script>`, "danish": "æøå ÆØÅ", "emoji": "🔑", "ctrl": "a\tb\nc\u2028"},
		{"nested": map[string]any{"z": []any{1, "x", nil, true, map[string]any{"y": 1, "x": 2}}}},
	}
	for _, d := range details {
		if err := l.AppendNow(ctx, Entry{Actor: ActorSystem, Action: ActionStaffLogin, Detail: d}); err != nil {
			t.Fatalf("%v: %v", d, err)
		}
	}
	if rep := mustVerify(t, pool); !rep.Intact() || rep.Entries != int64(len(details)) {
		t.Errorf("verify: %+v", rep.Broken)
	}
}

func TestCanonicalJSON(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{`{}`, `{}`},
		{`{"b": 1, "a": {"d": [3, 2], "c": null}}`, `{"a":{"c":null,"d":[3,2]},"b":1}`},
		{`{"aa": 1, "B": 2, "a": 3}`, `{"B":2,"a":3,"aa":1}`},
		{`{"n": 1.50, "m": 1000000000000000000000, "k": -0}`, `{"k":-0,"m":1000000000000000000000,"n":1.50}`},
		{`{"s": "<&>\u00e6\"\\\n"}`, `{"s":"<&>æ\"\\\n"}`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := canonicalJSON([]byte(tt.in))
			if err != nil || string(got) != tt.want {
				t.Errorf("got %s, %v; want %s", got, err, tt.want)
			}
		})
	}
	if _, err := canonicalJSON([]byte(`{"a":`)); err == nil {
		t.Error("broken JSON accepted")
	}
}

// TestSealHash pins the encoding: a change would make every stored chain fail verification.
func TestSealHash(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 3, 1, 12, 0, 0, 123456000, time.UTC)
	s := sealed{seq: 1, entryID: 1, at: at, actor: "staff:12", action: "citizen_lookup", subject: "mitid:7",
		detail: `{"via": "cpr"}`, keyID: "k1", prev: genesis[:]}
	must := func(s sealed, key []byte) []byte {
		h, err := s.hash(key)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	h := must(s, key1.Secret)
	const want = "31b6b66938ca3f9b54ddd2956fe6ecf6e517e552dd25797c3f85c612035985e5" // also computed with Python's hmac module
	if got := hex.EncodeToString(h); got != want {
		t.Errorf("hash %s, want %s", got, want)
	}
	tests := []struct {
		name   string
		change func(*sealed)
	}{
		{"seq", func(s *sealed) { s.seq = 2 }},
		{"entry id", func(s *sealed) { s.entryID = 2 }},
		{"time", func(s *sealed) { s.at = s.at.Add(time.Microsecond) }},
		{"field boundary", func(s *sealed) { s.actor, s.action = "staff:12c", "itizen_lookup" }},
		{"detail", func(s *sealed) { s.detail = `{"via": "username"}` }},
		{"key id", func(s *sealed) { s.keyID = "k2" }},
		{"prev", func(s *sealed) { s.prev = bytes.Repeat([]byte{1}, 32) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := s
			tt.change(&c)
			if bytes.Equal(must(c, key1.Secret), h) {
				t.Error("the hash does not cover it")
			}
		})
	}
	if bytes.Equal(must(s, key2.Secret), h) {
		t.Error("the key does not change the hash")
	}
	s.at = at.In(time.FixedZone("CET", 3600))
	if !bytes.Equal(must(s, key1.Secret), h) {
		t.Error("the time zone changes the hash")
	}
}

// TestNoFork: a second seal claiming the same predecessor, or sealing an entry twice, is refused
// by the database, so even a sealer that bypassed the lock cannot fork the chain.
func TestNoFork(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	appendN(t, NewLog(pool), 3)
	mustVerify(t, pool)
	for _, stmt := range []string{
		`INSERT INTO audit_seal (seq, entry_id, key_id, prev_hash, hash)
			SELECT 10, 3, key_id, prev_hash, hash FROM audit_seal WHERE seq = 2`,
		`INSERT INTO audit_seal (seq, entry_id, key_id, prev_hash, hash)
			SELECT 10, entry_id, key_id, sha256('x'), hash FROM audit_seal WHERE seq = 2`,
	} {
		_, err := pool.Exec(context.Background(), stmt)
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "23505" {
			t.Errorf("got %v, want a unique violation", err)
		}
	}
}

// TestVerifyLargeChain seals and verifies a long log written directly (COPY) and logs the rates.
func TestVerifyLargeChain(t *testing.T) {
	const n = 50_000
	ctx := context.Background()
	pool := dbtest.New(t)
	start := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
	rows := make([][]any, n)
	for i := range rows {
		rows[i] = []any{int64(i + 1), start.Add(time.Duration(i) * time.Millisecond), Staff(int64(i % 40)),
			string(ActionCitizenLookup), MitID(int64(i)), fmt.Sprintf(`{"via": "cpr", "n": %d}`, i)}
	}
	_, err := pool.CopyFrom(ctx, pgx.Identifier{"audit_log"},
		[]string{"id", "at", "actor", "action", "subject", "detail"}, pgx.CopyFromRows(rows))
	if err == nil {
		_, err = pool.Exec(ctx, `INSERT INTO audit_pending (entry_id) SELECT id FROM audit_log`)
	}
	if err != nil {
		t.Fatal(err)
	}
	c := newChain(t, pool, key1)
	began := time.Now()
	if sealedN, err := c.Seal(ctx); err != nil || sealedN != n {
		t.Fatalf("sealed %d, %v", sealedN, err)
	}
	sealing := time.Since(began)
	began = time.Now()
	rep, err := c.Verify(ctx, VerifyOptions{})
	elapsed := time.Since(began)
	if err != nil || !rep.Intact() || rep.Entries != n || rep.LastSeq != n {
		t.Fatalf("verify: %+v %v", rep, err)
	}
	t.Logf("sealed %d entries in %v = %.0f entries/s; verified in %v = %.0f entries/s", n,
		sealing.Round(time.Millisecond), n/sealing.Seconds(), elapsed.Round(time.Millisecond), n/elapsed.Seconds())
}
