package staff_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"mitidportal/audit"
	"mitidportal/db/dbtest"
	"mitidportal/identity"
	"mitidportal/staff"
)

// lifecycle is one event of a staff account's life: how to bring a new account to it (setup),
// the event itself (do) and the entry it must leave about the account.
type lifecycle struct {
	name   string
	action audit.Action
	actor  func(f *lifeFixture, u staff.User) string
	detail map[string]any // keys and values the entry must carry
	setup  func(t *testing.T, f *lifeFixture, u staff.User)
	do     func(ctx context.Context, f *lifeFixture, u staff.User) error
	// atomic: the event and its entry are one transaction. A failed login is counted before
	// its password is checked (one statement, identity.Lockouts), so that count stays when the
	// entry cannot be written; the refusal then fails with that error, not ErrLoginFailed.
	atomic bool
}

// lifeFixture is a store with a clock its lock-outs read, an admin to act, and what the cases
// keep between setup and do.
type lifeFixture struct {
	s       *staff.Store
	now     time.Time
	admin   staff.User
	n       int
	keys    map[int64]staff.Credential // each account's key
	refs    map[int64]string           // each unenrolled account's enrolment
	endSess func(ctx context.Context, tx pgx.Tx, id int64) error
}

// wrong sends one wrong password after the back-off; it returns nil for the refusal it expects.
func wrong(ctx context.Context, f *lifeFixture, u staff.User) error {
	f.now = f.now.Add(2 * time.Minute)
	_, err := f.s.CheckPassword(ctx, u.Email, "forkert forkert forkert")
	if errors.Is(err, staff.ErrLoginFailed) {
		return nil
	}
	if err == nil {
		return errors.New("a wrong password logged in")
	}
	return err
}

func (f *lifeFixture) wrongs(t *testing.T, u staff.User, n int) {
	t.Helper()
	for range n {
		if err := wrong(context.Background(), f, u); err != nil {
			t.Fatal(err)
		}
	}
}

func byAdmin(f *lifeFixture, _ staff.User) string { return audit.Staff(f.admin.ID) }
func bySelf(_ *lifeFixture, u staff.User) string  { return audit.Staff(u.ID) }
func bySystem(*lifeFixture, staff.User) string    { return audit.ActorSystem }

var lifecycles = []lifecycle{
	{name: "created", action: audit.ActionStaffCreated, actor: byAdmin, atomic: true,
		detail: map[string]any{"roles": []string{"agent"}},
		do: func(ctx context.Context, f *lifeFixture, u staff.User) error {
			_, _, err := f.s.CreateBy(ctx, f.admin.ID, "ny."+u.Email, "Ny", []string{"agent"})
			return err
		}},
	{name: "enrolled", action: audit.ActionStaffEnrolled, actor: bySelf, atomic: true,
		do: func(ctx context.Context, f *lifeFixture, u staff.User) error {
			hash, err := staff.HashNewPassword(staffPassword, u.Email)
			if err != nil {
				return err
			}
			_, err = f.s.CompleteEnrolment(ctx, f.refs[u.ID], hash, f.keys[u.ID])
			return err
		}},
	{name: "login", action: audit.ActionStaffLogin, actor: bySelf, atomic: true,
		setup: func(t *testing.T, f *lifeFixture, u staff.User) {
			if _, err := f.s.CheckPassword(context.Background(), u.Email, staffPassword); err != nil {
				t.Fatal(err)
			}
		},
		do: func(ctx context.Context, f *lifeFixture, u staff.User) error {
			_, err := f.s.FinishLogin(ctx, u.ID, f.keys[u.ID].CredentialID, 7, staff.KeyFlags{UserPresent: true, UserVerified: true})
			return err
		}},
	{name: "failed login", action: audit.ActionStaffLoginFailed, actor: bySystem,
		detail: map[string]any{"cause": "password"}, do: wrong},
	{name: "locked", action: audit.ActionStaffLocked, actor: bySystem, detail: map[string]any{"failures": 3},
		setup: func(t *testing.T, f *lifeFixture, u staff.User) { f.wrongs(t, u, 2) },
		do:    wrong},
	{name: "unlocked", action: audit.ActionStaffUnlocked, actor: byAdmin, atomic: true,
		detail: map[string]any{"locked": true, "via": "web"},
		setup:  func(t *testing.T, f *lifeFixture, u staff.User) { f.wrongs(t, u, 3) },
		do: func(ctx context.Context, f *lifeFixture, u staff.User) error {
			_, _, err := f.s.Unlock(ctx, f.admin.ID, u.Email, "web")
			return err
		}},
	{name: "role changed", action: audit.ActionRoleChanged, actor: byAdmin, atomic: true,
		detail: map[string]any{"from": []string{"agent"}, "to": []string{"agent", "auditor"}},
		do: func(ctx context.Context, f *lifeFixture, u staff.User) error {
			_, err := f.s.SetRoles(ctx, f.admin.ID, u.ID, []string{"auditor", "agent"})
			return err
		}},
	{name: "disabled", action: audit.ActionStaffDisabled, actor: byAdmin, atomic: true,
		do: func(ctx context.Context, f *lifeFixture, u staff.User) error {
			return f.s.Disable(ctx, f.admin.ID, u.ID)
		}},
	{name: "enabled", action: audit.ActionStaffEnabled, actor: byAdmin, atomic: true,
		detail: map[string]any{"was_disabled": true},
		setup: func(t *testing.T, f *lifeFixture, u staff.User) {
			if err := f.s.Disable(context.Background(), f.admin.ID, u.ID); err != nil {
				t.Fatal(err)
			}
		},
		do: func(ctx context.Context, f *lifeFixture, u staff.User) error {
			return f.s.Enable(ctx, f.admin.ID, u.ID)
		}},
	{name: "new enrolment link", action: audit.ActionStaffEnrolmentIssued, actor: byAdmin, atomic: true,
		detail: map[string]any{"replace_keys": true, "keys_removed": 1, "links_ended": 0},
		do: func(ctx context.Context, f *lifeFixture, u staff.User) error {
			_, _, err := f.s.NewEnrolment(ctx, f.admin.ID, u.ID, staff.EnrolmentOptions{ReplaceKeys: true})
			return err
		}},
}

