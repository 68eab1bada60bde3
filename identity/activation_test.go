package identity

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestNormActivationCode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"ABCD-EFGH-JKMN", "ABCDEFGHJKMN", true},
		{"abcd efgh jkmn", "ABCDEFGHJKMN", true},
		{" AbCd-EfGh JkMn ", "ABCDEFGHJKMN", true},
		{"ABCDEFGHJKMN", "ABCDEFGHJKMN", true},
		{"ABCD-EFGH-JKM", "", false},
		{"ABCD-EFGH-JKMNP", "", false},
		{"ABCD-EFGH-JKM0", "", false}, // 0 is not in the alphabet
		{"ABCD-EFGH-JKMI", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := normActivationCode(tt.in)
			if got != tt.want || ok != tt.ok {
				t.Errorf("normActivationCode(%q) = %q, %v", tt.in, got, ok)
			}
		})
	}
}

func TestActivationCodes(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	ctx := context.Background()
	shape := regexp.MustCompile(`^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$`)
	issue := func(p Person, purpose ActivationPurpose) (string, ActivationCode) {
		t.Helper()
		code, c, err := e.activations.Issue(ctx, p.CPR, purpose, LevelSubstantial, "letter")
		if err != nil {
			t.Fatal(err)
		}
		if !shape.MatchString(code) {
			t.Fatalf("code %q is not XXXX-XXXX-XXXX from the alphabet", code)
		}
		return code, c
	}
	tests := []struct {
		name string
		// try returns the code to check after setting things up; want is Check's answer.
		try  func(p Person) string
		want error
	}{
		{"right code", func(p Person) string { code, _ := issue(p, ActivationCreate); return code }, nil},
		{"lower case without hyphens", func(p Person) string {
			code, _ := issue(p, ActivationCreate)
			return strings.ToLower(strings.ReplaceAll(code, "-", " "))
		}, nil},
		{"wrong code", func(p Person) string { issue(p, ActivationCreate); return "2222-2222-2222" }, ErrActivationWrong},
		{"not a code", func(p Person) string { issue(p, ActivationCreate); return "hello" }, ErrActivationFormat},
		{"none issued", func(p Person) string { return "2222-2222-2222" }, ErrActivationInvalid},
		{"expired", func(p Person) string {
			code, _ := issue(p, ActivationCreate)
			e.clock.Add(DefaultActivationValidity)
			return code
		}, ErrActivationInvalid},
		{"a moment before expiry", func(p Person) string {
			code, _ := issue(p, ActivationCreate)
			e.clock.Add(DefaultActivationValidity - time.Second)
			return code
		}, nil},
		{"replaced by a newer code", func(p Person) string {
			code, _ := issue(p, ActivationCreate)
			issue(p, ActivationCreate)
			return code
		}, ErrActivationInvalid}, // "no longer valid", not "wrong": it is the earlier letter's
		{"replaced twice, the oldest", func(p Person) string {
			code, _ := issue(p, ActivationCreate)
			issue(p, ActivationCreate)
			issue(p, ActivationCreate)
			issue(p, ActivationCreate)
			return code
		}, ErrActivationWrong}, // only the newest earlier codes are compared

		{"a code for another purpose stays", func(p Person) string {
			code, _ := issue(p, ActivationCreate)
			issue(p, ActivationRecover)
			return code
		}, nil},
		{"out of tries", func(p Person) string {
			code, _ := issue(p, ActivationCreate)
			for i := range DefaultActivationTries {
				want := ErrActivationWrong
				if i == DefaultActivationTries-1 {
					want = ErrActivationSpent // the last try says so at once
				}
				if _, err := e.activations.Check(ctx, p.CPR, "2222-2222-2222"); !errors.Is(err, want) {
					t.Fatalf("try %d: %v, want %v", i+1, err, want)
				}
			}
			return code
		}, ErrActivationSpent},
		{"out of tries, then a new letter", func(p Person) string {
			issue(p, ActivationCreate)
			for range DefaultActivationTries {
				_, _ = e.activations.Check(ctx, p.CPR, "2222-2222-2222")
			}
			code, _ := issue(p, ActivationCreate)
			return code
		}, nil},
		{"out of tries and expired", func(p Person) string {
			code, _ := issue(p, ActivationCreate)
			for range DefaultActivationTries {
				_, _ = e.activations.Check(ctx, p.CPR, "2222-2222-2222")
			}
			e.clock.Add(DefaultActivationValidity)
			return code
		}, ErrActivationInvalid},
		{"one try left is enough", func(p Person) string {
			code, _ := issue(p, ActivationCreate)
			for range DefaultActivationTries - 1 {
				_, _ = e.activations.Check(ctx, p.CPR, "2222-2222-2222")
			}
			return code
		}, nil},
		{"used", func(p Person) string {
			code, c := issue(p, ActivationCreate)
			e.exec(`UPDATE activation_code SET used_at = now() WHERE id = $1`, c.ID)
			return code
		}, ErrActivationInvalid},
		{"another person's code", func(p Person) string {
			code, _ := issue(e.person(), ActivationCreate)
			issue(p, ActivationCreate)
			return code
		}, ErrActivationWrong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := e.person()
			code := tt.try(p)
			c, err := e.activations.Check(ctx, p.CPR, code)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Check = %v, want %v", err, tt.want)
			}
			if tt.want == nil && (c.CPR != p.CPR || c.Assurance != LevelSubstantial || c.UsedAt != nil) {
				t.Errorf("checked %+v", c)
			}
		})
	}
	if _, _, err := e.activations.Issue(ctx, "0101901234", ActivationCreate, LevelHigh, "x"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown CPR: %v", err)
	}
}

