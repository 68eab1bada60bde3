package audit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"mitidportal/db/dbtest"
	"mitidportal/locales"
)

func appendN(t *testing.T, l *Log, n int) {
	t.Helper()
	for i := range n {
		e := Entry{Actor: Staff(int64(1 + i%3)), Action: ActionCitizenLookup, Subject: MitID(int64(i)),
			Detail: map[string]any{"via": "cpr", "n": i}}
		if err := l.AppendNow(context.Background(), e); err != nil {
			t.Fatal(err)
		}
	}
}

// Test keys: fixed, so that a failing case can be replayed by hand.
var (
	key1 = Key{ID: "k1", Secret: bytes.Repeat([]byte{1}, KeySize)}
	key2 = Key{ID: "k2", Secret: bytes.Repeat([]byte{2}, KeySize)}
)

func newChain(t *testing.T, pool *pgxpool.Pool, keys ...Key) *Chain {
	t.Helper()
	ring, err := NewKeyring(keys...)
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewChain(pool, ring)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// mustVerify seals what is pending with key1 and verifies without an anchor.
func mustVerify(t *testing.T, pool *pgxpool.Pool) Report {
	t.Helper()
	return sealAndVerify(t, newChain(t, pool, key1), VerifyOptions{})
}

func sealAndVerify(t *testing.T, c *Chain, opts VerifyOptions) Report {
	t.Helper()
	if _, err := c.Seal(context.Background()); err != nil {
		t.Fatal(err)
	}
	rep, err := c.Verify(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestAppendAndList(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.New(t)
	l := NewLog(pool)
	entries := []Entry{
		{Actor: Staff(1), Action: ActionCitizenLookup, Subject: MitID(7), Detail: map[string]any{"via": "cpr"}},
		{Actor: Staff(1), Action: ActionBlockMitID, Subject: MitID(7), Detail: map[string]any{"reason": "stolen", "case": "SATEBY"}},
		{Actor: Staff(2), Action: ActionCitizenLookup, Subject: MitID(8)},
		{Actor: ActorSystem, Action: ActionStaffCreated, Subject: Staff(3), Detail: map[string]any{"roles": []any{"agent"}}},
		{Actor: Staff(2), Action: ActionVerifyCaller, Subject: Case("SATEBY"), Detail: map[string]any{"result": "approved"}},
	}
	for _, e := range entries {
		if err := l.AppendNow(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name string
		f    Filter
		want []int64
	}{
		{"all, newest first", Filter{}, []int64{5, 4, 3, 2, 1}},
		{"by subject", Filter{Subject: MitID(7)}, []int64{2, 1}},
		{"by actor", Filter{Actor: Staff(2)}, []int64{5, 3}},
		{"by actor and subject", Filter{Actor: Staff(1), Subject: MitID(7)}, []int64{2, 1}},
		{"page", Filter{Limit: 2}, []int64{5, 4}},
		{"next page", Filter{Before: 4, Limit: 2}, []int64{3, 2}},
		{"next page by subject", Filter{Subject: MitID(7), Before: 2}, []int64{1}},
		{"nothing", Filter{Subject: "mitid:999"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := l.List(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, r := range got {
				ids = append(ids, r.ID)
			}
			if fmt.Sprint(ids) != fmt.Sprint(tt.want) {
				t.Errorf("ids %v, want %v", ids, tt.want)
			}
		})
	}
	got, err := l.List(ctx, Filter{Before: 3, Limit: 1})
	if err != nil || len(got) != 1 {
		t.Fatalf("list: %v %v", got, err)
	}
	r := got[0]
	if r.Actor != Staff(1) || r.Action != ActionBlockMitID || r.Subject != MitID(7) ||
		r.Detail["reason"] != "stolen" || r.Detail["case"] != "SATEBY" || time.Since(r.At) > time.Minute {
		t.Errorf("entry 2 read back as %+v", r)
	}
	if rep := mustVerify(t, pool); !rep.Intact() || rep.Entries != 5 || rep.LastID != 5 || rep.Unsealed != 0 {
		t.Errorf("verify: %+v", rep)
	}
}

// TestAppendJoinsTheCallersTransaction: the entry commits or rolls back with the action it
// records, and a rolled-back append's unused id is not mistaken for a deletion.
func TestAppendJoinsTheCallersTransaction(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.New(t)
	l := NewLog(pool)
	appendN(t, l, 2)
	errAction := errors.New("the action failed")
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if err := l.Append(ctx, tx, Entry{Actor: Staff(1), Action: ActionBlockMitID, Subject: MitID(1)}); err != nil {
			return err
		}
		return errAction
	})
	if !errors.Is(err, errAction) {
		t.Fatal(err)
	}
	appendN(t, l, 2)
	list, err := l.List(ctx, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range list {
		if r.Action == ActionBlockMitID {
			t.Error("the rolled-back entry is in the log")
		}
	}
	if len(list) != 4 || list[1].ID != 4 || list[2].ID != 2 {
		t.Errorf("want ids 5 4 2 1 (3 was rolled back), got %d entries starting %d", len(list), list[0].ID)
	}
	if rep := mustVerify(t, pool); !rep.Intact() || rep.Entries != 4 {
		t.Errorf("a gap from a rollback must verify: %+v", rep.Broken)
	}
}

// TestAppendInAnyIsolationLevel: Append no longer reads the chain's head, so a REPEATABLE READ
// or SERIALIZABLE transaction (whose snapshot may predate other entries) can append too.
func TestAppendInAnyIsolationLevel(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.New(t)
	l := NewLog(pool)
	appendN(t, l, 1)
	for _, iso := range []pgx.TxIsoLevel{pgx.ReadCommitted, pgx.RepeatableRead, pgx.Serializable} {
		t.Run(string(iso), func(t *testing.T) {
			err := pgx.BeginTxFunc(ctx, pool, pgx.TxOptions{IsoLevel: iso}, func(tx pgx.Tx) error {
				return l.Append(ctx, tx, Entry{Actor: ActorSystem, Action: ActionStaffLogin})
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	for _, e := range []Entry{{Action: ActionStaffLogin}, {Actor: ActorSystem}} {
		if err := l.AppendNow(ctx, e); err == nil {
			t.Errorf("entry %+v accepted", e)
		}
	}
	if rep := mustVerify(t, pool); !rep.Intact() || rep.Entries != 4 {
		t.Errorf("verify: %+v", rep)
	}
}

// TestTableRefusesChanges: the triggers refuse UPDATE, DELETE and TRUNCATE of the log and the
// chain to everyone.
func TestTableRefusesChanges(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.New(t)
	l := NewLog(pool)
	appendN(t, l, 3)
	mustVerify(t, pool) // seals
	for _, stmt := range []string{
		`UPDATE audit_log SET actor = 'staff:99' WHERE id = 2`,
		`UPDATE audit_log SET detail = '{}'`,
		`DELETE FROM audit_log WHERE id = 3`,
		`DELETE FROM audit_log WHERE id = 99`,
		`TRUNCATE audit_log`,
		`UPDATE audit_seal SET key_id = 'k2' WHERE seq = 1`,
		`DELETE FROM audit_seal WHERE seq = 3`,
		`TRUNCATE audit_seal`,
	} {
		t.Run(stmt, func(t *testing.T) {
			_, err := pool.Exec(ctx, stmt)
			// TRUNCATE audit_log is refused by the seals' foreign key before the trigger runs.
			var pgErr *pgconn.PgError
			if !errors.As(err, &pgErr) || (pgErr.Code != "42501" && pgErr.Code != "0A000") {
				t.Errorf("got %v, want insufficient_privilege from the trigger", err)
			}
		})
	}
	if rep := mustVerify(t, pool); !rep.Intact() || rep.Entries != 3 {
		t.Errorf("log changed: %+v", rep)
	}
}

// TestMessagesExist: every action has a display name in every language.
func TestMessagesExist(t *testing.T) {
	t.Parallel()
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range Actions {
		for _, lang := range locales.Supported {
			if !cat.Has(lang, a.MsgID()) {
				t.Errorf("message %q is missing in %s", a.MsgID(), lang)
			}
		}
	}
}
