package db_test

import (
	"context"
	"testing"

	"mitidportal/db/dbtest"
)

// TestMigrateEmptyDatabase proves the whole schema applies to an empty database: dbtest builds
// its template by running db.Migrate on a freshly created database.
func TestMigrateEmptyDatabase(t *testing.T) {
	pool := dbtest.New(t)
	ctx := context.Background()
	for _, table := range []string{"web_session", "goose_db_version", "river_job"} {
		var exists bool
		err := pool.QueryRow(ctx, "SELECT to_regclass($1) IS NOT NULL", table).Scan(&exists)
		if err != nil {
			t.Fatal(err)
		}
		if !exists {
			t.Errorf("table %s missing after migration", table)
		}
	}
}
