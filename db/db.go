// Package db opens the PostgreSQL pool, applies the embedded migrations and runs
// multi-step writes in one transaction. Domain packages take a *pgxpool.Pool and use
// Transact; nothing else in the portal opens connections.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"

	"mitidportal/migrations"
)

// connectTimeout bounds one attempt to connect to the database.
const connectTimeout = 5 * time.Second

// Open connects a pool to url and checks that the server answers.
func Open(ctx context.Context, url string, maxConns int32) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse DATABASE_URL: %w", err)
	}
	if maxConns > 0 {
		cfg.MaxConns = maxConns
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		// Without a bound, a request waits for the operating system's TCP timeout (minutes)
		// while the database host does not answer; with it, the page says 503 within seconds.
		// A connect_timeout in DATABASE_URL takes precedence.
		cfg.ConnConfig.ConnectTimeout = connectTimeout
	}
	if t := queryTracer(ctx); t != nil {
		cfg.ConnConfig.Tracer = t
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("reach database: %w", err)
	}
	return pool, nil
}

// Migrate applies every pending migration: the portal's own numbered SQL files (goose, one
// transaction each) and then the job queue's schema (River ships its own migrations, and
// running them here keeps one command for the whole schema).
func Migrate(ctx context.Context, pool *pgxpool.Pool, log *slog.Logger) error {
	sqlDB := stdlib.OpenDBFromPool(pool)
	defer sqlDB.Close()
	if err := migratePortal(ctx, sqlDB, migrations.FS, log); err != nil {
		return err
	}
	migrator, err := rivermigrate.New(riverpgxv5.New(pool), nil)
	if err != nil {
		return fmt.Errorf("job queue migrator: %w", err)
	}
	res, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return fmt.Errorf("job queue migrations: %w", err)
	}
	if len(res.Versions) > 0 {
		versions := make([]int, len(res.Versions))
		for i, v := range res.Versions {
			versions[i] = v.Version
		}
		log.Info("migrated job queue", "versions", versions)
	}
	return nil
}

func migratePortal(ctx context.Context, sqlDB *sql.DB, fsys fs.FS, log *slog.Logger) error {
	provider, err := goose.NewProvider(goose.DialectPostgres, sqlDB, fsys)
	if err != nil {
		return fmt.Errorf("migration provider: %w", err)
	}
	results, err := provider.Up(ctx)
	// One line for the run (a fresh database applies every file, which would otherwise push the
	// demo logins of `make run` off the screen); each file at debug level.
	var total time.Duration
	files := make([]string, 0, len(results))
	for _, r := range results {
		if r.Error != nil {
			continue // reported by the error below
		}
		log.Debug("migrated", "version", r.Source.Version, "file", r.Source.Path, "duration_ms", r.Duration.Milliseconds())
		files = append(files, r.Source.Path)
		total += r.Duration
	}
	if len(files) > 0 {
		log.Info("migrated", "files", files, "duration_ms", total.Milliseconds())
	}
	if err != nil && !errors.Is(err, goose.ErrNoNextVersion) {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// Transact runs fn in one transaction and commits when fn returns nil. Public store methods
// open the transaction with it; their unexported helpers take the pgx.Tx.
func Transact(ctx context.Context, pool *pgxpool.Pool, fn func(pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, pool, fn)
}

// TransactOutcome runs fn in one transaction that commits whenever fn returns no error, also
// when it returns an outcome (a refused login whose failure count must stick), and returns
// that outcome; only err rolls back.
func TransactOutcome(ctx context.Context, pool *pgxpool.Pool, fn func(pgx.Tx) (outcome, err error)) error {
	var outcome error
	err := Transact(ctx, pool, func(tx pgx.Tx) error {
		var err error
		outcome, err = fn(tx)
		return err
	})
	if err != nil {
		return err
	}
	return outcome
}
