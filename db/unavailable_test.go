package db_test

import (
	"context"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"mitidportal/db"
	"mitidportal/db/dbtest"
)

// TestUnavailable gets each error from a real server or pool and checks that an outage is
// told apart from a query that is wrong (which stays a 500: a bug to fix, not to wait out).
func TestUnavailable(t *testing.T) {
	ctx := context.Background()
	live := dbtest.New(t)
	tests := []struct {
		name string
		err  func(t *testing.T) error
		want bool
	}{
		{"connection refused", func(t *testing.T) error {
			pool, err := pgxpool.New(ctx, "postgres://portal@127.0.0.1:"+closedPort(t)+"/portal")
			if err != nil {
				t.Fatal(err)
			}
			defer pool.Close()
			return pool.Ping(ctx)
		}, true},
		{"closed pool", func(t *testing.T) error {
			pool := dbtest.New(t)
			pool.Close()
			_, err := pool.Exec(ctx, "SELECT 1")
			return err
		}, true},
		{"no connection free before the deadline", func(t *testing.T) error {
			cfg := live.Config()
			cfg.MaxConns = 1
			pool, err := pgxpool.NewWithConfig(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer pool.Close()
			held, err := pool.Acquire(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer held.Release()
			actx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
			defer cancel()
			_, err = pool.Exec(actx, "SELECT 1")
			return err
		}, true},
		{"connection terminated by the server", func(t *testing.T) error {
			conn, err := pgx.ConnectConfig(ctx, live.Config().ConnConfig)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close(ctx)
			if _, err := live.Exec(ctx, "SELECT pg_terminate_backend($1)", conn.PgConn().PID()); err != nil {
				t.Fatal(err)
			}
			_, err = conn.Exec(ctx, "SELECT 1")
			return fmt.Errorf("load session: %w", err)
		}, true},
		{"statement after the connection broke in the same transaction", func(t *testing.T) error {
			conn, err := pgx.ConnectConfig(ctx, live.Config().ConnConfig)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close(ctx)
			tx, err := conn.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := live.Exec(ctx, "SELECT pg_terminate_backend($1)", conn.PgConn().PID()); err != nil {
				t.Fatal(err)
			}
			if _, err := tx.Exec(ctx, "SELECT 1"); err == nil {
				t.Fatal("a statement on a terminated connection succeeded")
			}
			_, err = tx.Exec(ctx, "SELECT 2")
			return fmt.Errorf("add message: %w", err)
		}, true},
		{"syntax error", func(*testing.T) error {
			_, err := live.Exec(ctx, "SELEKT 1")
			return err
		}, false},
		{"unique violation", func(*testing.T) error {
			_, err := live.Exec(ctx, "CREATE TEMP TABLE u (id int PRIMARY KEY); INSERT INTO u VALUES (1), (1)")
			return err
		}, false},
		{"no rows", func(*testing.T) error {
			return live.QueryRow(ctx, "SELECT 1 WHERE false").Scan(new(int))
		}, false},
		{"canceled by the client", func(*testing.T) error {
			cctx, cancel := context.WithCancel(ctx)
			cancel()
			_, err := live.Exec(cctx, "SELECT 1")
			return err
		}, false},
		{"nil", func(*testing.T) error { return nil }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.err(t)
			if err == nil && tt.want {
				t.Fatal("no error to classify")
			}
			if got := db.Unavailable(err); got != tt.want {
				t.Errorf("Unavailable(%v) = %v, want %v", err, got, tt.want)
			}
		})
	}
}

// closedPort returns a loopback port on which nothing listens.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return fmt.Sprint(l.Addr().(*net.TCPAddr).Port)
}
