package audit

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"mitidportal/db/dbtest"
)

// TestAppendsDoNotWaitForEachOther: 100 goroutines append in their own transactions while five
// of them keep their transaction (holding an unsealed entry) open and the sealer runs. The other
// 95 must commit within the time limit, which they could not while Append held one lock until
// commit; afterwards all 100 entries are sealed and the chain verifies.
func TestAppendsDoNotWaitForEachOther(t *testing.T) {
	t.Parallel()
	const total, holders = 100, 5
	const limit = 10 * time.Second
	ctx := context.Background()
	pool := dbtest.New(t)
	l := NewLog(pool)
	c := newChain(t, pool, key1)

	sealCtx, stopSealer := context.WithCancel(ctx)
	sealerDone := make(chan struct{})
	go func() {
		defer close(sealerDone)
		c.Run(sealCtx, 10*time.Millisecond, slog.New(slog.NewTextHandler(io.Discard, nil)))
	}()

	release := make(chan struct{})
	appended := make(chan struct{}, holders)
	holderErrs := make(chan error, holders)
	var held sync.WaitGroup
	for i := range holders {
		held.Go(func() {
			holderErrs <- pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
				err := l.Append(ctx, tx, Entry{Actor: Staff(int64(i)), Action: ActionBlockMitID, Subject: MitID(int64(i))})
				appended <- struct{}{}
				<-release // the rest of a long action, after its audit entry
				return err
			})
		})
	}
	// finish releases the holders and waits for every goroutine, so that a failure does not
	// leave them running past the test.
	others := make(chan []error, 1)
	finish := func() []error {
		close(release)
		held.Wait()
		stopSealer()
		<-sealerDone
		close(holderErrs)
		var errs []error
		for err := range holderErrs {
			if err != nil {
				errs = append(errs, err)
			}
		}
		return errs
	}
	timeout := time.After(limit)
	for range holders {
		select {
		case <-appended:
		case <-timeout:
			finish()
			t.Fatalf("the holders' appends waited for each other for %v", limit)
		}
	}

	start := time.Now()
	go func() {
		others <- parallel(total-holders, 1, func(w, _ int) error {
			return l.AppendNow(ctx, Entry{Actor: Staff(int64(w)), Action: ActionCitizenLookup, Subject: MitID(int64(w))})
		})
	}()
	select {
	case errs := <-others:
		for _, err := range errs {
			t.Error(err)
		}
		t.Logf("%d appends committed in %v while %d transactions held unsealed entries open",
			total-holders, time.Since(start).Round(time.Millisecond), holders)
	case <-timeout:
		finish()
		<-others
		t.Fatalf("appends did not commit within %v while other audited transactions were open: they wait for each other", limit)
	}
	for _, err := range finish() {
		t.Error(err)
	}

	rep := sealAndVerify(t, c, VerifyOptions{})
	if !rep.Intact() || rep.Entries != total || rep.Unsealed != 0 {
		t.Errorf("want %d sealed entries in an intact chain, got %+v", total, rep)
	}
}

// TestTrySealSkipsWhileAnotherSeals: instances ticking together do not queue for the lock.
func TestTrySealSkipsWhileAnotherSeals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.New(t)
	appendN(t, NewLog(pool), 3)
	c := newChain(t, pool, key1)
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, sealLockKey); err != nil {
		t.Fatal(err)
	}
	if n, err := c.TrySeal(ctx); n != 0 || err != nil {
		t.Errorf("TrySeal while another sealer holds the lock: %d %v", n, err)
	}
	// Seal waits for the lock instead, and seals once it is free.
	type result struct {
		n   int
		err error
	}
	sealed := make(chan result, 1)
	go func() {
		n, err := c.Seal(ctx)
		sealed <- result{n, err}
	}()
	select {
	case r := <-sealed:
		t.Fatalf("Seal did not wait for the lock: %+v", r)
	case <-time.After(200 * time.Millisecond):
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if r := <-sealed; r.n != 3 || r.err != nil {
		t.Errorf("Seal after the lock was released: %+v", r)
	}
}

// TestParallelAppends: appends from many transactions at once form one chain; their rate is
// logged against plain inserts.
func TestParallelAppends(t *testing.T) {
	const workers, each = 8, 50
	ctx := context.Background()
	pool := dbtest.New(t)
	l := NewLog(pool)
	perSecond := func(n int, d time.Duration) float64 { return float64(n) / d.Seconds() }
	// Open the pool's connections first, so that neither measurement pays for them.
	if _, err := pool.Exec(ctx, `CREATE TABLE warm_up (n int)`); err != nil {
		t.Fatal(err)
	}
	for _, err := range parallel(workers, 2, func(w, _ int) error {
		_, err := pool.Exec(ctx, `INSERT INTO warm_up VALUES ($1)`, w)
		return err
	}) {
		t.Fatal(err)
	}

	start := time.Now()
	errs := parallel(workers, each, func(w, i int) error {
		return l.AppendNow(ctx, Entry{Actor: Staff(int64(w)), Action: ActionCitizenLookup,
			Subject: MitID(int64(i)), Detail: map[string]any{"worker": w, "i": i}})
	})
	elapsed := time.Since(start)
	for _, err := range errs {
		t.Error(err)
	}
	rep := mustVerify(t, pool)
	if !rep.Intact() || rep.Entries != workers*each {
		t.Fatalf("want an intact chain of %d links, got %+v", workers*each, rep)
	}

	// Baseline: the same transactions inserting into a table of the same shape without the
	// pending marker, on the same connections and concurrency.
	base := baselineInserts(t, pool, workers, each)
	t.Logf("appends: %d in %v = %.0f/s with %d goroutines; plain inserts (baseline): %.0f/s; audited/plain %.2f",
		workers*each, elapsed.Round(time.Millisecond), perSecond(workers*each, elapsed), workers,
		perSecond(workers*each, base), base.Seconds()/elapsed.Seconds())
}

// parallel runs fn(w, i) for each of n workers and i < each, and returns the errors.
func parallel(n, each int, fn func(w, i int) error) []error {
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for w := range n {
		wg.Go(func() {
			for i := range each {
				if err := fn(w, i); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
					return
				}
			}
		})
	}
	wg.Wait()
	return errs
}

func baselineInserts(t *testing.T, pool *pgxpool.Pool, workers, each int) time.Duration {
	ctx := context.Background()
	if _, err := pool.Exec(ctx, `CREATE TABLE baseline (LIKE audit_log INCLUDING DEFAULTS)`); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	errs := parallel(workers, each, func(w, i int) error {
		return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, `
				INSERT INTO baseline (id, at, actor, action, subject, detail)
				VALUES ($1, clock_timestamp(), $2, 'citizen_lookup', 'mitid:1', $3::jsonb)`,
				w*each+i, Staff(int64(w)), fmt.Sprintf(`{"worker": %d, "i": %d}`, w, i))
			return err
		})
	})
	if len(errs) > 0 {
		t.Fatal(errs[0])
	}
	return time.Since(start)
}
