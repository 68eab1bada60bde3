package staff_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"mitidportal/fault"

	"mitidportal/db/dbtest"
	"mitidportal/identity"
	"mitidportal/staff"
)

// TestLockIsTimedAndTellsNobodyWhoExists fails the password of a real account and of an
// address nobody has, count by count: both get the same answer at every count (free failures,
// back-off, a timed lock), the lock ends by itself when its time is up, and the right password
// then works again.
func TestLockIsTimedAndTellsNobodyWhoExists(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	limits := identity.Limits{FreeFailures: 2, BaseDelay: time.Minute, MaxDelay: 2 * time.Minute, LockAfter: 5, LockFor: time.Hour}
	s := staff.NewStore(dbtest.New(t), staff.Config{Hasher: testConfig.Hasher, Limits: limits, Now: clock})
	u, key := enrolled(t, s, "real@example.dk", "agent")
	answer := func(email string) string {
		_, err := s.CheckPassword(ctx, email, "not the password 123")
		if te, ok := fault.OfKind(err, fault.Throttled); ok {
			return fmt.Sprintf("%s wait %s", te.MsgID, te.RetryAfter)
		}
		return fmt.Sprint(err)
	}
	tests := []struct {
		failures int
		want     string // the answer to the attempt after that many failures
	}{
		{0, staff.ErrLoginFailed.Error()},
		{1, staff.ErrLoginFailed.Error()},
		{2, staff.ErrLoginFailed.Error()},
		{3, identity.MsgStaffLocked + " wait 1m0s"},
		{4, identity.MsgStaffLocked + " wait 2m0s"},
		{5, identity.MsgStaffLocked + " wait 1h0m0s"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("after %d failures", tt.failures), func(t *testing.T) {
			known, unknown := answer(u.Email), answer("nobody@example.dk")
			if known != tt.want || unknown != tt.want {
				t.Errorf("known: %q, unknown: %q; want both %q", known, unknown, tt.want)
			}
			if tt.failures >= 3 {
				// Wait out the back-off, then fail once more to reach the next count.
				now = now.Add(limits.Wait(tt.failures))
				if a, b := answer(u.Email), answer("nobody@example.dk"); a != b {
					t.Errorf("after the wait: known %q, unknown %q", a, b)
				}
			}
		})
	}
	if got, _ := s.ByID(ctx, u.ID); got.Status() != staff.StatusLocked {
		// LockedAt is read with the database's clock, which the test cannot move: the lock runs
		// an hour from the test's clock, which is in the past; only check when it is visible.
		t.Logf("status %s (the test clock is not the database's)", got.Status())
	}
	if _, err := s.CheckPassword(ctx, u.Email, staffPassword); !errors.Is(err, identity.ErrThrottled) {
		t.Fatalf("right password while locked: %v, want throttled", err)
	}
	now = now.Add(time.Hour)
	if _, err := s.CheckPassword(ctx, u.Email, staffPassword); err != nil {
		t.Fatalf("right password after the lock's hour: %v", err)
	}
	if _, err := s.FinishLogin(ctx, u.ID, key.CredentialID, 1, staff.KeyFlags{UserPresent: true, UserVerified: true}); err != nil {
		t.Fatal(err)
	}
	if got := answer(u.Email); got != staff.ErrLoginFailed.Error() {
		t.Errorf("after a finished login the count did not start again: %q", got)
	}
}

// TestUnlock ends a lock before its time, and only for the account asked about.
func TestUnlock(t *testing.T) {
	ctx := context.Background()
	limits := identity.Limits{FreeFailures: 1, LockAfter: 2, LockFor: time.Hour}
	s := staff.NewStore(dbtest.New(t), staff.Config{Hasher: testConfig.Hasher, Limits: limits})
	u, _ := enrolled(t, s, "locked@example.dk", "admin")
	for range 2 {
		_, _ = s.CheckPassword(ctx, u.Email, "wrong wrong wrong")
	}
	if _, err := s.CheckPassword(ctx, u.Email, staffPassword); !errors.Is(err, identity.ErrThrottled) {
		t.Fatalf("not locked: %v", err)
	}
	if got, _ := s.ByID(ctx, u.ID); got.Status() != staff.StatusLocked || got.LockedAt == nil {
		t.Errorf("status %s, locked at %v; want locked", got.Status(), got.LockedAt)
	}
	got, cleared, err := s.Unlock(ctx, 0, "LOCKED@example.dk", "cli")
	if err != nil || !cleared || got.ID != u.ID {
		t.Fatalf("Unlock = %+v, %v, %v", got, cleared, err)
	}
	if _, err := s.CheckPassword(ctx, u.Email, staffPassword); err != nil {
		t.Errorf("after unlock: %v", err)
	}
	if _, _, err := s.Unlock(ctx, 0, "nobody@example.dk", "cli"); !errors.Is(err, staff.ErrNotFound) {
		t.Errorf("Unlock of an unknown address: %v", err)
	}
}

// TestLoginNeverTellsWhoExists: every refusal of the password step is the same error.
func TestLoginNeverTellsWhoExists(t *testing.T) {
	ctx := context.Background()
	s := staff.NewStore(dbtest.New(t), testConfig)
	active, _ := enrolled(t, s, "active@example.dk", "agent")
	disabled, _ := enrolled(t, s, "disabled@example.dk", "agent")
	if err := s.Disable(ctx, 0, disabled.ID); err != nil {
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
// a growing counter, finishes a login.
func TestFinishLogin(t *testing.T) {
	ctx := context.Background()
	pool := dbtest.New(t)
	s := staff.NewStore(pool, testConfig)
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
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := s.FinishLogin(ctx, u.ID, tt.cred, tt.count, tt.flags); !errors.Is(err, staff.ErrLoginFailed) {
				t.Errorf("FinishLogin = %v, want ErrLoginFailed", err)
			}
		})
	}
	if _, err := s.FinishLogin(ctx, u.ID, key.CredentialID, 6, good); err != nil {
		t.Fatalf("the right key after refusals: %v", err)
	}
	if _, creds, err := s.LoginKeys(ctx, u.ID); err != nil || len(creds) != 1 || creds[0].SignCount != 6 {
		t.Errorf("LoginKeys = %+v, %v; want one key with counter 6", creds, err)
	}
}
