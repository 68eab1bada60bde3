package audit

import (
	"os"
	"testing"

	"mitidportal/db/dbtest"
)

// TestMain runs dbtest.Parallel tests at once: each has its own database and mostly waits.
func TestMain(m *testing.M) {
	os.Exit(dbtest.Main(m))
}
