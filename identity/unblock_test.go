package identity

import (
	"context"
	"errors"
	"slices"
	"testing"
)

// meansIDOf is the id of the MitID's means that holds serial.
func (e *env) meansIDOf(mitidID int64, serial string) int64 {
	e.t.Helper()
	return one[int64](e.t, e.pool, `SELECT id FROM authenticator WHERE mitid_id = $1 AND token_serial = $2`, mitidID, serial)
}

func TestUnblockAuthenticator(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	// Each case starts from a MitID with two activated code displays, the second blocked by
	// the citizen; it returns the means to unblock and the means the login was made with.
	type setup struct {
		e            *env
		m            MitID
		first, other int64 // the first display's means (the login's), the blocked one's
		otherSerial  string
	}
	tests := []struct {
		name string
		// arrange changes the starting point and returns (id to unblock, used means id).
		arrange    func(s setup) (int64, int64)
		wantErr    error
		wantStatus AuthStatus // the means' status afterwards, on success
		wantUnit   string     // the unit's inventory state afterwards, on success
	}{
		{name: "blocked display, login with another one", wantStatus: AuthActive, wantUnit: "active",
			arrange: func(s setup) (int64, int64) { return s.other, s.first }},
		{name: "login made with the blocked means itself", wantErr: ErrUnblockSameMeans,
			arrange: func(s setup) (int64, int64) { return s.other, s.other }},
		{name: "login with no known means", wantErr: ErrUnblockSameMeans,
			arrange: func(s setup) (int64, int64) { return s.other, 0 }},
		{name: "login means since blocked", wantErr: ErrUnblockSameMeans,
			arrange: func(s setup) (int64, int64) {
				if err := s.e.store.BlockAuthenticator(ctx, s.m.ID, s.first, BlockLost, ActorCitizen); err != nil {
					s.e.t.Fatal(err)
				}
				return s.other, s.first
			}},
		{name: "login means of another MitID", wantErr: ErrUnblockSameMeans,
			arrange: func(s setup) (int64, int64) {
				o, serial := s.e.mitid()
				return s.other, s.e.meansIDOf(o.ID, serial)
			}},
		{name: "the password is no login means by itself", wantErr: ErrUnblockSameMeans,
			arrange: func(s setup) (int64, int64) {
				return s.other, one[int64](s.e.t, s.e.pool, `SELECT id FROM authenticator WHERE mitid_id = $1 AND kind = 'password'`, s.m.ID)
			}},
		{name: "means not blocked", wantErr: ErrMeansNotBlocked,
			arrange: func(s setup) (int64, int64) { return s.first, s.other }},
		{name: "whole MitID blocked", wantErr: ErrMitIDBlocked,
			arrange: func(s setup) (int64, int64) {
				if err := s.e.store.BlockMitID(ctx, s.m.ID, BlockStolen, ActorCitizen, nil); err != nil {
					s.e.t.Fatal(err)
				}
				return s.other, s.first
			}},
		{name: "means of another MitID", wantErr: ErrNotFound,
			arrange: func(s setup) (int64, int64) {
				o, serial := s.e.mitid()
				id := s.e.meansIDOf(o.ID, serial)
				if err := s.e.store.BlockAuthenticator(ctx, o.ID, id, BlockLost, ActorCitizen); err != nil {
					s.e.t.Fatal(err)
				}
				return id, s.first
			}},
		{name: "removed means", wantErr: ErrNotFound,
			arrange: func(s setup) (int64, int64) {
				if err := s.e.store.RemoveAuthenticator(ctx, s.m.ID, s.other, ActorCitizen); err != nil {
					s.e.t.Fatal(err)
				}
				return s.other, s.first
			}},
		{name: "ordered unit blocked on its way is pending again", wantStatus: AuthPending, wantUnit: "sent",
			arrange: func(s setup) (int64, int64) {
				s.e.importToken(KindCodeDisplay)
				a, err := s.e.store.OrderToken(ctx, s.m.ID, KindCodeDisplay, ActorCitizen)
				if err != nil {
					s.e.t.Fatal(err)
				}
				if err := s.e.store.BlockAuthenticator(ctx, s.m.ID, a.ID, BlockLost, ActorCitizen); err != nil {
					s.e.t.Fatal(err)
				}
				return a.ID, s.first
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, Config{})
			m, serial := e.mitid()
			otherSerial := e.activeToken(m.ID, KindCodeDisplay)
			s := setup{e: e, m: m, first: e.meansIDOf(m.ID, serial), other: e.meansIDOf(m.ID, otherSerial), otherSerial: otherSerial}
			if err := e.store.BlockAuthenticator(ctx, m.ID, s.other, BlockLost, ActorCitizen); err != nil {
				t.Fatal(err)
			}
			id, used := tt.arrange(s)
			means, err := e.store.Means(ctx, m.ID)
			if err != nil {
				t.Fatal(err)
			}
			if can := CanUnblock(mustMitID(t, e, m.ID), means, id, used); can != (tt.wantErr == nil) {
				t.Errorf("CanUnblock = %v, want %v", can, tt.wantErr == nil)
			}
			before := len(activityKinds(t, e.store, m.ID))
			err = e.store.UnblockAuthenticator(ctx, m.ID, id, used, ActorCitizen)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("UnblockAuthenticator: %v, want %v", err, tt.wantErr)
				}
				if after := len(activityKinds(t, e.store, m.ID)); after != before {
					t.Errorf("a refusal recorded %d activity entries", after-before)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			a, err := e.store.Authenticator(ctx, m.ID, id)
			if err != nil {
				t.Fatal(err)
			}
			if a.Status != tt.wantStatus {
				t.Errorf("status %s, want %s", a.Status, tt.wantStatus)
			}
			if unit := one[string](t, e.pool, `SELECT state FROM hw_token WHERE serial = $1`, a.TokenSerial); unit != tt.wantUnit {
				t.Errorf("unit %s, want %s", unit, tt.wantUnit)
			}
			if kinds := activityKinds(t, e.store, m.ID); !slices.Contains(kinds, ActivityMeansUnblocked) {
				t.Errorf("no means_unblocked in %v", kinds)
			}
			if err := e.store.UnblockAuthenticator(ctx, m.ID, id, used, ActorCitizen); !errors.Is(err, ErrMeansNotBlocked) {
				t.Errorf("a second unblock: %v, want ErrMeansNotBlocked", err)
			}
		})
	}
}

