package bench

import (
	"context"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"mitidportal/db"
	"mitidportal/db/dbtest"
	"mitidportal/migrations"
)

// The big database: 1,000,000 MitIDs (with their persons) and 1,000,000 cases (with their
// first message), generated with COPY into a database of its own on the devdb server and kept
// there between runs (scripts/devdb.sh --stop-after stops the server but keeps .pgdata). Its
// name carries the schema's version and a hash of the migrations and of bigGenerator, so a
// changed schema or generator gets a fresh one (and the stale ones are dropped); a second
// `make bench` reuses it. BENCH_CASES and BENCH_MITIDS change the sizes.

// bigGenerator changes whenever the generated data changes.
const bigGenerator = "v2"

// bigInfo describes the big database of this run.
type bigInfo struct {
	Name          string
	Cases, MitIDs int
	Generated     time.Duration // how long generating it took, when it was generated
	GeneratedAt   time.Time
	GeneratedHere bool // this run generated it
}

var (
	bigOnce sync.Once
	bigPool *pgxpool.Pool
	bigMeta bigInfo
	bigErr  error
)

// bigDB returns a pool on the big database, generating it when it is missing or stale.
func bigDB(b *testing.B) (*pgxpool.Pool, bigInfo) {
	b.Helper()
	base := dbtest.URL(b)
	bigOnce.Do(func() { bigPool, bigMeta, bigErr = openBigDB(context.Background(), base) })
	if bigErr != nil {
		b.Fatalf("big database: %v", bigErr)
	}
	return bigPool, bigMeta
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

func openBigDB(ctx context.Context, base string) (*pgxpool.Pool, bigInfo, error) {
	info := bigInfo{Cases: envInt("BENCH_CASES", 1_000_000), MitIDs: envInt("BENCH_MITIDS", 1_000_000)}
	version, sum, err := schemaVersion()
	if err != nil {
		return nil, info, err
	}
	info.Name = fmt.Sprintf("portal_bench_%05d_%08x", version, sum)
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		return nil, info, err
	}
	defer admin.Close(ctx)
	u, err := url.Parse(base)
	if err != nil {
		return nil, info, err
	}
	u.Path = "/" + info.Name
	var exists bool
	if err := admin.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, info.Name).Scan(&exists); err != nil {
		return nil, info, err
	}
	if exists {
		pool, err := db.Open(ctx, u.String(), 20)
		if err != nil {
			return nil, info, err
		}
		var cases, mitids int
		var took float64
		err = pool.QueryRow(ctx, `SELECT cases, mitids, seconds, generated_at FROM bench_meta`).Scan(&cases, &mitids, &took, &info.GeneratedAt)
		if err == nil && cases == info.Cases && mitids == info.MitIDs {
			info.Generated = time.Duration(took * float64(time.Second))
			return pool, info, nil
		}
		pool.Close() // interrupted or of other sizes: generated afresh below
	}
	// Stale big databases (another schema) take gigabytes: drop them.
	rows, err := admin.Query(ctx, `SELECT datname FROM pg_database WHERE datname LIKE 'portal\_bench\_%'`)
	if err != nil {
		return nil, info, err
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, info, err
	}
	for _, n := range names {
		if _, err := admin.Exec(ctx, "DROP DATABASE "+pgx.Identifier{n}.Sanitize()+" WITH (FORCE)"); err != nil {
			return nil, info, err
		}
	}
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+info.Name); err != nil {
		return nil, info, err
	}
	pool, err := db.Open(ctx, u.String(), 20)
	if err != nil {
		return nil, info, err
	}
	t0 := time.Now()
	fmt.Printf("\nbig database %s: generating %d MitIDs and %d cases (once; kept for later runs)\n", info.Name, info.MitIDs, info.Cases)
	if err := generateBig(ctx, pool, info); err != nil {
		pool.Close()
		return nil, info, err
	}
	info.Generated, info.GeneratedAt, info.GeneratedHere = time.Since(t0), time.Now(), true
	_, err = pool.Exec(ctx, `CREATE TABLE bench_meta AS SELECT $1::int AS cases, $2::int AS mitids, $3::float8 AS seconds, now() AS generated_at`,
		info.Cases, info.MitIDs, info.Generated.Seconds())
	if err != nil {
		pool.Close()
		return nil, info, err
	}
	fmt.Printf("big database %s: generated in %s\n", info.Name, info.Generated.Round(time.Second))
	return pool, info, nil
}

// schemaVersion is the highest migration number and a hash of the migration files and the
// generator.
func schemaVersion() (int, uint32, error) {
	names, err := fs.Glob(migrations.FS, "*.sql")
	if err != nil {
		return 0, 0, err
	}
	sort.Strings(names)
	h := fnv.New32a()
	h.Write([]byte(bigGenerator))
	version := 0
	for _, n := range names {
		if v, err := strconv.Atoi(strings.SplitN(n, "_", 2)[0]); err == nil {
			version = max(version, v)
		}
		b, err := fs.ReadFile(migrations.FS, n)
		if err != nil {
			return 0, 0, err
		}
		h.Write([]byte(n))
		h.Write(b)
	}
	return version, h.Sum32(), nil
}