// TestActivationTriesParallel: parallel wrong checks cannot use more tries than there are.
func TestActivationTriesParallel(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	ctx := context.Background()
	p := e.person()
	_, c, err := e.activations.Issue(ctx, p.CPR, ActivationCreate, LevelHigh, "ra")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	wrong := 0
	for range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.activations.Check(ctx, p.CPR, "2222-2222-2222")
			mu.Lock()
			defer mu.Unlock()
			if errors.Is(err, ErrActivationWrong) {
				wrong++
			} else if !errors.Is(err, ErrActivationSpent) {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if tries := one[int](t, e.pool, `SELECT tries FROM activation_code WHERE id = $1`, c.ID); tries != DefaultActivationTries || wrong != DefaultActivationTries-1 {
		// The try that spends the last one answers ErrActivationSpent, like every one after it.
		t.Errorf("tries %d, wrong answers %d; want %d and %d", tries, wrong, DefaultActivationTries, DefaultActivationTries-1)
	}
}

func TestCreateMitIDWithActivationCode(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	ctx := context.Background()
	p := e.person()
	code, c, err := e.activations.Issue(ctx, p.CPR, ActivationCreate, LevelHigh, "ra:7")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.activations.Check(ctx, p.CPR, code); err != nil {
		t.Fatal(err)
	}
	n := NewMitID{CPR: p.CPR, Username: "karen.k", Password: testPassword, ActivationID: c.ID, Actor: ActorCitizen}
	// A failed creation (username invalid, caught before the transaction) leaves the code.
	bad := n
	bad.Username = "x"
	if _, err := e.store.CreateMitID(ctx, bad); !errors.Is(err, ErrUsernameInvalid) {
		t.Fatal(err)
	}
	m, err := e.store.CreateMitID(ctx, n)
	if err != nil {
		t.Fatal(err)
	}
	if m.Assurance != LevelHigh {
		t.Errorf("assurance %s, want the code's high", m.Assurance)
	}
	if one[*time.Time](t, e.pool, `SELECT used_at FROM activation_code WHERE id = $1`, c.ID) == nil {
		t.Error("code not used up")
	}
	if _, err := e.activations.Check(ctx, p.CPR, code); !errors.Is(err, ErrActivationInvalid) {
		t.Errorf("Check after use: %v", err)
	}
	// The code cannot make a second MitID (after the first is revoked), nor one for someone else.
	e.exec(`UPDATE mitid SET status = 'revoked' WHERE id = $1`, m.ID)
	n.Username = "karen.k2"
	if _, err := e.store.CreateMitID(ctx, n); !errors.Is(err, ErrActivationInvalid) {
		t.Errorf("reused code: %v", err)
	}
	q := e.person()
	_, c2, _ := e.activations.Issue(ctx, q.CPR, ActivationCreate, LevelSubstantial, "letter")
	n.ActivationID = c2.ID
	if _, err := e.store.CreateMitID(ctx, n); !errors.Is(err, ErrActivationInvalid) {
		t.Errorf("another person's code: %v", err)
	}
	_, c3, _ := e.activations.Issue(ctx, p.CPR, ActivationRecover, LevelSubstantial, "letter")
	n.ActivationID = c3.ID
	if _, err := e.store.CreateMitID(ctx, n); !errors.Is(err, ErrActivationInvalid) {
		t.Errorf("a recovery code: %v", err)
	}
	_, c4, _ := e.activations.Issue(ctx, p.CPR, ActivationCreate, LevelSubstantial, "letter")
	e.clock.Add(DefaultActivationValidity + time.Second)
	n.ActivationID = c4.ID
	if _, err := e.store.CreateMitID(ctx, n); !errors.Is(err, ErrActivationInvalid) {
		t.Errorf("an expired code: %v", err)
	}
}

// TestEarlierLetterTakesNoTry: typing the code of a replaced letter says it no longer works and
// leaves the new code all its tries.
func TestEarlierLetterTakesNoTry(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	ctx := context.Background()
	p := e.person()
	first, _, err := e.activations.Issue(ctx, p.CPR, ActivationCreate, LevelSubstantial, "letter")
	if err != nil {
		t.Fatal(err)
	}
	_, second, err := e.activations.Issue(ctx, p.CPR, ActivationCreate, LevelSubstantial, "letter")
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := e.activations.Check(ctx, p.CPR, first); !errors.Is(err, ErrActivationInvalid) {
			t.Fatalf("the earlier letter's code: %v", err)
		}
	}
	if tries := one[int](t, e.pool, `SELECT tries FROM activation_code WHERE id = $1`, second.ID); tries != 0 {
		t.Errorf("the new code has %d tries used, want 0", tries)
	}
}

