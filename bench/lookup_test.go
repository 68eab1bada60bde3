package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"mitidportal/support"
)

// deskLookups are the desk's look-ups of a citizen as support/citizens.go runs them
// (findCitizens, citizenWhere: $1 the key), and the primary-key look-up of the same rows as the
// baseline. TestLookupsUseIndexes (support) checks that their plans use indexes; this measures
// them at a million MitIDs.
var deskLookups = []struct{ name, where string }{
	{"primary key (baseline)", `m.id = $1::bigint`},
	{"cpr", `m.cpr = $1`},
	{"username", `lower(m.username) = $1`},
	{"email", `lower(p.email) = $1`},
	{"phone", `m.id IN (SELECT mitid_id FROM support_case WHERE contact_phone_key = $1 AND contact_phone_key <> ''
		AND mitid_id IS NOT NULL)`},
}

// BenchmarkLookups measures the desk's CPR number, username, e-mail and phone look-ups of
// citizens on the big database (1,000,000 MitIDs, 1,000,000 cases): each statement's p95 over
// 300 random keys, against the primary key in the same run; the target is absolute (<= 1 ms).
// It also times the whole search box (Cases.Find: the citizens, their cases and a text search of
// the query) for each kind, for information.
func BenchmarkLookups(b *testing.B) {
	ctx := context.Background()
	pool, info := bigDB(b)
	rng := rand.New(rand.NewPCG(7, 2026))
	keys, err := lookupKeys(ctx, pool, rng, info, 300)
	if err != nil {
		b.Fatal(err)
	}
	cph, err := time.LoadLocation("Europe/Copenhagen")
	if err != nil {
		b.Fatal(err)
	}
	noop := func(context.Context, pgx.Tx, support.Lookup) error { return nil }
	cases := support.NewCases(pool, support.DefaultSchedule(cph), support.WithLookupHook(noop))
	b.ResetTimer()
	for range b.N {
		fmt.Printf("\ndesk look-ups: %d MitIDs, %d cases (%s)\n", info.MitIDs, info.Cases, info.describe())
		w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintf(w, "look-up\tkeys\tfound\tmedian\tp95\tsearch box median\tsearch box p95\t\n")
		p95 := map[string]float64{}
		for _, l := range deskLookups {
			sql := `SELECT m.id, m.cpr, m.username, p.given_name || ' ' || p.family_name, m.status
				FROM mitid m JOIN person p ON p.cpr = m.cpr WHERE ` + l.where + `
				ORDER BY m.status = 'revoked', m.id DESC LIMIT 10`
			var ds, box []time.Duration
			found := 0
			for i, k := range keys[l.name] {
				if i < 10 { // the statement prepared and the pages warm, as on a running desk
					if _, err := pool.Exec(ctx, sql, k.sql); err != nil {
						b.Fatal(err)
					}
				}
				start := time.Now()
				rows, err := pool.Query(ctx, sql, k.sql)
				if err != nil {
					b.Fatal(err)
				}
				n := 0
				for rows.Next() {
					n++
				}
				if rows.Err() != nil {
					b.Fatal(rows.Err())
				}
				ds = append(ds, time.Since(start))
				if n > 0 {
					found++
				}
				if k.typed != "" && i < 50 { // the whole search box is slower: fewer suffice
					start = time.Now()
					if _, err := cases.Find(ctx, k.typed, 1, 25); err != nil {
						b.Fatal(err)
					}
					box = append(box, time.Since(start))
				}
			}
			p95[l.name] = ms(percentile(ds, 95))
			bm, bp := "-", "-"
			if len(box) > 0 {
				bm, bp = round(percentile(box, 50)).String(), round(percentile(box, 95)).String()
			}
			fmt.Fprintf(w, "%s\t%d\t%d\t%s\t%s\t%s\t%s\t\n", l.name, len(ds), found, round(percentile(ds, 50)),
				round(percentile(ds, 95)), bm, bp)
		}
		w.Flush()
		base := p95["primary key (baseline)"]
		for _, l := range deskLookups[1:] {
			printFigure("desk_lookup_"+l.name+"_p95_1M_mitids", p95[l.name], base, "ms", "<=1ms", p95[l.name] <= 1)
		}
	}
}

// lookupKey is a key as the statement takes it and as an agent types it into the search box.
type lookupKey struct {
	sql   any
	typed string
}

// lookupKeys picks n random keys of each kind: MitIDs by id, CPR number, username (typed in
// other letters), e-mail address, and the phone numbers of random cases.
func lookupKeys(ctx context.Context, pool *pgxpool.Pool, rng *rand.Rand, info bigInfo, n int) (map[string][]lookupKey, error) {
	keys := map[string][]lookupKey{}
	for range n {
		i := rng.IntN(info.MitIDs)
		keys["primary key (baseline)"] = append(keys["primary key (baseline)"], lookupKey{sql: int64(1 + rng.IntN(info.MitIDs))})
		cpr := bigCPR(i)
		keys["cpr"] = append(keys["cpr"], lookupKey{cpr, cpr[:6] + "-" + cpr[6:]})
		u := bigUsername(i)
		keys["username"] = append(keys["username"], lookupKey{u, strings.ToUpper(u[:1]) + u[1:]})
		keys["email"] = append(keys["email"], lookupKey{bigEmail(i), strings.ToUpper(bigEmail(i))})
	}
	ids, _, err := sampleCases(ctx, pool, rng, n)
	if err != nil {
		return nil, err
	}
	rows, err := pool.Query(ctx, `SELECT contact_phone_key, contact_phone FROM support_case WHERE id = ANY ($1)`, ids)
	if err != nil {
		return nil, err
	}
	var k, typed string
	_, err = pgx.ForEachRow(rows, []any{&k, &typed}, func() error {
		keys["phone"] = append(keys["phone"], lookupKey{k, typed})
		return nil
	})
	return keys, err
}
