package bench

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"mitidportal/app/apptest"
	"mitidportal/audit"
	"mitidportal/db"
	"mitidportal/support"
)

// BenchmarkCaseCreation measures opening cases as the desk does, through the real domain code
// in one transaction each: the case, its first timeline entry, the receipt in the mail outbox
// (Cases.OpenWithReceiptTx) and the agent's entry in the audit log (audit.Log.Append), from 8
// goroutines for a few seconds. The baseline, on the same database in the same run with the
// same goroutines, is a raw one-row INSERT into a plain table, each its own transaction; raw
// and domain alternate twice and each takes its best round. Target: >= 0.35x raw.
func BenchmarkCaseCreation(b *testing.B) {
	ctx := context.Background()
	env := apptest.New(b, apptest.Options{})
	pool := env.App.Pool
	var staff int64
	if err := pool.QueryRow(ctx, `INSERT INTO staff_user (email, name, roles) VALUES ('bench@support.example', 'Bench', '{agent}')
		RETURNING id`).Scan(&staff); err != nil {
		b.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `CREATE TABLE bench_raw (id bigserial PRIMARY KEY, body text NOT NULL, at timestamptz NOT NULL)`); err != nil {
		b.Fatal(err)
	}
	raw := func(ctx context.Context, i int) error {
		_, err := pool.Exec(ctx, `INSERT INTO bench_raw (body, at) VALUES ($1, now())`, fmt.Sprintf("Mistet kodeviser %d", i))
		return err
	}
	open := func(ctx context.Context, i int) error {
		return db.Transact(ctx, pool, func(tx pgx.Tx) error {
			c, err := env.App.Cases.OpenWithReceiptTx(ctx, tx, support.NewCase{
				Channel: support.ChannelPhone, System: support.SystemMitID, Category: support.CategoryLostMeans,
				Name: "Anne Jensen", Email: fmt.Sprintf("anne.jensen%d@example.dk", i), Phone: "+45 21 43 65 87",
				Subject: "Mistet kodeviser", Message: "Jeg har mistet min kodeviser og vil gerne have en ny sendt.",
				StaffID: staff, AssigneeID: staff,
			})
			if err != nil {
				return err
			}
			return env.App.Audit.Append(ctx, tx, audit.Entry{Actor: audit.Staff(staff), Action: audit.ActionCitizenLookup,
				Detail: map[string]any{"via": "phone", "found": 0, "case": c.Ref}})
		})
	}
	// The bound of any opening: the case's row alone, one autocommitted INSERT with the
	// columns and search vector an opening writes, and nothing else (no entries, outbox, job,
	// audit, no transaction around it).
	row := func(ctx context.Context, i int) error {
		ref, err := support.NewRef() // as an opening draws it
		if err != nil {
			return err
		}
		_, err = pool.Exec(ctx, `INSERT INTO support_case (ref, channel, system, category, priority, tags,
			contact_name, contact_email, contact_phone, lang, subject, created_at, updated_at, search)
			VALUES ($1, 'phone', 'mitid', 'lost_means', 'normal', '{}', 'Anne Jensen', $2, '+45 21 43 65 87', 'da',
				'Mistet kodeviser', now(), now(), setweight(to_tsvector('danish', 'Mistet kodeviser'), 'A') ||
				setweight(to_tsvector('danish', 'Jeg har mistet min kodeviser og vil gerne have en ny sendt.'), 'B'))
			ON CONFLICT (ref) DO NOTHING`, // as an opening's insert: a code an opening drew is taken
			ref, fmt.Sprintf("anne.jensen%d@example.dk", i))
		return err
	}
	b.ResetTimer()
	for range b.N {
		var rawTPS, openTPS, rowTPS float64
		for range 2 {
			rawTPS = max(rawTPS, tps(ctx, b, 8, 3*time.Second, raw))
			openTPS = max(openTPS, tps(ctx, b, 8, 3*time.Second, open))
			rowTPS = max(rowTPS, tps(ctx, b, 8, 3*time.Second, row))
		}
		fmt.Printf("\ncase creation (case, timeline, outbox, audit in one transaction), 8 goroutines: %.0f/s; raw one-row INSERT: %.0f/s\n",
			openTPS, rawTPS)
		fmt.Printf("bound: the case's row alone, one INSERT and nothing else: %.0f/s, %.2fx raw\n", rowTPS, rowTPS/rawTPS)
		atLeast("case_creation_tps", openTPS, rawTPS, "/s", 0.35)
	}
}

// tps runs op from conc goroutines for d and returns the operations per second.
func tps(ctx context.Context, b *testing.B, conc int, d time.Duration, op func(context.Context, int) error) float64 {
	var n atomic.Int64
	var wg sync.WaitGroup
	var first atomic.Value
	deadline := time.Now().Add(d)
	start := time.Now()
	for g := range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := g * 10_000_000; time.Now().Before(deadline); i++ {
				if err := op(ctx, i); err != nil {
					first.CompareAndSwap(nil, err)
					return
				}
				n.Add(1)
			}
		}()
	}
	wg.Wait()
	if err, _ := first.Load().(error); err != nil {
		b.Fatal(err)
	}
	return float64(n.Load()) / time.Since(start).Seconds()
}
