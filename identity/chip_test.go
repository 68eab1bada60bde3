package identity

import (
	"context"
	"errors"
	"testing"
)

func TestChipLogin(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	ctx := context.Background()
	m := e.bareMitID()
	in := LoginInput{Username: m.Username, Password: testPassword, Service: "Test", ClientAddr: "192.0.2.1"}

	failures := func() int {
		n, err := e.store.lockouts.Failures(ctx, CitizenKey(m.Username))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	// No chip: the right password gets the same answer as a wrong one, and counts like one
	// (every attempt counts until a login finishes).
	if _, _, err := e.store.CheckPasswordForChip(ctx, in); !errors.Is(err, ErrLoginFailed) {
		t.Fatalf("without a chip: %v", err)
	}
	if n := failures(); n != 1 {
		t.Errorf("%d failures after a right password without a chip, want 1", n)
	}
	c, err := e.store.AddChip(ctx, m.ID, "", chip("key-1"), ActorCitizen)
	if err != nil {
		t.Fatal(err)
	}
	wrong := in
	wrong.Password = "forkert-forkert"
	if _, _, err := e.store.CheckPasswordForChip(ctx, wrong); !errors.Is(err, ErrLoginFailed) {
		t.Fatalf("wrong password: %v", err)
	}
	if n := failures(); n != 2 {
		t.Errorf("%d failures after a wrong password, want 2", n)
	}
	got, creds, err := e.store.CheckPasswordForChip(ctx, in)
	if err != nil || got.ID != m.ID || len(creds) != 1 || string(creds[0].CredentialID) != "key-1" {
		t.Fatalf("CheckPasswordForChip = %v, %v, %v", got, creds, err)
	}
	flags := ChipFlags{UserPresent: true, UserVerified: true}
	tests := []struct {
		name      string
		mitid     int64
		cred      string
		signCount uint32
		flags     ChipFlags
		want      error
	}{
		{"counter 0 and 0 is allowed", m.ID, "key-1", 0, flags, nil},
		{"again 0 and 0", m.ID, "key-1", 0, flags, nil},
		{"counter starts", m.ID, "key-1", 5, flags, nil},
		{"unknown credential", m.ID, "key-x", 6, flags, ErrLoginFailed},
		{"user not present", m.ID, "key-1", 6, ChipFlags{}, ErrLoginFailed},
		{"counter grows", m.ID, "key-1", 9, ChipFlags{UserPresent: true, BackupEligible: true, BackupState: true}, nil},
		{"counter stands still: cloned", m.ID, "key-1", 9, flags, ErrChipCloned},
		{"locked after the clone", m.ID, "key-1", 10, flags, ErrAuthenticatorLocked},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			login, err := e.store.FinishChipLogin(ctx, tt.mitid, []byte(tt.cred), tt.signCount, tt.flags, "Test", "192.0.2.1")
			if !errors.Is(err, tt.want) {
				t.Fatalf("FinishChipLogin = %v, want %v", err, tt.want)
			}
			if tt.want != nil {
				return
			}
			if login.Level != LevelHigh || login.Means.ID != c.ID || login.Means.Chip.SignCount != tt.signCount {
				t.Errorf("login %+v", login)
			}
			stored := one[int64](t, e.pool, `SELECT sign_count FROM authenticator WHERE id = $1`, c.ID)
			bs := one[bool](t, e.pool, `SELECT backup_state FROM authenticator WHERE id = $1`, c.ID)
			if stored != int64(tt.signCount) || bs != tt.flags.BackupState {
				t.Errorf("stored sign count %d, backup state %v", stored, bs)
			}
			if n := failures(); n != 0 {
				t.Errorf("%d failures after a chip login", n)
			}
		})
	}
	if st := one[string](t, e.pool, `SELECT status FROM authenticator WHERE id = $1`, c.ID); st != "locked" {
		t.Errorf("cloned chip is %s", st)
	}
	// Another MitID's key does not log in to this one.
	other := e.bareMitID()
	if _, err := e.store.AddChip(ctx, other.ID, "", chip("key-2"), ActorCitizen); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.FinishChipLogin(ctx, m.ID, []byte("key-2"), 1, flags, "Test", "192.0.2.1"); !errors.Is(err, ErrLoginFailed) {
		t.Errorf("another MitID's key: %v", err)
	}
	if err := e.store.BlockMitID(ctx, other.ID, BlockLost, ActorCitizen, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.FinishChipLogin(ctx, other.ID, []byte("key-2"), 1, flags, "Test", "192.0.2.1"); !errors.Is(err, ErrMitIDBlocked) {
		t.Errorf("blocked MitID: %v", err)
	}
}
