package dbtest

import (
	"flag"
	"strconv"
	"testing"
)

// Parallel is how many tests that call t.Parallel a database test binary runs at once unless
// -parallel says otherwise. Such a test mostly waits: for its database's creation (a file copy
// after a checkpoint), for the portal it starts, for PostgreSQL; go test's default of GOMAXPROCS
// (2 on a CI machine) left the CPUs idle most of the time.
const Parallel = 8

// Main runs a test binary's tests with Parallel tests at once unless -parallel was given, and
// drops each test's database in the background after the test, waiting for every drop before
// it returns; call it from TestMain as os.Exit(dbtest.Main(m)).
func Main(m *testing.M) int { return MainParallel(m, Parallel) }

// MainParallel is Main with n tests at once, for a package whose tests cost more than a
// database's (the browser stories share two CPUs with Chromium).
func MainParallel(m *testing.M, n int) int {
	flag.Parse()
	explicit := false
	flag.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "test.parallel" })
	if !explicit {
		_ = flag.Set("test.parallel", strconv.Itoa(n))
	}
	dropLater.Store(true)
	code := m.Run()
	drops.Wait()
	return code
}
