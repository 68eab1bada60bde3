package db_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"mitidportal/db"
	"mitidportal/db/dbtest"
)

// made counts the things made (rows of a table of the test's own).
func made(t *testing.T, pool *pgxpool.Pool) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM thing`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestFormKeyOnce: one key makes one thing, also sent ten times at once, and each sending gets
// its id; another key, another person or another purpose makes another; an action that fails
// leaves the key unused; a malformed key is refused; "" makes without recording; keys used a
// day ago are pruned.
func TestFormKeyOnce(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	ctx := context.Background()
	if _, err := pool.Exec(ctx, `CREATE TABLE thing (id bigserial PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)
	fail := errors.New("refused")
	send := func(purpose string, actor int64, key string, at time.Time, failing bool) (int64, bool, error) {
		var (
			id    int64
			first bool
		)
		err := db.Transact(ctx, pool, func(tx pgx.Tx) error {
			var err error
			id, first, err = db.Once(ctx, tx, purpose, actor, key, at, func() (int64, error) {
				var id int64
				if err := tx.QueryRow(ctx, `INSERT INTO thing DEFAULT VALUES RETURNING id`).Scan(&id); err != nil {
					return 0, err
				}
				if failing {
					return 0, fail
				}
				return id, nil
			})
			return err
		})
		return id, first, err
	}

	key := db.NewFormKey()
	if !db.ValidFormKey(key) || len(key) != 22 || key == db.NewFormKey() {
		t.Fatalf("NewFormKey gave %q", key)
	}
	var (
		wg     sync.WaitGroup
		ids    = make([]int64, 10)
		firsts = make([]bool, 10)
		errs   = make([]error, 10)
		start  = make(chan struct{})
	)
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			ids[i], firsts[i], errs[i] = send("test", 1, key, now, false)
		}()
	}
	close(start)
	wg.Wait()
	nFirst := 0
	for i := range ids {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if ids[i] != ids[0] || ids[i] == 0 {
			t.Errorf("sending %d got id %d, the first %d", i, ids[i], ids[0])
		}
		if firsts[i] {
			nFirst++
		}
	}
	if n := made(t, pool); n != 1 || nFirst != 1 {
		t.Fatalf("one key sent ten times at once made %d things, %d said they made it; want 1 and 1", n, nFirst)
	}

	for _, tc := range []struct {
		name    string
		purpose string
		actor   int64
		key     string
		failing bool
		wantErr error
		more    int
	}{
		{name: "another key", purpose: "test", actor: 1, key: db.NewFormKey(), more: 1},
		{name: "the key by another person", purpose: "test", actor: 2, key: key, more: 1},
		{name: "the key for another purpose", purpose: "other", actor: 1, key: key, more: 1},
		{name: "no key", purpose: "test", actor: 1, key: "", more: 1},
		{name: "a malformed key", purpose: "test", actor: 1, key: "not-a-key", wantErr: db.ErrFormKey},
		{name: "a failed action", purpose: "test", actor: 1, key: "AAAAAAAAAAAAAAAAAAAAAA", failing: true, wantErr: fail},
		{name: "the failed action's key, again", purpose: "test", actor: 1, key: "AAAAAAAAAAAAAAAAAAAAAA", more: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := made(t, pool)
			_, _, err := send(tc.purpose, tc.actor, tc.key, now, tc.failing)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("error %v, want %v", err, tc.wantErr)
			}
			if got := made(t, pool) - before; got != tc.more {
				t.Errorf("made %d, want %d", got, tc.more)
			}
		})
	}

	// A day later the key is pruned; a fresh one stays.
	fresh := db.NewFormKey()
	if _, _, err := send("test", 1, fresh, now.Add(db.FormKeyLife), false); err != nil {
		t.Fatal(err)
	}
	n, err := db.PruneFormKeys(ctx, pool, now.Add(db.FormKeyLife+time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if n != 5 { // the ten sendings' key, another key, by the other person, for the other purpose, the failed one's
		t.Errorf("pruned %d keys, want 5", n)
	}
	before := made(t, pool)
	if _, first, _ := send("test", 1, fresh, now, false); first || made(t, pool) != before {
		t.Error("the fresh key was pruned")
	}
}
