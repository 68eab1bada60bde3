package support_test

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"mitidportal/db/dbtest"
	"mitidportal/support"
)

// testClock is a settable clock for the store.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// caseEnv is one test's database with a case store on it.
type caseEnv struct {
	t     *testing.T
	ctx   context.Context
	pool  *pgxpool.Pool
	clock *testClock
	cases *support.Cases
	cph   *time.Location
	seq   atomic.Int64
}

func newCaseEnv(t *testing.T) *caseEnv {
	t.Helper()
	cph := copenhagen(t)
	pool := dbtest.New(t)
	clk := &testClock{now: time.Date(2026, 11, 24, 9, 0, 0, 0, cph)} // a Tuesday
	return &caseEnv{t: t, ctx: context.Background(), pool: pool, clock: clk, cph: cph,
		cases: support.NewCases(pool, support.DefaultSchedule(cph), support.WithClock(clk.Now),
			support.WithHooks(support.Hooks{Audit: auditHook(pool)}))}
}

// at is a wall-clock time in Copenhagen.
func (e *caseEnv) at(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, e.cph)
}

// staff creates a member of staff with roles (agent when none) and returns the id.
func (e *caseEnv) staff(roles ...string) int64 {
	e.t.Helper()
	if len(roles) == 0 {
		roles = []string{"agent"}
	}
	n := e.seq.Add(1)
	var id int64
	err := e.pool.QueryRow(e.ctx, `INSERT INTO staff_user (email, name, roles) VALUES ($1, $2, $3) RETURNING id`,
		fmt.Sprintf("agent%d@support.example", n), fmt.Sprintf("Agent %d", n), roles).Scan(&id)
	if err != nil {
		e.t.Fatal(err)
	}
	return id
}

// citizen creates a person with a MitID and returns the MitID id, the CPR number and the
// username.
func (e *caseEnv) citizen() (mitidID int64, cpr, username string) {
	e.t.Helper()
	n := e.seq.Add(1)
	cpr = fmt.Sprintf("0101%02d%04d", 50+n%50, 1000+n)
	username = fmt.Sprintf("borger%d", n)
	_, err := e.pool.Exec(e.ctx, `
		INSERT INTO person (cpr, given_name, family_name, birth_date, address_line, postcode, city)
		VALUES ($1, 'Test', 'Borger', '1960-01-01', 'Vej 1', '1000', 'København')`, cpr)
	if err != nil {
		e.t.Fatal(err)
	}
	err = e.pool.QueryRow(e.ctx, `INSERT INTO mitid (cpr, username, identity_assurance) VALUES ($1, $2, 'substantial')
		RETURNING id`, cpr, username).Scan(&mitidID)
	if err != nil {
		e.t.Fatal(err)
	}
	return mitidID, cpr, username
}

// newCase is a valid anonymous web case; change fields with the options.
func newCase(opts ...func(*support.NewCase)) support.NewCase {
	n := support.NewCase{
		Channel: support.ChannelWeb, System: support.SystemMitID, Category: support.CategoryLogin,
		Name: "Jens Jensen", Email: "jens@example.dk", Subject: "Kan ikke logge på",
		Message: "Min kodeviser viser ingen kode.",
	}
	for _, o := range opts {
		o(&n)
	}
	return n
}

// open opens a case and fails the test on an error.
func (e *caseEnv) open(opts ...func(*support.NewCase)) support.Case {
	e.t.Helper()
	c, err := e.cases.Open(e.ctx, newCase(opts...))
	if err != nil {
		e.t.Fatalf("open case: %v", err)
	}
	return c
}

// get re-reads a case.
func (e *caseEnv) get(id int64) support.Case {
	e.t.Helper()
	c, err := e.cases.Get(e.ctx, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