// generateBig migrates the new database and fills it. The secondary indexes of the filled
// tables are dropped for the load and built again after it (faster than keeping them up to
// date row by row), from their own definitions, so they are exactly the migrations' indexes.
func generateBig(ctx context.Context, pool *pgxpool.Pool, info bigInfo) error {
	if err := db.Migrate(ctx, pool, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		return err
	}
	tables := []string{"person", "mitid", "support_case", "support_entry"}
	rows, err := pool.Query(ctx, `
		SELECT i.indexname, i.indexdef FROM pg_indexes i
		WHERE i.schemaname = 'public' AND i.tablename = ANY ($1)
			AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`, tables)
	if err != nil {
		return err
	}
	type index struct{ name, def string }
	indexes, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (index, error) {
		var ix index
		return ix, r.Scan(&ix.name, &ix.def)
	})
	if err != nil {
		return err
	}
	for _, ix := range indexes {
		if _, err := pool.Exec(ctx, "DROP INDEX "+pgx.Identifier{ix.name}.Sanitize()); err != nil {
			return err
		}
	}
	rng := rand.New(rand.NewPCG(4, 2026))
	t0 := time.Now()
	if err := generateMitIDs(ctx, pool, info.MitIDs); err != nil {
		return fmt.Errorf("generate MitIDs: %w", err)
	}
	fmt.Printf("  %d persons and MitIDs in %s\n", info.MitIDs, time.Since(t0).Round(time.Second))
	t0 = time.Now()
	if _, _, err := generateCases(ctx, pool, rng, info.Cases, info.MitIDs); err != nil {
		return fmt.Errorf("generate cases: %w", err)
	}
	fmt.Printf("  %d cases in %s\n", info.Cases, time.Since(t0).Round(time.Second))
	t0 = time.Now()
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SET maintenance_work_mem = '256MB'`); err != nil {
		return err
	}
	for _, ix := range indexes {
		if _, err := conn.Exec(ctx, ix.def); err != nil {
			return fmt.Errorf("index %s: %w", ix.name, err)
		}
	}
	if _, err := conn.Exec(ctx, `VACUUM ANALYZE`); err != nil {
		return err
	}
	fmt.Printf("  indexes and VACUUM ANALYZE in %s\n", time.Since(t0).Round(time.Second))
	return nil
}

// bigCPR is the i-th generated CPR number: a valid date (day 1-28) and a sequence number, unique
// for i below 1,008,000.
func bigCPR(i int) string {
	return fmt.Sprintf("%02d%02d%02d%04d", 1+i%28, 1+(i/28)%12, (i/336)%100, i/33600)
}

// bigUsername and bigEmail are the i-th generated MitID's username and e-mail address.
func bigUsername(i int) string { return fmt.Sprintf("borger%07d", i) }
func bigEmail(i int) string    { return fmt.Sprintf("borger%07d@example.dk", i) }

// generateMitIDs COPYs n persons and one MitID each (a twentieth of them revoked, so that a CPR
// number has two MitIDs now and then: the revoked one and the one in use).
func generateMitIDs(ctx context.Context, pool *pgxpool.Pool, n int) error {
	const batch = 50_000
	for from := 0; from < n; from += batch {
		var persons, ids [][]any
		for i := from; i < min(n, from+batch); i++ {
			cpr := bigCPR(i)
			born := time.Date(1920+(i/336)%100, time.Month(1+(i/28)%12), 1+i%28, 0, 0, 0, 0, time.UTC)
			persons = append(persons, []any{cpr, givenNames[i%len(givenNames)], familyNames[(i/len(givenNames))%len(familyNames)],
				born, "Vestergade " + strconv.Itoa(1+i%90), "8000", "Aarhus C", bigEmail(i)})
			ids = append(ids, []any{cpr, bigUsername(i), "active", "substantial"})
			if i%20 == 0 {
				ids = append(ids, []any{cpr, bigUsername(i) + "x", "revoked", "substantial"})
			}
		}
		if _, err := pool.CopyFrom(ctx, pgx.Identifier{"person"}, []string{"cpr", "given_name", "family_name", "birth_date",
			"address_line", "postcode", "city", "email"}, pgx.CopyFromRows(persons)); err != nil {
			return err
		}
		if _, err := pool.CopyFrom(ctx, pgx.Identifier{"mitid"}, []string{"cpr", "username", "status", "identity_assurance"},
			pgx.CopyFromRows(ids)); err != nil {
			return err
		}
	}
	return nil
}

// describe says where the big database came from, for the benchmarks' headings.
func (i bigInfo) describe() string {
	if i.GeneratedHere {
		return fmt.Sprintf("database %s generated in this run in %s", i.Name, i.Generated.Round(time.Second))
	}
	return fmt.Sprintf("database %s generated %s in %s, reused", i.Name, i.GeneratedAt.Format(time.DateTime), i.Generated.Round(time.Second))
}
