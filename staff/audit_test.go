package staff_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"mitidportal/audit"
	"mitidportal/db/dbtest"
	"mitidportal/identity"
	"mitidportal/staff"
)

// TestEveryLifecycleEventIsAudited: creation (by the command line and by an admin), enrolment,
// login, failed logins (password, key), the lock they start (once), unlock, role change,
// disable and enable each leave exactly their entry about the account, with the right actor.
func TestEveryLifecycleEventIsAudited(t *testing.T) {
	ctx := context.Background()
	pool := dbtest.New(t)
	limits := identity.Limits{FreeFailures: 1, LockAfter: 3, LockFor: time.Hour}
	now := time.Now()
	s := staff.NewStore(pool, staff.Config{Hasher: testConfig.Hasher, Limits: limits, Now: func() time.Time { return now }})
	log := audit.NewLog(pool)
	type event struct {
		actor  string
		action audit.Action
	}
	entries := func(id int64) []event {
		t.Helper()
		recs, err := log.List(ctx, audit.Filter{Subject: audit.Staff(id), Limit: audit.MaxLimit})
		if err != nil {
			t.Fatal(err)
		}
		var got []event
		for _, r := range slices.Backward(recs) {
			got = append(got, event{r.Actor, r.Action})
		}
		return got
	}

	admin, _ := enrolled(t, s, "admin@example.dk", "admin")
	if got, want := entries(admin.ID), []event{{audit.ActorSystem, audit.ActionStaffCreated},
		{audit.Staff(admin.ID), audit.ActionStaffEnrolled}}; !slices.Equal(got, want) {
		t.Fatalf("created by the command line and enrolled: %v, want %v", got, want)
	}

	u, token, err := s.CreateBy(ctx, admin.ID, "bo@example.dk", "Bo", []string{"agent"})
	if err != nil {
		t.Fatal(err)
	}
	e, err := s.OpenEnrolment(ctx, token)
	if err != nil {
		t.Fatal(err)
	}
	hash, err := staff.HashNewPassword(staffPassword, u.Email)
	if err != nil {
		t.Fatal(err)
	}
	key := newKey(t)
	if _, err := s.CompleteEnrolment(ctx, e.Ref, hash, key); err != nil {
		t.Fatal(err)
	}
	ok := staff.KeyFlags{UserPresent: true, UserVerified: true}
	if _, err := s.CheckPassword(ctx, u.Email, staffPassword); err != nil {
		t.Fatal(err)
	}
	if _, err := s.FinishLogin(ctx, u.ID, key.CredentialID, 1, ok); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CheckPassword(ctx, u.Email, staffPassword); err != nil {
		t.Fatal(err)
	}
	// A counter that does not grow: the key may have been copied.
	if _, err := s.FinishLogin(ctx, u.ID, key.CredentialID, 1, ok); err == nil {
		t.Fatal("a key whose counter did not grow logged in")
	}
	// The key's failure left one count; of three wrong passwords (each after the wait) the
	// second is the third failure in a row, LockAfter, which starts the lock: one lock entry.
	for range 3 {
		now = now.Add(2 * time.Hour)
		if _, err := s.CheckPassword(ctx, u.Email, "forkert forkert forkert"); !errors.Is(err, staff.ErrLoginFailed) {
			t.Fatalf("a wrong password after the wait: %v", err)
		}
	}
	if _, _, err := s.Unlock(ctx, 0, u.Email, "cli"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetRoles(ctx, admin.ID, u.ID, []string{"agent", "supervisor"}); err != nil {
		t.Fatal(err)
	}
	// The same roles again change nothing and record nothing.
	if _, err := s.SetRoles(ctx, admin.ID, u.ID, []string{"supervisor", "agent"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Disable(ctx, admin.ID, u.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.Disable(ctx, admin.ID, u.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.Enable(ctx, admin.ID, u.ID); err != nil {
		t.Fatal(err)
	}

	by, sys, self := audit.Staff(admin.ID), audit.ActorSystem, audit.Staff(u.ID)
	want := []event{
		{by, audit.ActionStaffCreated},
		{self, audit.ActionStaffEnrolled},
		{self, audit.ActionStaffLogin},
		{sys, audit.ActionStaffLoginFailed}, // the key
		{sys, audit.ActionStaffLoginFailed}, // password 1
		{sys, audit.ActionStaffLoginFailed}, // password 2 …
		{sys, audit.ActionStaffLocked},      // … starts the lock
		{sys, audit.ActionStaffLoginFailed}, // password 3, after the lock's hour
		{sys, audit.ActionStaffUnlocked},
		{by, audit.ActionRoleChanged},
		{by, audit.ActionStaffDisabled},
		{by, audit.ActionStaffEnabled},
	}
	if got := entries(u.ID); !slices.Equal(got, want) {
		t.Errorf("the account's audit entries:\n got %v\nwant %v", got, want)
	}
}