// TestUnblockedDisplayLogsIn: the display unblocked after a login with another is a login
// means again.
func TestUnblockedDisplayLogsIn(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, Config{})
	m, serial := e.mitid()
	other := e.activeToken(m.ID, KindCodeDisplay)
	id := e.meansIDOf(m.ID, other)
	if err := e.store.BlockAuthenticator(ctx, m.ID, id, BlockLost, ActorCitizen); err != nil {
		t.Fatal(err)
	}
	login := func() error {
		e.clock.Add(30e9)
		_, err := e.store.LoginWithCode(ctx, LoginInput{Username: m.Username, Password: testPassword,
			Code: e.code(other), ClientAddr: "192.0.2.1"})
		return err
	}
	if err := login(); !errors.Is(err, ErrLoginFailed) {
		t.Fatalf("blocked display: %v, want ErrLoginFailed", err)
	}
	if err := e.store.UnblockAuthenticator(ctx, m.ID, id, e.meansIDOf(m.ID, serial), ActorCitizen); err != nil {
		t.Fatal(err)
	}
	if err := login(); err != nil {
		t.Errorf("unblocked display: %v", err)
	}
}

func mustMitID(t *testing.T, e *env, id int64) MitID {
	t.Helper()
	m, err := e.store.MitID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return m
}