// TestLifecycleEventsAreAuditedInTheirTransaction performs each event of a staff account's life
// and finds exactly one entry for it about the account, by the right actor with the right
// detail. Then it performs it on another account while the audit log refuses that action (a
// trigger in the test's own database): the event fails and changes no account, because the
// change and its entry are one transaction. Last, a role change, a disable and a new link that
// replaces the keys that fail after their entry was appended (the sessions cannot end) leave no
// entry and change nothing.
func TestLifecycleEventsAreAuditedInTheirTransaction(t *testing.T) {
	ctx := context.Background()
	pool := dbtest.New(t)
	f := &lifeFixture{now: time.Now(), keys: map[int64]staff.Credential{}, refs: map[int64]string{}}
	f.s = staff.NewStore(pool, staff.Config{Hasher: testConfig.Hasher,
		Limits: identity.Limits{FreeFailures: 1, LockAfter: 3, LockFor: time.Hour, BaseDelay: time.Second, MaxDelay: time.Minute},
		Now:    func() time.Time { return f.now },
		EndSessions: func(ctx context.Context, tx pgx.Tx, id int64) error {
			if f.endSess != nil {
				return f.endSess(ctx, tx, id)
			}
			return nil
		}})
	f.admin, _ = enrolled(t, f.s, "admin@example.dk", "admin")
	log := audit.NewLog(pool)

	// prepare makes a new account and brings it to the case's starting point.
	prepare := func(t *testing.T, c lifecycle) staff.User {
		t.Helper()
		f.n++
		email := fmt.Sprintf("agent%d@example.dk", f.n)
		if c.action == audit.ActionStaffEnrolled {
			u, token, err := f.s.CreateBy(ctx, f.admin.ID, email, "Agent", []string{"agent"})
			if err != nil {
				t.Fatal(err)
			}
			e, err := f.s.OpenEnrolment(ctx, token)
			if err != nil {
				t.Fatal(err)
			}
			f.refs[u.ID], f.keys[u.ID] = e.Ref, newKey(t)
			return u
		}
		u, key := enrolled(t, f.s, email, "agent")
		f.keys[u.ID] = key
		if c.setup != nil {
			c.setup(t, f, u)
		}
		return u
	}
	entries := func(t *testing.T, subject int64, action audit.Action) []audit.Record {
		t.Helper()
		recs, err := log.List(ctx, audit.Filter{Subject: audit.Staff(subject), Action: action, Limit: audit.MaxLimit})
		if err != nil {
			t.Fatal(err)
		}
		return recs
	}

	for _, c := range lifecycles {
		t.Run(c.name, func(t *testing.T) {
			u := prepare(t, c)
			if err := c.do(ctx, f, u); err != nil {
				t.Fatal(err)
			}
			if c.action == audit.ActionStaffCreated {
				var err error
				if u, err = f.s.ByEmail(ctx, "ny."+u.Email); err != nil {
					t.Fatal(err)
				}
			}
			recs := entries(t, u.ID, c.action)
			if len(recs) != 1 {
				t.Fatalf("%d %s entries about the account, want 1", len(recs), c.action)
			}
			if want := c.actor(f, u); recs[0].Actor != want {
				t.Errorf("actor %q, want %q", recs[0].Actor, want)
			}
			for k, want := range c.detail {
				if got := recs[0].Detail[k]; fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("detail %s = %v, want %v", k, got, want)
				}
			}
		})
		if !c.atomic {
			continue
		}
		t.Run(c.name+" refused by the audit log", func(t *testing.T) {
			u := prepare(t, c)
			before := accounts(t, pool)
			refuse(t, pool, c.action)
			err := c.do(ctx, f, u)
			allow(t, pool)
			if err == nil {
				t.Fatal("the event succeeded while its audit entry could not be written")
			}
			if after := accounts(t, pool); !slices.Equal(after, before) {
				t.Errorf("a refused %s changed the accounts:\nbefore %v\nafter  %v", c.name, before, after)
			}
		})
	}

	for _, c := range lifecycles {
		if c.action != audit.ActionRoleChanged && c.action != audit.ActionStaffDisabled && c.action != audit.ActionStaffEnrolmentIssued {
			continue
		}
		t.Run(c.name+" whose sessions cannot end", func(t *testing.T) {
			u := prepare(t, c)
			f.endSess = func(context.Context, pgx.Tx, int64) error { return errors.New("session store down") }
			err := c.do(ctx, f, u)
			f.endSess = nil
			if err == nil {
				t.Fatal("the change succeeded although the sessions could not end")
			}
			if recs := entries(t, u.ID, c.action); len(recs) != 0 {
				t.Errorf("a failed %s left %d entries", c.name, len(recs))
			}
			if got, err := f.s.ByID(ctx, u.ID); err != nil || !slices.Equal(got.Roles, []string{"agent"}) || got.DisabledAt != nil ||
				got.Keys != 1 || !got.Enrolled {
				t.Errorf("a failed %s changed the account: %+v %v", c.name, got, err)
			}
		})
	}
}

