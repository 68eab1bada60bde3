// Package resilience holds the tests of the faults the portal must survive by itself (issue
// 13, item 6): its PostgreSQL server restarted under load, and its mail server unreachable
// for a while. The package has no code of its own; each test runs the whole portal
// (app/apptest) against servers it starts, stops and restarts itself, so it never disturbs
// the shared test database that other packages use at the same time.
package resilience
