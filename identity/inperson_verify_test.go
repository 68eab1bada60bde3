package identity_test

import (
	"context"
	"errors"
	"testing"

	"mitidportal/identity"
)

// TestSupportMayVerifyABlockedCaller: the app of a blocked MitID answers support's "are you on
// the phone with us?" (so that a verified caller can be sent the letter that lifts the block),
// and nothing else: a login is still refused, the phone lists only support's question, and
// answering it leaves the MitID blocked.
func TestSupportMayVerifyABlockedCaller(t *testing.T) {
	t.Parallel()
	e := newAppEnv(t)
	ctx := context.Background()
	m := e.mitid(identity.LevelSubstantial)
	p := e.pair(m)
	if err := e.store.BlockMitID(ctx, m.ID, identity.BlockStolen, identity.ActorCitizen, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := e.login(m.Username); !errors.Is(err, identity.ErrMitIDBlocked) {
		t.Errorf("login request for a blocked MitID: %v, want ErrMitIDBlocked", err)
	}
	r, err := e.store.StartAppRequest(ctx, identity.AppRequestInput{MitIDID: m.ID, Purpose: identity.AppPurposeVerify,
		Service: "MitID-support", ClientAddr: "198.51.100.8", BrowserSecret: secret})
	if err != nil {
		t.Fatalf("support's question to a blocked MitID's app: %v", err)
	}
	now := e.clock().Unix()
	a, err := e.store.AuthenticateAppDevice(ctx, p.means.ID, now, sign(t, p.key, identity.AppListMessage(p.means.ID, now)))
	if !errors.Is(err, identity.ErrMitIDBlocked) || a.ID != p.means.ID {
		t.Errorf("listing: %v (means %d), want ErrMitIDBlocked with the means", err, a.ID)
	}
	list, err := e.store.PendingAppRequests(ctx, p.means.ID)
	if err != nil || len(list) != 1 || list[0].ID != r.ID || list[0].Purpose != identity.AppPurposeVerify {
		t.Fatalf("pending: %+v, %v; want support's question only", list, err)
	}
	if err := e.store.DecideAppRequest(ctx, r.ID, p.means.ID, true, p.decide(t, true, r)); err != nil {
		t.Fatalf("answer: %v", err)
	}
	if st, err := e.store.AppRequestState(ctx, r.ID, secret); err != nil || st != identity.AppApproved {
		t.Errorf("state: %s, %v", st, err)
	}
	if got, _ := e.store.MitID(ctx, m.ID); got.Status != identity.StatusBlocked {
		t.Errorf("status %s after the answer", got.Status)
	}
}
