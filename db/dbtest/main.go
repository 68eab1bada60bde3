package dbtest

import (
	"flag"
	"strconv"
	"testing"
)

// Parallel is how many tests that call t.Parallel a database test binary runs at once unless
// -parallel says otherwise: 2, go test's default on the 2-core CI machine, made explicit. These
// packages share the machine with the browser stories, the longest package of `make test`, and
// CPU is what the whole suite is short of: at 8 they finished sooner but took the stories' CPU
// (the browser package 643 s -> 863 s, `make test` 738 s -> 914 s; at 4 with 6 stories 1,007 s).
const Parallel = 2

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
