package staff_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"mitidportal/db/dbtest"
	"mitidportal/staff"
)

// TestPasswordFailuresLockAtTheBound fails n passwords in a row and then types the right one:
// below MaxFailures the login goes on (and a finished login starts the count again), at the
// bound the account is locked until an admin enables it.
func TestPasswordFailuresLockAtTheBound(t *testing.T) {
	ctx := context.Background()
	s := staff.NewStore(dbtest.New(t))
	tests := []struct {
		failures   int
		wantLocked bool
	}{
		{0, false},
		{staff.MaxFailures - 1, false},
		{staff.MaxFailures, true},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d failures", tt.failures), func(t *testing.T) {
			u, key := enrolled(t, s, fmt.Sprintf("lock%d@example.dk", tt.failures), "agent")
			for range tt.failures {
				if _, err := s.CheckPassword(ctx, u.Email, staffPassword+"!"); !errors.Is(err, staff.ErrLoginFailed) {
					t.Fatalf("wrong password: %v", err)
				}
			}
			_, err := s.CheckPassword(ctx, u.Email, staffPassword)
			got, _ := s.ByID(ctx, u.ID)
			if tt.wantLocked {
				if !errors.Is(err, staff.ErrLoginFailed) || got.Status() != staff.StatusLocked {
					t.Fatalf("right password after %d failures: %v, status %s; want refused and locked", tt.failures, err, got.Status())
				}
				if _, _, err := s.LoginKeys(ctx, u.ID); !errors.Is(err, staff.ErrLoginFailed) {
					t.Errorf("a locked account is offered its keys: %v", err)
				}
				if err := s.Enable(ctx, u.ID); err != nil {
					t.Fatal(err)
				}
				if _, err := s.CheckPassword(ctx, u.Email, staffPassword); err != nil {
					t.Fatalf("after an admin unlocked it: %v", err)
				}
				return
			}
			if err != nil || got.Status() != staff.StatusActive {
				t.Fatalf("right password after %d failures: %v, status %s", tt.failures, err, got.Status())
			}
			if _, err := s.FinishLogin(ctx, u.ID, key.CredentialID, 1, staff.KeyFlags{UserPresent: true, UserVerified: true}); err != nil {
				t.Fatal(err)
			}
			// The count started again: MaxFailures-1 more failures do not lock.
			for range staff.MaxFailures - 1 {
				_, _ = s.CheckPassword(ctx, u.Email, "wrong password")
			}
			if _, err := s.CheckPassword(ctx, u.Email, staffPassword); err != nil {
				t.Errorf("the finished login did not reset the count: %v", err)
			}
		})
	}
}

// TestLoginNeverTellsWhoExists: every refusal of the password step is the same error.
func TestLoginNeverTellsWhoExists(t *testing.T) {
	ctx := context.Background()
	s := staff.NewStore(dbtest.New(t))
	active, _ := enrolled(t, s, "active@example.dk", "agent")
	disabled, _ := enrolled(t, s, "disabled@example.dk", "agent")
	if err := s.Disable(ctx, 0, disabled.ID, nil); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Create(ctx, "pending@example.dk", "P", []string{"agent"}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, email, password string
		want                  error
	}{
		{"right", "ACTIVE@example.dk", staffPassword, nil},
		{"wrong password", active.Email, staffPassword + "x", staff.ErrLoginFailed},
		{"unknown address", "nobody@example.dk", staffPassword, staff.ErrLoginFailed},
		{"not enrolled", "pending@example.dk", staffPassword, staff.ErrLoginFailed},
		{"disabled, right password", disabled.Email, staffPassword, staff.ErrLoginFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := s.CheckPassword(ctx, tt.email, tt.password); !errors.Is(err, tt.want) {
				t.Errorf("CheckPassword = %v, want %v", err, tt.want)
			}
		})
	}
}

// TestFinishLogin checks the key step: only the account's own key, present and verified, with
// a growing counter, finishes a login; every other answer counts a failure.
func TestFinishLogin(t *testing.T) {
	ctx := context.Background()
	pool := dbtest.New(t)
	s := staff.NewStore(pool)
	u, key := enrolled(t, s, "key@example.dk", "agent", "supervisor")
	_, other := enrolled(t, s, "other@example.dk", "agent")
	good := staff.KeyFlags{UserPresent: true, UserVerified: true}
	got, err := s.FinishLogin(ctx, u.ID, key.CredentialID, 5, good)
	if err != nil || got.ID != u.ID || len(got.Roles) != 2 || got.LastLoginAt == nil {
		t.Fatalf("FinishLogin = %+v, %v", got, err)
	}
	tests := []struct {
		name  string
		cred  []byte
		count uint32
		flags staff.KeyFlags
	}{
		{"another staff member's key", other.CredentialID, 6, good},
		{"not verified", key.CredentialID, 6, staff.KeyFlags{UserPresent: true}},
		{"not present", key.CredentialID, 6, staff.KeyFlags{UserVerified: true}},
		{"counter did not grow", key.CredentialID, 5, good},
		{"counter went back", key.CredentialID, 2, good},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := s.FinishLogin(ctx, u.ID, tt.cred, tt.count, tt.flags); !errors.Is(err, staff.ErrLoginFailed) {
				t.Errorf("FinishLogin = %v, want ErrLoginFailed", err)
			}
			var n int
			if err := pool.QueryRow(ctx, `SELECT failed_count FROM staff_user WHERE id = $1`, u.ID).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != i+1 {
				t.Errorf("failed_count = %d, want %d", n, i+1)
			}
		})
	}
	if err := s.KeyRefused(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.FinishLogin(ctx, u.ID, key.CredentialID, 6, good); err != nil {
		t.Fatalf("the right key after refusals: %v", err)
	}
	if _, creds, err := s.LoginKeys(ctx, u.ID); err != nil || len(creds) != 1 || creds[0].SignCount != 6 {
		t.Errorf("LoginKeys = %+v, %v; want one key with counter 6", creds, err)
	}
}
