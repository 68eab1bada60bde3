package audit

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"mitidportal/db/dbtest"
)

// TestAppendsDoNotWaitForEachOther: 100 goroutines append in their own transactions while five
// of them keep their transaction (holding an unsealed entry) open and the sealer runs. The other
// 95 must commit within the time limit, which they could not while Append held one lock until
// commit; afterwards all 100 entries are sealed and the chain verifies.
func TestAppendsDoNotWaitForEachOther(t *testing.T) {
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
