package identity

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestActivityPaging(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	ctx := context.Background()
	m := e.bareMitID() // mitid_created
	for i := range 6 {
		if err := e.store.ChangeUsername(ctx, m.ID, "navn"+string(rune('a'+i)), ActorCitizen); err != nil {
			t.Fatal(err)
		}
	}
	other := e.bareMitID()
	var all []Activity
	before := int64(0)
	for {
		page, err := e.store.Activity(ctx, m.ID, before, 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		if len(page) > 3 {
			t.Fatalf("page of %d", len(page))
		}
		all = append(all, page...)
		before = page[len(page)-1].ID
	}
	if len(all) != 7 {
		t.Fatalf("%d entries, want 7", len(all))
	}
	for i := 1; i < len(all); i++ {
		if all[i].ID >= all[i-1].ID {
			t.Errorf("not newest first at %d", i)
		}
	}
	if all[0].Kind != ActivityUsernameChanged || all[0].Detail["to"] != "navnf" || all[0].Actor != ActorCitizen {
		t.Errorf("newest %+v", all[0])
	}
	if all[6].Kind != ActivityMitIDCreated {
		t.Errorf("oldest %+v", all[6])
	}
	if list, _ := e.store.Activity(ctx, other.ID, 0, 50); len(list) != 1 {
		t.Errorf("other MitID has %d entries", len(list))
	}
}

// TestOnActivity: the hook sees every entry inside the change's transaction, and its error rolls
// the change back.
func TestOnActivity(t *testing.T) {
	t.Parallel()
	var seen []Activity
	fail := false
	boom := errors.New("outbox full")
	e := newEnv(t, Config{OnActivity: func(ctx context.Context, tx pgx.Tx, a Activity) error {
		// The entry is visible in the transaction it was written in.
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM activity WHERE id = $1`, a.ID).Scan(&n); err != nil || n != 1 {
			t.Errorf("entry %d not in the hook's transaction: %d, %v", a.ID, n, err)
		}
		seen = append(seen, a)
		if fail {
			return boom
		}
		return nil
	}})
	ctx := context.Background()
	m := e.bareMitID()
	if len(seen) != 1 || seen[0].Kind != ActivityMitIDCreated || seen[0].MitIDID != m.ID || seen[0].At.IsZero() {
		t.Fatalf("seen %+v", seen)
	}
	fail = true
	if err := e.store.ChangeUsername(ctx, m.ID, "andetnavn", ActorCitizen); !errors.Is(err, boom) {
		t.Fatalf("ChangeUsername = %v, want the hook's error", err)
	}
	if got, _ := e.store.MitID(ctx, m.ID); got.Username == "andetnavn" {
		t.Error("the change stayed although the hook failed")
	}
}

func TestCreateMitID(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	ctx := context.Background()
	p := e.person()
	// A finished MitID: one that never finished is started over (TestCreateMitIDStartsOver).
	taken, _ := e.mitid()
	dead := e.person()
	if err := e.persons.SetDeceased(ctx, dead.CPR); err != nil {
		t.Fatal(err)
	}
	base := NewMitID{CPR: p.CPR, Username: "Ærø.Øster_1", Password: testPassword, Assurance: LevelSubstantial}
	tests := []struct {
		name   string
		change func(n *NewMitID)
		want   error
	}{
		{"username taken in another case", func(n *NewMitID) { n.Username = " " + taken.Username + " " }, ErrUsernameTaken},
		{"username with a CPR number", func(n *NewMitID) { n.Username = "bo" + string(p.CPR) }, ErrUsernameInvalid},
		{"username with a space", func(n *NewMitID) { n.Username = "bo bo" }, ErrUsernameInvalid},
		{"common password", func(n *NewMitID) { n.Password = "sunshine" }, ErrPasswordCommon},
		{"unknown person", func(n *NewMitID) { n.CPR = "0101901234" }, ErrIdentityNotMatched},
		{"deceased person", func(n *NewMitID) { n.CPR = dead.CPR }, ErrIdentityNotMatched},
		{"person with a MitID", func(n *NewMitID) { n.CPR = taken.CPR }, ErrMitIDExists},
		{"ok", func(n *NewMitID) {}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := base
			tt.change(&n)
			m, err := e.store.CreateMitID(ctx, n)
			if !errors.Is(err, tt.want) {
				t.Fatalf("CreateMitID = %v, want %v", err, tt.want)
			}
			if err != nil {
				return
			}
			if m.Username != "Ærø.Øster_1" || m.Status != StatusActive || m.Assurance != LevelSubstantial {
				t.Errorf("created %+v", m)
			}
			if got, err := e.store.MitIDByUsername(ctx, "ærø.øster_1"); err != nil || got.ID != m.ID {
				t.Errorf("by username in lower case: %v, %v", got, err)
			}
			if got, err := e.store.MitIDByCPR(ctx, p.CPR); err != nil || got.ID != m.ID {
				t.Errorf("by CPR: %v, %v", got, err)
			}
		})
	}
	if _, err := e.store.MitID(ctx, 424242); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown id: %v", err)
	}
}

func TestContactOf(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	ctx := context.Background()
	m := e.bareMitID()
	p, _ := e.persons.ByCPR(ctx, m.CPR)
	c, err := ContactOf(ctx, e.pool, m.ID)
	if err != nil || c.GivenName != p.GivenName || c.Email != p.Email || c.CPR != m.CPR {
		t.Errorf("ContactOf = %+v, %v; person %+v", c, err, p)
	}
	if _, err := ContactOf(ctx, e.pool, 987654); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown MitID: %v", err)
	}
}
