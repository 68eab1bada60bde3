package mail_test

// The test harness: a fresh database, a started job queue wired as the app wires it, and
// bounded polls for the effects of asynchronous delivery.

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"

	"mitidportal/db"
	"mitidportal/db/dbtest"
	"mitidportal/mail"
)

// quickRetry retries a failed job after 200 ms instead of River's seconds-to-days backoff.
type quickRetry struct{}

func (quickRetry) NextRetry(*rivertype.JobRow) time.Time {
	return time.Now().Add(200 * time.Millisecond)
}

// newOutbox returns a fresh database and an Outbox whose started job queue delivers to the SMTP
// server on 127.0.0.1:smtpPort, as the app wires it.
func newOutbox(t *testing.T, smtpPort int) (*pgxpool.Pool, *mail.Outbox) {
	t.Helper()
	pool := dbtest.New(t)
	log := slog.New(slog.NewTextHandler(t.Output(), nil))
	workers := river.NewWorkers()
	mail.AddWorkers(workers, pool, mail.NewSender(mail.SMTPConfig{
		Host: "127.0.0.1", Port: smtpPort, From: "MitID <no-reply@mitid.test>", TLS: "none",
		Timeout: 2 * time.Second,
	}), log)
	client, err := river.NewClient(riverpgxv5.New(pool), &river.Config{
		Queues:            map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 2}},
		Workers:           workers,
		FetchCooldown:     10 * time.Millisecond,
		FetchPollInterval: 50 * time.Millisecond,
		RetryPolicy:       quickRetry{},
		Logger:            log.With("component", "jobs"),
		TestOnly:          true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := client.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Registered after dbtest's clean-up, so it runs before the database is dropped.
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := client.Stop(ctx); err != nil {
			t.Errorf("stop job queue: %v", err)
		}
	})
	return pool, mail.NewOutbox(client, "portal.test")
}

// enqueue stores m in a committed transaction.
func enqueue(t *testing.T, pool *pgxpool.Pool, o *mail.Outbox, m mail.Message) int64 {
	t.Helper()
	var id int64
	err := db.Transact(t.Context(), pool, func(tx pgx.Tx) error {
		var err error
		id, err = o.Enqueue(t.Context(), tx, m)
		return err
	})
	if err != nil {
		t.Fatalf("enqueue: %v", err)
	}
	return id
}

// waitRow polls the stored mail id until done is true, failing the test after 10 s.
func waitRow(t *testing.T, pool *pgxpool.Pool, id int64, what string, done func(mail.Stored) bool) mail.Stored {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		s, err := mail.Get(t.Context(), pool, id)
		if err != nil {
			t.Fatal(err)
		}
		if done(s) {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("mail %d: not %s within 10 s: attempts %d, last error %q", id, what, s.Attempts, s.LastError)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func sent(s mail.Stored) bool { return s.SentAt != nil }

func count(t *testing.T, pool *pgxpool.Pool, query string) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(t.Context(), query).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// waitCount polls query until it counts want, failing the test after 10 s.
func waitCount(t *testing.T, pool *pgxpool.Pool, query string, want int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for n := count(t, pool, query); n != want; n = count(t, pool, query) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: %d within 10 s, want %d", query, n, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
