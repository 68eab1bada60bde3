package identity

import (
	"context"
	"errors"
	"regexp"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

var temporaryShape = regexp.MustCompile(`^[abcdefghjkmnpqrstuvwxyz2-9]{4}(-[abcdefghjkmnpqrstuvwxyz2-9]{4}){3}$`)

func TestNewTemporaryPassword(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 200 {
		pw, err := NewTemporaryPassword()
		if err != nil {
			t.Fatal(err)
		}
		if !temporaryShape.MatchString(pw) {
			t.Fatalf("%q is not four groups of four unambiguous symbols", pw)
		}
		if err := ValidatePassword(pw, "someone", ""); err != nil {
			t.Fatalf("%q breaks the password rules: %v", pw, err)
		}
		if seen[pw] {
			t.Fatalf("%q issued twice", pw)
		}
		seen[pw] = true
	}
}

// TestIssueTemporaryPassword: the temporary password replaces the old one, logs in once with
// "must change", expires, is refused on a blocked MitID, and rolls back with its caller's work.
func TestIssueTemporaryPassword(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	errAlso := errors.New("audit failed")
	for _, tt := range []struct {
		name string
		// before prepares the MitID; also is the caller's work in the transaction.
		before  func(e *env, m MitID)
		also    TxFunc
		wantErr error
		// after checks the outcome when the issue succeeded.
		after func(t *testing.T, e *env, m MitID, serial, pw string)
	}{
		{
			name: "logs in with must change, old password gone",
			after: func(t *testing.T, e *env, m MitID, serial, pw string) {
				_, err := e.store.LoginWithCode(ctx, LoginInput{Username: m.Username, Password: testPassword,
					Code: e.code(serial), Service: "test", ClientAddr: "192.0.2.1"})
				if !errors.Is(err, ErrLoginFailed) {
					t.Errorf("old password: %v, want ErrLoginFailed", err)
				}
				e.clock.Add(30 * time.Second)
				l, err := e.store.LoginWithCode(ctx, LoginInput{Username: m.Username, Password: pw,
					Code: e.code(serial), Service: "test", ClientAddr: "192.0.2.1"})
				if err != nil || !l.MustChangePassword {
					t.Errorf("temporary password: %+v, %v; want a login that must change the password", l, err)
				}
				acts, err := e.store.Activity(ctx, m.ID, 0, 10)
				if err != nil {
					t.Fatal(err)
				}
				found := false
				for _, a := range acts {
					if a.Kind == ActivityPasswordChanged && a.Detail["temporary"] == true && a.Actor == StaffActor(9) {
						found = true
					}
				}
				if !found {
					t.Errorf("no password_changed activity with temporary by staff:9 in %+v", acts)
				}
				if n := one[int](t, e.pool, `SELECT count(*)::int FROM authenticator
					WHERE mitid_id = $1 AND kind = 'password' AND status <> 'revoked'`, m.ID); n != 1 {
					t.Errorf("%d live passwords, want 1", n)
				}
			},
		},
		{
			name: "stays usable until changed, then stops at once",
			after: func(t *testing.T, e *env, m MitID, serial, pw string) {
				for i := range 2 {
					e.clock.Add(30 * time.Second)
					l, err := e.store.LoginWithCode(ctx, LoginInput{Username: m.Username, Password: pw,
						Code: e.code(serial), Service: "test", ClientAddr: "192.0.2.1"})
					if err != nil || !l.MustChangePassword {
						t.Fatalf("login %d with the temporary password: %+v, %v; want one that must change it", i+1, l, err)
					}
				}
				if err := e.store.ChangePassword(ctx, m.ID, pw, ActorCitizen, ""); !errors.Is(err, ErrPasswordIsTemporary) {
					t.Errorf("the temporary password as the new one: %v, want ErrPasswordIsTemporary", err)
				}
				if err := e.store.ChangePassword(ctx, m.ID, "Blå-Hest-Galopperer-91", ActorCitizen, ""); err != nil {
					t.Fatal(err)
				}
				e.clock.Add(30 * time.Second)
				_, err := e.store.LoginWithCode(ctx, LoginInput{Username: m.Username, Password: pw,
					Code: e.code(serial), Service: "test", ClientAddr: "192.0.2.1"})
				if !errors.Is(err, ErrLoginFailed) {
					t.Errorf("temporary password after the change: %v, want ErrLoginFailed", err)
				}
			},
		},
		{
			name: "expires",
			after: func(t *testing.T, e *env, m MitID, serial, pw string) {
				e.clock.Add(TemporaryPasswordTTL + time.Second)
				_, err := e.store.LoginWithCode(ctx, LoginInput{Username: m.Username, Password: pw,
					Code: e.code(serial), Service: "test", ClientAddr: "192.0.2.1"})
				if !errors.Is(err, ErrPasswordExpired) {
					t.Errorf("after %v: %v, want ErrPasswordExpired", TemporaryPasswordTTL, err)
				}
			},
		},
		{
			name: "changed password is no longer temporary",
			after: func(t *testing.T, e *env, m MitID, serial, pw string) {
				if err := e.store.ChangePassword(ctx, m.ID, "Blå-Hest-Galopperer-91", ActorCitizen, ""); err != nil {
					t.Fatal(err)
				}
				e.clock.Add(TemporaryPasswordTTL + time.Second)
				l, err := e.store.LoginWithCode(ctx, LoginInput{Username: m.Username, Password: "Blå-Hest-Galopperer-91",
					Code: e.code(serial), Service: "test", ClientAddr: "192.0.2.1"})
				if err != nil || l.MustChangePassword {
					t.Errorf("changed password: %+v, %v; want an ordinary login", l, err)
				}
			},
		},
		{
			name: "blocked MitID refused",
			before: func(e *env, m MitID) {
				if err := e.store.BlockMitID(ctx, m.ID, BlockStolen, ActorCitizen, nil); err != nil {
					e.t.Fatal(err)
				}
			},
			wantErr: ErrMitIDBlocked,
		},
		{
			name:    "caller's error rolls back",
			also:    func(pgx.Tx) error { return errAlso },
			wantErr: errAlso,
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, Config{})
			m, serial := e.mitid()
			if tt.before != nil {
				tt.before(e, m)
			}
			pw, err := e.store.IssueTemporaryPassword(ctx, m.ID, StaffActor(9), tt.also)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || pw != "" {
					t.Fatalf("got %q, %v; want %v", pw, err, tt.wantErr)
				}
				// Nothing changed: the old password is still the only one, and not temporary.
				if n := one[int](t, e.pool, `SELECT count(*)::int FROM authenticator
					WHERE mitid_id = $1 AND kind = 'password' AND status = 'active' AND NOT must_change`, m.ID); n != 1 {
					t.Errorf("%d ordinary active passwords after a refused issue, want 1", n)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !temporaryShape.MatchString(pw) {
				t.Errorf("password %q has the wrong shape", pw)
			}
			tt.after(t, e, m, serial, pw)
		})
	}
}
