package bench

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"mitidportal/support"
)

// BenchmarkSearchCPU measures the server's CPU time per search, which the machine's load
// inflates far less than the wall clock: BenchmarkSearch's mix of queries on one connection,
// each distinct query run searchCPURuns times and its backend's user and system time read
// from /proc (the server must run on this machine, as devdb's does). It prints the CPU time per
// kind of query, the costliest queries, and the p95 of the mix counted with each query's CPU
// time (the target is BenchmarkSearch's: 30 ms). Run with -benchtime 1x.
func BenchmarkSearchCPU(b *testing.B) {
	ctx := context.Background()
	big, info := bigDB(b)
	rng := rand.New(rand.NewPCG(4, 2026)) // BenchmarkSearch's mix
	_, refs, err := sampleCases(ctx, big, rng, 500)
	if err != nil {
		b.Fatal(err)
	}
	queries := searchQueries(rng, refs, 300)
	cfg := big.Config().Copy()
	cfg.MaxConns, cfg.MinConns = 1, 1
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer pool.Close()
	var pid int
	if err := pool.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&pid); err != nil {
		b.Fatal(err)
	}
	cph, err := time.LoadLocation("Europe/Copenhagen")
	if err != nil {
		b.Fatal(err)
	}
	cases := support.NewCases(pool, support.DefaultSchedule(cph))
	b.ResetTimer()
	for range b.N {
		cpu := map[string]time.Duration{} // per distinct query
		for _, q := range queries {
			if _, ok := cpu[q.text]; ok {
				continue
			}
			if _, err := cases.Search(ctx, q.text, 25); err != nil { // warm
				b.Fatal(err)
			}
			before, err := cpuTime(pid)
			if err != nil {
				b.Fatal(err)
			}
			for range searchCPURuns {
				if _, err := cases.Search(ctx, q.text, 25); err != nil {
					b.Fatal(err)
				}
			}
			after, err := cpuTime(pid)
			if err != nil {
				b.Fatal(err)
			}
			cpu[q.text] = (after - before) / searchCPURuns
		}
		var all []time.Duration
		byKind := map[string][]time.Duration{}
		for _, q := range queries {
			all = append(all, cpu[q.text])
			byKind[q.kind] = append(byKind[q.kind], cpu[q.text])
		}
		fmt.Printf("\nsupport search, server CPU per query: %d cases (%s), %d runs each\n", info.Cases, info.describe(), searchCPURuns)
		w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintf(w, "queries\tmix\tmedian\tp95\tmax\t\n")
		row := func(name string, ds []time.Duration) {
			fmt.Fprintf(w, "%s\t%d\t%s\t%s\t%s\t\n", name, len(ds), round(percentile(ds, 50)), round(percentile(ds, 95)), round(percentile(ds, 100)))
		}
		row("search, all", all)
		for _, k := range []string{"word", "words", "phrase", "ref", "rare", "prefix", "contact"} {
			row("  "+k, byKind[k])
		}
		w.Flush()
		texts := make([]string, 0, len(cpu))
		for t := range cpu {
			texts = append(texts, t)
		}
		slices.SortFunc(texts, func(a, b string) int { return cmp.Compare(cpu[b], cpu[a]) })
		fmt.Printf("costliest:")
		for _, t := range texts[:min(25, len(texts))] {
			fmt.Printf(" %q %s;", t, round(cpu[t]))
		}
		fmt.Println()
		p95 := ms(percentile(all, 95))
		figure("search_cpu_p95_1M_cases", p95, "ms", "<=30ms", p95 <= 30)
		b.ReportMetric(float64(percentile(all, 95).Microseconds()), "search-cpu-p95-µs")
	}
}

// searchCPURuns is how often BenchmarkSearchCPU runs each query: the kernel counts CPU time in
// ticks of 10 ms.
const searchCPURuns = 20
