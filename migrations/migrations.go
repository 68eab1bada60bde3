// Package migrations holds the portal's numbered SQL migrations, embedded into the binary and
// applied by db.Migrate (`portal migrate` and at start-up). A migration that has landed is never
// edited; a change is a new file.
package migrations

import "embed"

// FS holds the migration files.
//
//go:embed *.sql
var FS embed.FS
