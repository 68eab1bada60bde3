package identity

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"mitidportal/db/dbtest"
	"mitidportal/fault"
)

// testPassword passes ValidatePassword for every test username.
const testPassword = "Rødgrød-med-fløde-7"

// clock is a settable clock for back-off, throttle windows, TOTP steps and expiry.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock {
	return &clock{now: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)}
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// env is one test's database with the identity stores on it.
type env struct {
	t           *testing.T
	pool        *pgxpool.Pool
	clock       *clock
	store       *Store
	tokens      *Tokens
	persons     *Persons
	activations *Activations
	seq         atomic.Int64
	rng         *rand.Rand
}

func newEnv(t *testing.T, cfg Config) *env {
	t.Helper()
	pool := dbtest.New(t)
	tokens, err := NewTokens(pool, make([]byte, TokenKeySize))
	if err != nil {
		t.Fatal(err)
	}
	c := newClock()
	if cfg.Now == nil {
		cfg.Now = c.Now
	}
	if cfg.Hasher == nil {
		cfg.Hasher = NewHasher(HasherConfig{Params: TestArgonParams})
	}
	e := &env{t: t, pool: pool, clock: c, tokens: tokens, persons: NewPersons(pool),
		rng: rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))}
	e.store = NewStore(pool, tokens, cfg)
	e.activations = NewActivations(pool, ActivationConfig{Now: c.Now, Hasher: cfg.Hasher})
	return e
}

// person adds a living person to the register.
func (e *env) person() Person {
	e.t.Helper()
	for {
		p := GenerateDemoPersons(e.rng, 1)[0]
		p.Deceased = false
		p.IDDocumentNumber = "123456789"
		if _, err := e.persons.ByCPR(context.Background(), p.CPR); err == nil {
			continue
		}
		if err := e.persons.Insert(context.Background(), p); err != nil {
			e.t.Fatal(err)
		}
		return p
	}
}

// mitid creates a MitID with testPassword and a code display, and returns it with the token's
// serial.
func (e *env) mitid() (MitID, string) {
	e.t.Helper()
	m := e.bareMitID()
	serial := e.activeToken(m.ID, KindCodeDisplay)
	return m, serial
}

// bareMitID creates a MitID with only its password.
func (e *env) bareMitID() MitID {
	e.t.Helper()
	p := e.person()
	m, err := e.store.CreateMitID(context.Background(), NewMitID{CPR: p.CPR,
		Username: fmt.Sprintf("user%d", e.seq.Add(1)), Password: testPassword,
		Assurance: LevelSubstantial, Actor: ActorCitizen})
	if err != nil {
		e.t.Fatal(err)
	}
	return m
}

// importToken puts a unit in stock and returns its serial.
func (e *env) importToken(kind Kind) string {
	e.t.Helper()
	serial := fmt.Sprintf("T%06d", e.seq.Add(1))
	secret := make([]byte, 20)
	for i := range secret {
		secret[i] = byte(e.rng.IntN(256))
	}
	n, err := e.tokens.Import(context.Background(), []TokenSeed{{Serial: serial, Kind: kind, Secret: secret}})
	if err != nil || n != 1 {
		e.t.Fatalf("import token: %d, %v", n, err)
	}
	return serial
}

// activeToken imports a unit and activates it for the MitID with its current code; the clock
// then moves on a step so that the next code is a fresh one.
func (e *env) activeToken(mitidID int64, kind Kind) string {
	e.t.Helper()
	serial := e.importToken(kind)
	if _, err := e.store.ActivateToken(context.Background(), mitidID, serial, e.code(serial), ActorCitizen); err != nil {
		e.t.Fatalf("activate token: %v", err)
	}
	e.clock.Add(30 * time.Second)
	return serial
}

func (e *env) code(serial string) string {
	e.t.Helper()
	c, err := e.tokens.Code(context.Background(), serial, e.clock.Now())
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// wrongCode is a code that is not the unit's at any step of the window.
func (e *env) wrongCode(serial string) string {
	e.t.Helper()
	bad := map[string]bool{}
	for _, d := range []time.Duration{-30 * time.Second, 0, 30 * time.Second} {
		c, err := e.tokens.Code(context.Background(), serial, e.clock.Now().Add(d))
		if err != nil {
			e.t.Fatal(err)
		}
		bad[c] = true
	}
	for i := 0; ; i++ {
		c := fmt.Sprintf("%06d", i)
		if !bad[c] {
			return c
		}
	}
}

// one reads a single value.
func one[T any](t *testing.T, pool *pgxpool.Pool, sql string, args ...any) T {
	t.Helper()
	var v T
	if err := pool.QueryRow(context.Background(), sql, args...).Scan(&v); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return v
}

func activityKinds(t *testing.T, s *Store, mitidID int64) []ActivityKind {
	t.Helper()
	list, err := s.Activity(context.Background(), mitidID, 0, MaxActivityPage)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []ActivityKind
	for _, a := range list {
		kinds = append(kinds, a.Kind)
	}
	return kinds
}

func trim(s string) string { return strings.TrimSpace(s) }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// throttledAs is errors.As for a throttled refusal: it sets *te and reports true only when err
// is a refusal of kind fault.Throttled.
func throttledAs(err error, te **fault.Error) bool {
	e, ok := fault.OfKind(err, fault.Throttled)
	if ok {
		*te = e
	}
	return ok
}
