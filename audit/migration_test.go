package audit

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"mitidportal/db/dbtest"
	"mitidportal/migrations"
)

// TestMigrationSealsLegacyEntries: entries written by the unkeyed chain before migration 00009
// are queued by it and sealed in id order, so the keyed chain covers them from seq 1.
func TestMigrationSealsLegacyEntries(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.New(t)
	sqlDB := stdlib.OpenDBFromPool(pool)
	defer sqlDB.Close()
	provider, err := goose.NewProvider(goose.DialectPostgres, sqlDB, migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := provider.DownTo(ctx, 8); err != nil {
		t.Fatal(err)
	}
	// Rows as the old Append wrote them (their unkeyed hashes are not checked any more).
	_, err = pool.Exec(ctx, `
		INSERT INTO audit_log (id, at, actor, action, subject, detail, prev_hash, hash)
		SELECT i, now(), 'staff:1', 'citizen_lookup', 'mitid:' || i, '{"via": "cpr"}',
		       sha256(('p' || i)::bytea), sha256(('h' || i)::bytea)
		FROM generate_series(1, 3) i`)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := provider.Up(ctx); err != nil {
		t.Fatal(err)
	}
	rep := mustVerify(t, pool)
	if !rep.Intact() || rep.Entries != 3 || rep.LastID != 3 || rep.Unsealed != 0 {
		t.Errorf("legacy entries after the migration: %+v", rep)
	}
}
