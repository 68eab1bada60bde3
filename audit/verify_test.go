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
	"github.com/jackc/pgx/v5/pgxpool"

	"mitidportal/db/dbtest"
)

// tamper runs stmts the way an operator with the table owner's or superuser rights could:
// with the append-only trigger disabled (the test database's user is a superuser).
func tamper(t *testing.T, pool *pgxpool.Pool, stmts ...string) {
	t.Helper()
	ctx := context.Background()
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		stmts = append([]string{`ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`}, stmts...)
		for _, s := range append(stmts, `ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only`) {
			if _, err := tx.Exec(ctx, s); err != nil {
				return fmt.Errorf("%s: %w", s, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// rehash gives entry id the hash of its current columns, as someone who knows the encoding (it
// is no secret) would after changing the entry.
func rehash(t *testing.T, pool *pgxpool.Pool, id int64) {
	t.Helper()
	ctx := context.Background()
	var (
		at                             time.Time
		actor, action, subject, detail string
		prev                           []byte
	)
	err := pool.QueryRow(ctx, `SELECT at, actor, action, subject, detail::text, prev_hash FROM audit_log WHERE id = $1`, id).
		Scan(&at, &actor, &action, &subject, &detail, &prev)
	if err != nil {
		t.Fatal(err)
	}
	canon, err := canonicalJSON([]byte(detail))
	if err != nil {
		t.Fatal(err)
	}
	h := entryHash(id, at, actor, action, subject, canon, prev)
	tamper(t, pool, fmt.Sprintf(`UPDATE audit_log SET hash = '\x%x' WHERE id = %d`, h, id))
}

// TestVerifyDetectsTampering changes a chain of ten entries in the ways someone with direct
// database access could and checks that Verify names the right entry.
func TestVerifyDetectsTampering(t *testing.T) {
	swap := []string{
		`UPDATE audit_log SET id = -5 WHERE id = 5`,
		`UPDATE audit_log SET id = 5 WHERE id = 6`,
		`UPDATE audit_log SET id = 6 WHERE id = -5`,
	}
	tests := []struct {
		name    string
		tamper  func(t *testing.T, pool *pgxpool.Pool)
		want    *Break
		entries int64 // verified before the break
	}{
		{"untouched", func(*testing.T, *pgxpool.Pool) {}, nil, 10},
		{"actor changed", sqlTamper(`UPDATE audit_log SET actor = 'staff:99' WHERE id = 5`),
			&Break{5, ReasonContentChanged}, 4},
		{"action changed", sqlTamper(`UPDATE audit_log SET action = 'staff_login' WHERE id = 1`),
			&Break{1, ReasonContentChanged}, 0},
		{"subject changed", sqlTamper(`UPDATE audit_log SET subject = 'mitid:1' WHERE id = 10`),
			&Break{10, ReasonContentChanged}, 9},
		{"detail value changed", sqlTamper(`UPDATE audit_log SET detail = detail || '{"via": "username"}' WHERE id = 7`),
			&Break{7, ReasonContentChanged}, 6},
		{"detail key added", sqlTamper(`UPDATE audit_log SET detail = detail || '{"note": ""}' WHERE id = 7`),
			&Break{7, ReasonContentChanged}, 6},
		{"time moved by a microsecond", sqlTamper(`UPDATE audit_log SET at = at + interval '1 microsecond' WHERE id = 3`),
			&Break{3, ReasonContentChanged}, 2},
		{"hash replaced", sqlTamper(`UPDATE audit_log SET hash = sha256('x') WHERE id = 4`),
			&Break{4, ReasonContentChanged}, 3},
		{"prev_hash replaced", sqlTamper(`UPDATE audit_log SET prev_hash = sha256('x') WHERE id = 6`),
			&Break{6, ReasonContentChanged}, 5},
		{"entry deleted", sqlTamper(`DELETE FROM audit_log WHERE id = 5`), &Break{6, ReasonMissing}, 4},
		{"two entries deleted", sqlTamper(`DELETE FROM audit_log WHERE id IN (8, 9)`), &Break{10, ReasonMissing}, 7},
		{"first entry deleted", sqlTamper(`DELETE FROM audit_log WHERE id = 1`), &Break{2, ReasonMissing}, 0},
		{"two entries swapped", sqlTamper(swap...), &Break{5, ReasonContentChanged}, 4},
		{"two entries swapped and rehashed", func(t *testing.T, pool *pgxpool.Pool) {
			tamper(t, pool, swap...)
			rehash(t, pool, 5)
			rehash(t, pool, 6)
		}, &Break{5, ReasonUnlinked}, 4},
		{"entry changed and rehashed", func(t *testing.T, pool *pgxpool.Pool) {
			tamper(t, pool, `UPDATE audit_log SET detail = '{}' WHERE id = 3`)
			rehash(t, pool, 3)
		}, &Break{4, ReasonUnlinked}, 3},
		{"entry deleted and the next relinked", func(t *testing.T, pool *pgxpool.Pool) {
			// The gap alone is no evidence (rollbacks leave gaps); the next link is.
			tamper(t, pool, `DELETE FROM audit_log WHERE id = 5`,
				`UPDATE audit_log SET prev_hash = (SELECT hash FROM audit_log WHERE id = 4) WHERE id = 6`)
			rehash(t, pool, 6)
		}, &Break{7, ReasonUnlinked}, 5},
		{"forged entry inserted at the end", func(t *testing.T, pool *pgxpool.Pool) {
			// INSERT needs no disabled trigger (the portal appends), but an entry that does not
			// link to the last one breaks the chain. One that does link is a valid append: the
			// chain proves that history was not changed, not who appended.
			sqlTamper(`INSERT INTO audit_log (id, at, actor, action, subject, detail, prev_hash, hash)
				VALUES (11, now(), 'staff:1', 'lift_block', 'mitid:3', '{}', sha256('x'), sha256('y'))`)(t, pool)
			rehash(t, pool, 11)
		}, &Break{11, ReasonUnlinked}, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pool := dbtest.New(t)
			l := NewLog(pool)
			appendN(t, l, 10)
			tt.tamper(t, pool)
			rep := mustVerify(t, l)
			if fmt.Sprint(rep.Broken) != fmt.Sprint(tt.want) || rep.Entries != tt.entries {
				t.Errorf("got break %v after %d entries, want %v after %d", rep.Broken, rep.Entries, tt.want, tt.entries)
			}
			if tt.want != nil && rep.LastID >= tt.want.ID {
				t.Errorf("last verified id %d is not before the break", rep.LastID)
			}
		})
	}
}

// TestNoFork: a second entry claiming the same predecessor is refused by the database, so even
// an insert that bypassed Append's lock cannot fork the chain.
func TestNoFork(t *testing.T) {
	pool := dbtest.New(t)
	appendN(t, NewLog(pool), 3)
	_, err := pool.Exec(context.Background(), `
		INSERT INTO audit_log (id, at, actor, action, subject, detail, prev_hash, hash)
		SELECT 10, at, actor, action, subject, detail, prev_hash, hash FROM audit_log WHERE id = 2`)
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "23505" {
		t.Errorf("got %v, want a unique violation", err)
	}
}

func sqlTamper(stmts ...string) func(*testing.T, *pgxpool.Pool) {
	return func(t *testing.T, pool *pgxpool.Pool) { tamper(t, pool, stmts...) }
}

// TestVerifyTailDeletion documents the chain's limit: entries deleted from the end leave an
// intact, shorter chain. Its head hash changes, so comparing the head with one recorded earlier
// (`portal audit verify` prints it) detects the deletion.
func TestVerifyTailDeletion(t *testing.T) {
	pool := dbtest.New(t)
	l := NewLog(pool)
	appendN(t, l, 5)
	before := mustVerify(t, l)
	tamper(t, pool, `DELETE FROM audit_log WHERE id = 5`)
	after := mustVerify(t, l)
	if !after.Intact() || after.Entries != 4 || after.LastID != 4 {
		t.Errorf("after deleting the last entry: %+v", after)
	}
	if bytes.Equal(before.Head, after.Head) || len(after.Head) != 32 {
		t.Errorf("the head did not change: %x", after.Head)
	}
	empty := mustVerify(t, NewLog(dbtest.New(t)))
	if !empty.Intact() || empty.Entries != 0 || !bytes.Equal(empty.Head, genesis[:]) {
		t.Errorf("empty log: %+v", empty)
	}
}

// TestDetailRoundTrip: details that PostgreSQL's jsonb normalises (key order, duplicate keys,
// number spelling, escapes) still verify, because the hash covers the stored form.
func TestDetailRoundTrip(t *testing.T) {
	ctx := context.Background()
	l := NewLog(dbtest.New(t))
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
	if rep := mustVerify(t, l); !rep.Intact() || rep.Entries != int64(len(details)) {
		t.Errorf("verify: %+v", rep.Broken)
	}
}

func TestCanonicalJSON(t *testing.T) {
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

// TestEntryHash pins the encoding: a change would make every stored log fail verification.
func TestEntryHash(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 0, 0, 123456000, time.UTC)
	h := entryHash(1, at, "staff:12", "citizen_lookup", "mitid:7", []byte(`{"via":"cpr"}`), genesis[:])
	const want = "550a4f4551e8fa6935f54400687ef1b9146018eb11495ffcb01082fda3b6ce78"
	if got := hex.EncodeToString(h); got != want {
		t.Errorf("hash %s, want %s", got, want)
	}
	if !bytes.Equal(h, entryHash(1, at.In(time.FixedZone("CET", 3600)), "staff:12", "citizen_lookup", "mitid:7", []byte(`{"via":"cpr"}`), genesis[:])) {
		t.Error("the time zone changes the hash")
	}
	// Moving bytes from one field to the next must change the hash (length prefixes).
	if bytes.Equal(entryHash(1, at, "ab", "c", "", []byte(`{}`), genesis[:]), entryHash(1, at, "a", "bc", "", []byte(`{}`), genesis[:])) {
		t.Error("field boundaries are ambiguous")
	}
}

// TestVerifyLargeChain verifies a long chain written directly (COPY, hashes computed here) and
// logs the rate.
func TestVerifyLargeChain(t *testing.T) {
	const n = 50_000
	ctx := context.Background()
	pool := dbtest.New(t)
	start := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
	prev := genesis[:]
	rows := make([][]any, n)
	for i := range rows {
		id, at := int64(i+1), start.Add(time.Duration(i)*time.Millisecond)
		actor, subject := Staff(int64(i%40)), MitID(int64(i))
		detail := fmt.Sprintf(`{"via": "cpr", "n": %d}`, i)
		canon, err := canonicalJSON([]byte(detail))
		if err != nil {
			t.Fatal(err)
		}
		hash := entryHash(id, at, actor, string(ActionCitizenLookup), subject, canon, prev)
		rows[i] = []any{id, at, actor, string(ActionCitizenLookup), subject, detail, prev, hash}
		prev = hash
	}
	_, err := pool.CopyFrom(ctx, pgx.Identifier{"audit_log"},
		[]string{"id", "at", "actor", "action", "subject", "detail", "prev_hash", "hash"}, pgx.CopyFromRows(rows))
	if err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	rep := mustVerify(t, NewLog(pool))
	elapsed := time.Since(began)
	if !rep.Intact() || rep.Entries != n || !bytes.Equal(rep.Head, prev) {
		t.Fatalf("verify: %+v", rep)
	}
	t.Logf("verified %d entries in %v = %.0f entries/s", n, elapsed.Round(time.Millisecond), n/elapsed.Seconds())
}
