package handlers_test

import (
	"os"
	"testing"

	"mitidportal/db/dbtest"
)

// TestMain runs dbtest.Parallel tests at once: each starts its own portal and mostly waits.
// The tests that measure the process (TestLoginBurst's heap and pool, TestEditorUploadIsStreamed's
// heap) do not call t.Parallel, so go test runs them alone before the parallel ones start.
func TestMain(m *testing.M) {
	os.Exit(dbtest.Main(m))
}
