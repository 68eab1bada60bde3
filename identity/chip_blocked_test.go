package identity

import (
	"context"
	"errors"
	"testing"
)

// TestChipLoginWithBlockedChip: a login with a blocked chip is told the chip is blocked, at the
// password step when every chip is blocked, and at the finish when the blocked one was used
// beside an active one; the MitID itself still logs in with the active chip.
func TestChipLoginWithBlockedChip(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	ctx := context.Background()
	m := e.bareMitID()
	in := LoginInput{Username: m.Username, Password: testPassword, Service: "Test", ClientAddr: "192.0.2.1"}
	flags := ChipFlags{UserPresent: true, UserVerified: true}
	blocked, err := e.store.AddChip(ctx, m.ID, "", chip("key-blocked"), ActorCitizen)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.BlockAuthenticator(ctx, m.ID, blocked.ID, BlockLost, ActorCitizen); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.store.CheckPasswordForChip(ctx, in); !errors.Is(err, ErrChipBlocked) {
		t.Fatalf("only a blocked chip: %v, want ErrChipBlocked", err)
	}
	wrong := in
	wrong.Password = "forkert-forkert"
	if _, _, err := e.store.CheckPasswordForChip(ctx, wrong); !errors.Is(err, ErrLoginFailed) {
		t.Fatalf("a wrong password tells nothing of the chip: %v, want ErrLoginFailed", err)
	}
	if _, err := e.store.AddChip(ctx, m.ID, "", chip("key-active"), ActorCitizen); err != nil {
		t.Fatal(err)
	}
	_, creds, err := e.store.CheckPasswordForChip(ctx, in)
	if err != nil || len(creds) != 2 {
		t.Fatalf("a blocked and an active chip: %d credentials, %v; want both", len(creds), err)
	}
	for _, tt := range []struct {
		name, cred string
		want       error
	}{
		{"the blocked chip", "key-blocked", ErrChipBlocked},
		{"the active chip", "key-active", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := e.store.FinishChipLogin(ctx, m.ID, []byte(tt.cred), 0, flags, "Test", "192.0.2.1"); !errors.Is(err, tt.want) {
				t.Errorf("FinishChipLogin = %v, want %v", err, tt.want)
			}
		})
	}
}
