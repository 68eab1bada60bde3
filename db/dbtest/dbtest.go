// Package dbtest gives each test its own freshly migrated PostgreSQL database on the server
// named by DATABASE_URL (make test starts a throwaway one). A missing DATABASE_URL fails the
// test: a skipped database test would hide a broken build in CI.
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"mitidportal/db"
	"mitidportal/migrations"
)

var (
	templateOnce sync.Once
	templateName string
	templateErr  error
	// copyStrategy is the STRATEGY clause of the per-test CREATE DATABASE: FILE_COPY where the
	// server has it (15+). WAL_LOG, 15's default, writes the whole template through the WAL
	// block by block; FILE_COPY copies its files after a checkpoint, which with the test
	// server's fsync=off costs little (8 creations each on a busy machine: 723 -> 574 ms).
	copyStrategy string
)

// URL returns DATABASE_URL or fails the test.
func URL(t testing.TB) string {
	t.Helper()
	url := os.Getenv("DATABASE_URL")
	if url == "" {
		t.Fatal("DATABASE_URL is not set: run the tests with `make test`, which provides a database")
	}
	return url
}

// New creates an empty database migrated to the latest schema, returns a pool on it and drops
// it when the test ends. Databases are cloned from a template migrated once per schema version,
// so a new one costs a file copy rather than a migration run.
func New(t testing.TB) *pgxpool.Pool {
	t.Helper()
	pool, _ := NewWithURL(t)
	return pool
}

// NewWithURL is New that also returns the connection URL of the new database, for code under
// test that opens its own pool (the whole portal in handler and browser tests).
func NewWithURL(t testing.TB) (*pgxpool.Pool, string) {
	t.Helper()
	base := URL(t)
	ctx := context.Background()
	templateOnce.Do(func() { templateName, copyStrategy, templateErr = ensureTemplate(ctx, base) })
	if templateErr != nil {
		t.Fatalf("test database template: %v", templateErr)
	}
	name := "test_" + randomHex(8)
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("connect to test server: %v", err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name+" TEMPLATE "+templateName+copyStrategy); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	url, err := withDatabase(base, name)
	if err != nil {
		t.Fatal(err)
	}
	pool, err := db.Open(ctx, url, 10)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		pool.Close()
		// Under Main the drop runs after the test, while the next one starts, and Main waits
		// for every drop before the binary exits; elsewhere nothing would wait, so it runs here.
		if !dropLater.Load() {
			drop(base, name)
			return
		}
		drops.Add(1)
		go func() {
			defer drops.Done()
			drop(base, name)
		}()
	})
	return pool, url
}

var (
	// dropLater is set by Main, which waits for drops before the test binary exits.
	dropLater atomic.Bool
	drops     sync.WaitGroup
)

func drop(base, name string) {
	c, err := pgx.Connect(context.Background(), base)
	if err != nil {
		return
	}
	defer c.Close(context.Background())
	_, _ = c.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
}

// ensureTemplate migrates a template database named after a hash of the migration files, so a
// changed schema gets a new template and concurrent test processes share one. It also returns
// the STRATEGY clause the server takes for copies of it.
func ensureTemplate(ctx context.Context, base string) (name, strategy string, err error) {
	sum, err := migrationsHash()
	if err != nil {
		return "", "", err
	}
	name = fmt.Sprintf("tmpl_%08x", sum)
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		return "", "", err
	}
	defer admin.Close(ctx)
	var version int
	if err := admin.QueryRow(ctx, "SELECT current_setting('server_version_num')::int").Scan(&version); err != nil {
		return "", "", err
	}
	if version >= 150000 {
		strategy = " STRATEGY FILE_COPY"
	}
	name, err = migrateTemplate(ctx, admin, base, name, sum)
	return name, strategy, err
}

// migrateTemplate makes the template database name unless it exists.
func migrateTemplate(ctx context.Context, admin *pgx.Conn, base, name string, sum uint32) (string, error) {
	// One process migrates; the others wait on the advisory lock and then find it ready.
	if _, err := admin.Exec(ctx, "SELECT pg_advisory_lock($1)", int64(sum)); err != nil {
		return "", err
	}
	defer admin.Exec(ctx, "SELECT pg_advisory_unlock($1)", int64(sum)) //nolint:errcheck
	var ready bool
	err := admin.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate)", name).Scan(&ready)
	if err != nil || ready {
		return name, err
	}
	if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name); err != nil {
		return "", err
	}
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return "", err
	}
	url, err := withDatabase(base, name)
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	pool, err := db.Open(ctx, url, 2)
	if err != nil {
		return "", err
	}
	err = db.Migrate(ctx, pool, slog.New(slog.NewTextHandler(io.Discard, nil)))
	pool.Close()
	if err != nil {
		return "", err
	}
	_, err = admin.Exec(ctx, "ALTER DATABASE "+name+" WITH is_template true")
	return name, err
}

func migrationsHash() (uint32, error) {
	h := fnv.New32a()
	names, err := fs.Glob(migrations.FS, "*.sql")
	if err != nil {
		return 0, err
	}
	sort.Strings(names)
	for _, n := range names {
		b, err := fs.ReadFile(migrations.FS, n)
		if err != nil {
			return 0, err
		}
		h.Write([]byte(n))
		h.Write(b)
	}
	return h.Sum32(), nil
}

// withDatabase returns base with its database name replaced; DATABASE_URL must be a URL
// (postgres://...), not a key=value string.
func withDatabase(base, name string) (string, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", fmt.Errorf("DATABASE_URL must be a postgres:// URL")
	}
	u.Path = "/" + name
	return u.String(), nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
