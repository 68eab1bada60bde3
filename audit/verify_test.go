package audit

import (
	"context"
	"crypto/sha256"
	"fmt"
	"hash"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"mitidportal/db/dbtest"
)

// tamper runs stmts the way an operator with the table owner's or superuser rights could: with
// session_replication_role = replica, which silences the append-only triggers and the foreign
// keys (the test database's user is a superuser).
func tamper(t *testing.T, pool *pgxpool.Pool, stmts ...string) {
	t.Helper()
	ctx := context.Background()
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		for _, s := range append([]string{`SET LOCAL session_replication_role = replica`}, stmts...) {
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

func sqlTamper(stmts ...string) func(*testing.T, *pgxpool.Pool) {
	return func(t *testing.T, pool *pgxpool.Pool) { tamper(t, pool, stmts...) }
}

// reseal recomputes the seals from seq on, each linked to the one before, as someone who knows
// the encoding (it is no secret) would after changing an entry: with sum as the hash function
// and keyID written into the seals.
func reseal(t *testing.T, pool *pgxpool.Pool, from int64, keyID string, sum func() hash.Hash) {
	t.Helper()
	ctx := context.Background()
	rows, err := pool.Query(ctx, `
		SELECT s.seq, s.entry_id, l.at, l.actor, l.action, l.subject, l.detail::text,
		       coalesce((SELECT hash FROM audit_seal p WHERE p.seq = s.seq - 1), $2)
		FROM audit_seal s JOIN audit_log l ON l.id = s.entry_id WHERE s.seq >= $1 ORDER BY s.seq`, from, genesis[:])
	if err != nil {
		t.Fatal(err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (sealed, error) {
		var s sealed
		return s, r.Scan(&s.seq, &s.entryID, &s.at, &s.actor, &s.action, &s.subject, &s.detail, &s.prev)
	})
	if err != nil || len(list) == 0 {
		t.Fatalf("reseal from %d: %d seals, %v", from, len(list), err)
	}
	var stmts []string
	prev := list[0].prev
	for _, s := range list {
		s.keyID, s.prev = keyID, prev
		h := sum()
		if err := s.encode(h); err != nil {
			t.Fatal(err)
		}
		prev = h.Sum(nil)
		stmts = append(stmts, fmt.Sprintf(`UPDATE audit_seal SET key_id = '%s', prev_hash = '\x%x', hash = '\x%x' WHERE seq = %d`,
			keyID, s.prev, prev, s.seq))
	}
	// prev_hash is UNIQUE: move the old values out of the way first.
	tamper(t, pool, append([]string{fmt.Sprintf(`UPDATE audit_seal SET prev_hash = sha256(prev_hash || 'x') WHERE seq >= %d`, from)}, stmts...)...)
}

func hmacWith(k Key) func() hash.Hash {
	return func() hash.Hash { return hmacHash(k.Secret) }
}

// TestVerifyDetectsTampering changes a sealed and anchored chain of ten entries in the ways
// someone with direct database access could, and checks that Verify names the first bad entry.
func TestVerifyDetectsTampering(t *testing.T) {
	t.Parallel()
	const changeEntry5 = `UPDATE audit_log SET detail = '{"via": "username"}' WHERE id = 5`
	otherKey := Key{ID: "k1", Secret: []byte("not the real key, but the same id")[:KeySize]}
	tests := []struct {
		name     string
		tamper   func(t *testing.T, pool *pgxpool.Pool)
		noAnchor bool
		want     *Break
		entries  int64 // verified before the break
	}{
		{"untouched", func(*testing.T, *pgxpool.Pool) {}, false, nil, 10},
		{"actor changed", sqlTamper(`UPDATE audit_log SET actor = 'staff:99' WHERE id = 5`), false,
			&Break{5, 5, ReasonContentChanged}, 4},
		{"time moved by a microsecond", sqlTamper(`UPDATE audit_log SET at = at + interval '1 microsecond' WHERE id = 1`), false,
			&Break{1, 1, ReasonContentChanged}, 0},
		{"changed, every later hash recomputed with SHA-256", func(t *testing.T, pool *pgxpool.Pool) {
			tamper(t, pool, changeEntry5)
			reseal(t, pool, 5, "k1", sha256.New)
		}, false, &Break{5, 5, ReasonContentChanged}, 4},
		{"changed, every later hash recomputed with another key of the same id", func(t *testing.T, pool *pgxpool.Pool) {
			tamper(t, pool, changeEntry5)
			reseal(t, pool, 5, "k1", hmacWith(otherKey))
		}, false, &Break{5, 5, ReasonContentChanged}, 4},
		{"changed, every later hash recomputed with an unknown key id", func(t *testing.T, pool *pgxpool.Pool) {
			tamper(t, pool, changeEntry5)
			reseal(t, pool, 5, "evil", hmacWith(Key{ID: "evil", Secret: otherKey.Secret}))
		}, false, &Break{5, 5, ReasonUnknownKey}, 4},
		{"changed with the stolen key after the anchor", func(t *testing.T, pool *pgxpool.Pool) {
			tamper(t, pool, changeEntry5)
			reseal(t, pool, 5, "k1", hmacWith(key1))
		}, false, &Break{10, 0, ReasonAnchorMismatch}, 10},
		{"tail deleted after the anchor", sqlTamper(`DELETE FROM audit_seal WHERE seq > 8`, `DELETE FROM audit_log WHERE id > 8`), false,
			&Break{9, 0, ReasonTruncated}, 8},
		{"tail seals deleted, entries kept", sqlTamper(`DELETE FROM audit_seal WHERE seq = 10`), false,
			&Break{10, 0, ReasonTruncated}, 9},
		{"tail deleted, no anchor to compare with", sqlTamper(`DELETE FROM audit_seal WHERE seq > 8`, `DELETE FROM audit_log WHERE id > 8`), true,
			nil, 8},
		{"middle entry deleted", sqlTamper(`DELETE FROM audit_seal WHERE seq = 5`, `DELETE FROM audit_log WHERE id = 5`), false,
			&Break{6, 6, ReasonMissing}, 4},
		{"first entry deleted", sqlTamper(`DELETE FROM audit_seal WHERE seq = 1`, `DELETE FROM audit_log WHERE id = 1`), false,
			&Break{2, 2, ReasonMissing}, 0},
		{"entry deleted, its seal kept", sqlTamper(`DELETE FROM audit_log WHERE id = 7`), false,
			&Break{7, 7, ReasonEntryMissing}, 6},
		{"two entries' seals swapped", sqlTamper(`UPDATE audit_seal SET entry_id = -entry_id WHERE seq IN (5, 6)`,
			`UPDATE audit_seal SET entry_id = CASE entry_id WHEN -5 THEN 6 ELSE 5 END WHERE seq IN (5, 6)`), false, &Break{5, 6, ReasonContentChanged}, 4},
		{"two seals renumbered", sqlTamper(`UPDATE audit_seal SET seq = seq + 100 WHERE seq IN (5, 6)`,
			`UPDATE audit_seal SET seq = CASE seq WHEN 105 THEN 6 ELSE 5 END WHERE seq > 100`), false, &Break{5, 6, ReasonContentChanged}, 4},
		{"forged entry sealed with an unknown key id", sqlTamper(
			`INSERT INTO audit_log (id, at, actor, action, subject) VALUES (11, now(), 'staff:1', 'lift_block', 'mitid:3')`,
			`INSERT INTO audit_seal (seq, entry_id, key_id, prev_hash, hash)
				VALUES (11, 11, 'k9', (SELECT hash FROM audit_seal WHERE seq = 10), sha256('x'))`), false,
			&Break{11, 11, ReasonUnknownKey}, 10},
		{"entry inserted around Append, never sealed", sqlTamper(
			`INSERT INTO audit_log (id, at, actor, action, subject) VALUES (11, now() - interval '2 minutes', 'staff:1', 'lift_block', 'mitid:3')`), false,
			&Break{0, 11, ReasonUnsealed}, 10},
		{"anchor replaced by one made without the key", func(t *testing.T, pool *pgxpool.Pool) {}, false,
			&Break{10, 0, ReasonAnchorForged}, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			pool := dbtest.New(t)
			appendN(t, NewLog(pool), 10)
			c := newChain(t, pool, key1)
			if _, err := c.Seal(ctx); err != nil {
				t.Fatal(err)
			}
			anchor, err := c.Anchor(ctx)
			if err != nil || anchor.Seq != 10 || anchor.Count != 10 {
				t.Fatalf("anchor %+v, %v", anchor, err)
			}
			if tt.want != nil && tt.want.Reason == ReasonAnchorForged {
				anchor.MAC = anchor.mac(otherKey.Secret)
			}
			tt.tamper(t, pool)
			opts := VerifyOptions{Anchor: &anchor}
			if tt.noAnchor {
				opts.Anchor = nil
			}
			rep := sealAndVerify(t, c, opts)
			if fmt.Sprint(rep.Broken) != fmt.Sprint(tt.want) || rep.Entries != tt.entries {
				t.Errorf("got break %v after %d entries, want %v after %d", rep.Broken, rep.Entries, tt.want, tt.entries)
			}
			if tt.want == nil && rep.Anchored == tt.noAnchor {
				t.Errorf("anchored: %v", rep.Anchored)
			}
		})
	}
}

// TestKeyRotation: seals made with an old key verify as long as that key is configured.
func TestKeyRotation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.New(t)
	l := NewLog(pool)
	appendN(t, l, 3)
	if rep := sealAndVerify(t, newChain(t, pool, key1), VerifyOptions{}); !rep.Intact() || rep.Entries != 3 {
		t.Fatalf("before rotation: %+v", rep)
	}
	appendN(t, l, 3)
	rotated := newChain(t, pool, key2, key1)
	if _, err := rotated.Seal(ctx); err != nil {
		t.Fatal(err)
	}
	var keys []string
	if err := pool.QueryRow(ctx, `SELECT array_agg(key_id ORDER BY seq) FROM audit_seal`).Scan(&keys); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(keys) != "[k1 k1 k1 k2 k2 k2]" {
		t.Errorf("key ids %v", keys)
	}
	tests := []struct {
		name string
		keys []Key
		want *Break
	}{
		{"new key first, old kept", []Key{key2, key1}, nil},
		{"old key first", []Key{key1, key2}, nil},
		{"old key removed", []Key{key2}, &Break{1, 1, ReasonUnknownKey}},
		{"new key missing", []Key{key1}, &Break{4, 4, ReasonUnknownKey}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := newChain(t, pool, tt.keys...).Verify(ctx, VerifyOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(rep.Broken) != fmt.Sprint(tt.want) {
				t.Errorf("got %v, want %v", rep.Broken, tt.want)
			}
		})
	}
}

// TestUnsealedWithinGrace: an entry committed a moment ago and not sealed yet is counted, not
// reported; the same entry past the grace period is.
func TestUnsealedWithinGrace(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.New(t)
	appendN(t, NewLog(pool), 2)
	c := newChain(t, pool, key1)
	rep, err := c.Verify(ctx, VerifyOptions{})
	if err != nil || !rep.Intact() || rep.Unsealed != 2 || rep.Entries != 0 {
		t.Errorf("fresh entries: %+v %v", rep, err)
	}
	time.Sleep(20 * time.Millisecond)
	rep, err = c.Verify(ctx, VerifyOptions{Grace: 10 * time.Millisecond})
	if err != nil || fmt.Sprint(rep.Broken) != fmt.Sprint(&Break{0, 1, ReasonUnsealed}) {
		t.Errorf("entries past the grace period: %+v %v", rep.Broken, err)
	}
}