// accounts is every account's state, with its keys, failed-login counts and enrolments, as
// comparable lines.
func accounts(t *testing.T, pool *pgxpool.Pool) []string {
	t.Helper()
	rows, err := pool.Query(context.Background(), `
		SELECT format('user %s %s %s %s %s %s', id, email, roles, disabled_at, last_login_at, password_hash IS NOT NULL)
		FROM staff_user
		UNION ALL SELECT format('key %s %s %s', staff_id, sign_count, last_used_at) FROM staff_credential
		UNION ALL SELECT format('failures %s %s %s', encode(key, 'hex'), failed, locked_until) FROM login_failure
		UNION ALL SELECT format('enrolment %s %s %s', staff_id, used_at, expires_at) FROM staff_enrolment
		ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return lines
}

// refuse makes the audit log refuse entries of action until allow.
func refuse(t *testing.T, pool *pgxpool.Pool, action audit.Action) {
	t.Helper()
	_, err := pool.Exec(context.Background(), `
		CREATE FUNCTION test_refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN RAISE EXCEPTION 'audit entry refused by the test'; END $$;
		CREATE TRIGGER test_refuse_audit BEFORE INSERT ON audit_log FOR EACH ROW
			WHEN (NEW.action = '`+string(action)+`') EXECUTE FUNCTION test_refuse_audit()`)
	if err != nil {
		t.Fatal(err)
	}
}

func allow(t *testing.T, pool *pgxpool.Pool) {
	t.Helper()
	if _, err := pool.Exec(context.Background(), `
		DROP TRIGGER test_refuse_audit ON audit_log; DROP FUNCTION test_refuse_audit()`); err != nil {
		t.Fatal(err)
	}
}
