package app_test

import (
	"context"
	"errors"
	"testing"

	"mitidportal/app/apptest"
	"mitidportal/audit"
	"mitidportal/identity"
)

// TestStaffActsAreAuditedInTheirTransaction: every look-up and change a member of staff makes
// through identity is in the citizen's activity log and has exactly one audit entry, with the
// case; and when the audit entry cannot be written the change does not happen.
func TestStaffActsAreAuditedInTheirTransaction(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	ctx := context.Background()
	m := env.NewCitizen(t)
	act := identity.StaffAct{StaffID: 42, Case: "ABCEGH"}
	id := env.App.Identity

	if err := id.RecordLookup(ctx, m.ID, act, "case"); err != nil {
		t.Fatal(err)
	}
	means, err := id.Means(ctx, m.ID)
	if err != nil || len(means) == 0 {
		t.Fatalf("means %v %v", means, err)
	}
	if _, err := id.BlockMeansByStaff(ctx, m.ID, means[0].ID, identity.BlockLost, act); err != nil {
		t.Fatal(err)
	}
	if _, _, err := id.IssueTemporaryPasswordByStaff(ctx, m.ID, act); err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Activations.IssueRecoveryByStaff(ctx, m.ID, act); err != nil {
		t.Fatal(err)
	}
	if err := id.RecordVerification(ctx, m.ID, act, "approved", 0); err != nil {
		t.Fatal(err)
	}
	if err := id.BlockMitIDByStaff(ctx, m.ID, identity.BlockStolen, act); err != nil {
		t.Fatal(err)
	}
	recs, err := env.App.Audit.List(ctx, audit.Filter{Subject: audit.MitID(m.ID)})
	if err != nil {
		t.Fatal(err)
	}
	count := map[audit.Action]int{}
	for _, r := range recs {
		count[r.Action]++
		if r.Actor != audit.Staff(42) || r.Detail["case"] != "ABCEGH" {
			t.Errorf("entry %s: actor %q, detail %v", r.Action, r.Actor, r.Detail)
		}
	}
	for _, a := range []audit.Action{audit.ActionCitizenLookup, audit.ActionBlockMeans, audit.ActionIssueTemporaryPassword,
		audit.ActionIssueActivationCode, audit.ActionVerifyCaller, audit.ActionBlockMitID} {
		if count[a] != 1 {
			t.Errorf("%s: %d audit entries, want 1", a, count[a])
		}
	}
	acts, err := id.Activity(ctx, m.ID, 0, 50)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[identity.ActivityKind]bool{}
	for _, a := range acts {
		seen[a.Kind] = true
	}
	for _, k := range []identity.ActivityKind{identity.ActivityLookupBySupport, identity.ActivityMeansBlocked,
		identity.ActivityPasswordChanged, identity.ActivityActivationIssued, identity.ActivityVerifiedBySupport,
		identity.ActivityMitIDBlocked} {
		if !seen[k] {
			t.Errorf("no %s in the citizen's activity log", k)
		}
	}

	// The audit log refuses the next block: the block must not happen either.
	other := env.NewCitizen(t)
	if _, err := env.App.Pool.Exec(ctx, `ALTER TABLE audit_log ADD CONSTRAINT test_no_block CHECK (action <> 'block_mitid') NOT VALID`); err != nil {
		t.Fatal(err)
	}
	if err := id.BlockMitIDByStaff(ctx, other.ID, identity.BlockStolen, act); err == nil {
		t.Fatal("the block succeeded without its audit entry")
	}
	got, err := id.MitID(ctx, other.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != identity.StatusActive {
		t.Errorf("status %s after a block whose audit entry failed, want active", got.Status)
	}
	if _, err := id.MitID(ctx, -1); !errors.Is(err, identity.ErrNotFound) {
		t.Errorf("unknown MitID: %v", err)
	}
}
