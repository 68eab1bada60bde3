package staff_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"mitidportal/audit"
	"mitidportal/db/dbtest"
	"mitidportal/session"
	"mitidportal/staff"
)

// sessionsOf counts the web sessions of staff account id.
func sessionsOf(t *testing.T, pool *pgxpool.Pool, id int64) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(context.Background(), `
		SELECT count(*) FROM web_session WHERE subject_kind = 'staff' AND subject_id = $1`, id).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// liveLinks counts the enrolment links of account id that still work.
func liveLinks(t *testing.T, pool *pgxpool.Pool, id int64) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(context.Background(), `
		SELECT count(*) FROM staff_enrolment WHERE staff_id = $1 AND used_at IS NULL AND expires_at > now()`, id).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestNewEnrolment issues a new link for accounts in each state: the earlier link stops
// working and the new one opens the enrolment; the keys stay, or with ReplaceKeys go together
// with the password and the sessions (the real session store's, in the same transaction), so
// that the old key cannot log in; a disabled account, an admin's own keys and an unknown
// account are refused and change nothing. Each issued link leaves one audit entry by the admin.
func TestNewEnrolment(t *testing.T) {
	ctx := context.Background()
	pool := dbtest.New(t)
	sessions := session.NewStore(pool, session.Config{})
	s := staff.NewStore(pool, staff.Config{Hasher: testConfig.Hasher,
		EndSessions: func(ctx context.Context, tx pgx.Tx, id int64) error {
			_, err := sessions.EndAllTx(ctx, tx, session.KindStaff, id)
			return err
		}})
	admin, _ := enrolled(t, s, "admin@example.dk", "admin")
	log := audit.NewLog(pool)

	// account is what a case starts from: an account, its latest link (token, "" if used) and
	// its key (zero when it never enrolled), with one web session.
	type account struct {
		u     staff.User
		token string
		key   staff.Credential
	}
	pending := func(t *testing.T, email string) account {
		u, token, err := s.CreateBy(ctx, admin.ID, email, "Ny", []string{"agent"})
		if err != nil {
			t.Fatal(err)
		}
		return account{u: u, token: token}
	}
	active := func(t *testing.T, email string) account {
		u, key := enrolled(t, s, email, "agent")
		return account{u: u, key: key}
	}
	tests := []struct {
		name   string
		start  func(t *testing.T, email string) account
		before func(t *testing.T, a account) // after start, before the new link
		by     func(a account) int64
		opts   staff.EnrolmentOptions
		want   error
		// keys and status of the account afterwards, and the audit entry's detail.
		keys   int
		status string
		detail map[string]any
	}{
		{name: "link lost", start: pending, opts: staff.EnrolmentOptions{},
			keys: 0, status: staff.StatusPending,
			detail: map[string]any{"replace_keys": false, "keys_removed": 0, "links_ended": 1}},
		{name: "link expired", start: pending,
			before: func(t *testing.T, a account) {
				if _, err := pool.Exec(ctx, `UPDATE staff_enrolment SET expires_at = now() - interval '1 second' WHERE staff_id = $1`, a.u.ID); err != nil {
					t.Fatal(err)
				}
			},
			keys: 0, status: staff.StatusPending,
			detail: map[string]any{"replace_keys": false, "keys_removed": 0, "links_ended": 0}},
		{name: "enrolled, keys kept", start: active,
			keys: 1, status: staff.StatusActive,
			detail: map[string]any{"replace_keys": false, "keys_removed": 0, "links_ended": 0}},
		{name: "key lost", start: active, opts: staff.EnrolmentOptions{ReplaceKeys: true},
			keys: 0, status: staff.StatusPending,
			detail: map[string]any{"replace_keys": true, "keys_removed": 1, "links_ended": 0}},
		{name: "key lost by the command line", start: active, by: func(account) int64 { return 0 },
			opts: staff.EnrolmentOptions{ReplaceKeys: true}, keys: 0, status: staff.StatusPending,
			detail: map[string]any{"replace_keys": true, "keys_removed": 1, "links_ended": 0}},
		{name: "disabled", start: pending, want: staff.ErrEnrolDisabled,
			before: func(t *testing.T, a account) {
				if err := s.Disable(ctx, admin.ID, a.u.ID); err != nil {
					t.Fatal(err)
				}
			}},
		{name: "own keys", start: active, by: func(a account) int64 { return a.u.ID },
			opts: staff.EnrolmentOptions{ReplaceKeys: true}, want: staff.ErrReplaceOwnKeys},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := tt.start(t, fmt.Sprintf("n%d@example.dk", i))
			by := admin.ID
			if tt.by != nil {
				by = tt.by(a)
			}
			if tt.before != nil {
				tt.before(t, a)
			}
			if _, err := pool.Exec(ctx, `
				INSERT INTO web_session (id_hash, subject_kind, subject_id, data, expires_at)
				VALUES (sha256($1::bytea), 'staff', $2, '', now() + interval '1 hour')`, []byte(tt.name), a.u.ID); err != nil {
				t.Fatal(err)
			}
			before := accounts(t, pool)

			u, token, err := s.NewEnrolment(ctx, by, a.u.ID, tt.opts)
			recs, lerr := log.List(ctx, audit.Filter{Subject: audit.Staff(a.u.ID), Action: audit.ActionStaffEnrolmentIssued, Limit: audit.MaxLimit})
			if lerr != nil {
				t.Fatal(lerr)
			}
			if tt.want != nil {
				if !errors.Is(err, tt.want) || token != "" {
					t.Fatalf("NewEnrolment = %q, %v; want %v", token, err, tt.want)
				}
				if after := accounts(t, pool); fmt.Sprint(after) != fmt.Sprint(before) || len(recs) != 0 || sessionsOf(t, pool, a.u.ID) != 1 {
					t.Errorf("a refused link changed the accounts or was audited (%d entries):\nbefore %v\nafter  %v", len(recs), before, after)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}

			// The earlier link no longer works; the new one does, and is the account's only one.
			if a.token != "" {
				if _, err := s.OpenEnrolment(ctx, a.token); !errors.Is(err, staff.ErrEnrolmentInvalid) {
					t.Errorf("the earlier link after a new one: %v", err)
				}
			}
			e, err := s.OpenEnrolment(ctx, token)
			if err != nil || e.User.ID != a.u.ID {
				t.Fatalf("the new link: %+v, %v", e, err)
			}
			if n := liveLinks(t, pool, a.u.ID); n != 1 {
				t.Errorf("%d live links, want 1", n)
			}
			if u.Keys != tt.keys || u.Status() != tt.status {
				t.Errorf("afterwards %d keys, status %s; want %d, %s", u.Keys, u.Status(), tt.keys, tt.status)
			}
			wantSessions := 1
			if tt.opts.ReplaceKeys {
				wantSessions = 0
			}
			if n := sessionsOf(t, pool, a.u.ID); n != wantSessions {
				t.Errorf("%d sessions afterwards, want %d", n, wantSessions)
			}

			// A kept key still logs in; a replaced one does not, already at the password.
			if a.key.CredentialID != nil {
				_, perr := s.CheckPassword(ctx, a.u.Email, staffPassword)
				if tt.opts.ReplaceKeys != errors.Is(perr, staff.ErrLoginFailed) {
					t.Errorf("the password with the keys replaced=%v: %v", tt.opts.ReplaceKeys, perr)
				}
				if _, err := s.FinishLogin(ctx, a.u.ID, a.key.CredentialID, 1, staff.KeyFlags{UserPresent: true, UserVerified: true}); (err == nil) == tt.opts.ReplaceKeys {
					t.Errorf("the old key with the keys replaced=%v: %v", tt.opts.ReplaceKeys, err)
				}
			}

			// The new link enrols: a new password and one more key (or the first again).
			hash, err := staff.HashNewPassword(staffPassword, a.u.Email)
			if err != nil {
				t.Fatal(err)
			}
			got, err := s.CompleteEnrolment(ctx, e.Ref, hash, newKey(t))
			if err != nil || got.Status() != staff.StatusActive || got.Keys != tt.keys+1 {
				t.Errorf("enrolling with the new link: %+v, %v", got, err)
			}

			if len(recs) != 1 {
				t.Fatalf("%d entries, want 1", len(recs))
			}
			if want := audit.Staff(by); by == 0 && recs[0].Actor != audit.ActorSystem || by != 0 && recs[0].Actor != want {
				t.Errorf("actor %s, want the admin or the system (by %d)", recs[0].Actor, by)
			}
			for k, want := range tt.detail {
				if got := recs[0].Detail[k]; fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("detail %s = %v, want %v", k, got, want)
				}
			}
		})
	}

	if _, _, err := s.NewEnrolment(ctx, admin.ID, 999999, staff.EnrolmentOptions{}); !errors.Is(err, staff.ErrNotFound) {
		t.Errorf("an unknown account: %v, want ErrNotFound", err)
	}
}

// TestNewEnrolmentAtOnce sends 100 new links for one account at once (half of them replacing
// its keys): each succeeds, and exactly one link stays live, one of those returned.
func TestNewEnrolmentAtOnce(t *testing.T) {
	ctx := context.Background()
	pool := dbtest.New(t)
	s := staff.NewStore(pool, testConfig)
	admin, _ := enrolled(t, s, "admin@example.dk", "admin")
	u, _ := enrolled(t, s, "agent@example.dk", "agent")

	const n = 100
	tokens := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			_, tokens[i], errs[i] = s.NewEnrolment(ctx, admin.ID, u.ID, staff.EnrolmentOptions{ReplaceKeys: i%2 == 0})
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	if got := liveLinks(t, pool, u.ID); got != 1 {
		t.Errorf("%d live links after %d at once, want 1", got, n)
	}
	open := 0
	for _, token := range tokens {
		if _, err := s.OpenEnrolment(ctx, token); err == nil {
			open++
		}
	}
	if open != 1 {
		t.Errorf("%d of the returned links open the enrolment, want 1", open)
	}
	if got, _ := s.ByID(ctx, u.ID); got.Keys != 0 {
		t.Errorf("%d keys after the replacing requests, want 0", got.Keys)
	}
}