// TestIssueByLetterRecordsTheOrder: a recovery letter ordered on the web for an existing MitID
// is in its activity log (someone may order it in the citizen's name); a creation letter for a
// person without a MitID records nothing.
func TestIssueByLetterRecordsTheOrder(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	ctx := context.Background()
	acts := NewActivations(e.pool, ActivationConfig{Now: e.clock.Now, Hasher: NewHasher(HasherConfig{Params: TestArgonParams}),
		Record: e.store.RecordActivity})
	m, _ := e.mitid()
	c, err := acts.IssueByLetter(ctx, m.CPR, ActivationRecover, m.ID)
	if err != nil || c.Purpose != ActivationRecover || c.Assurance != LevelSubstantial || c.IssuedBy != ActorCitizen {
		t.Fatalf("IssueByLetter = %+v, %v", c, err)
	}
	list, err := e.store.Activity(ctx, m.ID, 0, MaxActivityPage)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, a := range list {
		found = found || (a.Kind == ActivityActivationIssued && a.Actor == ActorCitizen && a.Detail["purpose"] == "recover")
	}
	if !found {
		t.Errorf("no activation_issued entry for the recovery letter in %+v", list)
	}
	p := e.person()
	if _, err := acts.IssueByLetter(ctx, p.CPR, ActivationCreate, 0); err != nil {
		t.Fatal(err)
	}
}
