package identity

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
)

func TestLoginLevel(t *testing.T) {
	t.Parallel()
	tests := []struct {
		kind      Kind
		assurance Level
		want      Level
	}{
		{KindApp, LevelSubstantial, LevelSubstantial},
		{KindApp, LevelHigh, LevelHigh},
		{KindCodeDisplay, LevelSubstantial, LevelSubstantial},
		{KindCodeDisplay, LevelHigh, LevelSubstantial},
		{KindAudioReader, LevelHigh, LevelSubstantial},
		{KindChip, LevelSubstantial, LevelHigh},
		{KindChip, LevelHigh, LevelHigh},
		{KindPassword, LevelHigh, LevelNone},
	}
	for _, tt := range tests {
		t.Run(string(tt.kind)+"/"+string(tt.assurance), func(t *testing.T) {
			if got := LoginLevel(tt.kind, tt.assurance); got != tt.want {
				t.Errorf("LoginLevel = %s, want %s", got, tt.want)
			}
		})
	}
	if !LevelHigh.AtLeast(LevelSubstantial) || LevelLow.AtLeast(LevelSubstantial) || !LevelNone.AtLeast(LevelNone) {
		t.Error("AtLeast is wrong")
	}
}

func TestCheckRemoval(t *testing.T) {
	t.Parallel()
	a := func(id int64, k Kind, st AuthStatus) Authenticator { return Authenticator{ID: id, Kind: k, Status: st} }
	pw := a(1, KindPassword, AuthActive)
	tests := []struct {
		name  string
		means []Authenticator
		id    int64
		want  error
	}{
		{"only second means", []Authenticator{pw, a(2, KindCodeDisplay, AuthActive)}, 2, ErrLastMeans},
		{"password of password+token", []Authenticator{pw, a(2, KindCodeDisplay, AuthActive)}, 1, ErrLastMeans},
		{"one of two second means", []Authenticator{pw, a(2, KindCodeDisplay, AuthActive), a(3, KindChip, AuthActive)}, 2, nil},
		{"the only app", []Authenticator{a(2, KindApp, AuthActive)}, 2, ErrLastMeans},
		{"password beside an app", []Authenticator{pw, a(2, KindApp, AuthActive)}, 1, nil},
		{"token beside an app", []Authenticator{pw, a(2, KindApp, AuthActive), a(3, KindCodeDisplay, AuthActive)}, 3, nil},
		{"a locked second means does not count", []Authenticator{pw, a(2, KindCodeDisplay, AuthActive), a(3, KindChip, AuthLocked)}, 2, ErrLastMeans},
		{"a blocked means can go", []Authenticator{pw, a(2, KindCodeDisplay, AuthBlocked)}, 2, nil},
		{"a pending means can go", []Authenticator{pw, a(2, KindCodeDisplay, AuthActive), a(3, KindAudioReader, AuthPending)}, 3, nil},
		{"unknown id", []Authenticator{pw}, 9, ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := checkRemoval(tt.means, tt.id); !errors.Is(err, tt.want) {
				t.Errorf("checkRemoval = %v, want %v", err, tt.want)
			}
			// The overview offers "remove" by CanRemove: exactly when the rule allows it.
			if got := CanRemove(tt.means, tt.id); got != (tt.want == nil) {
				t.Errorf("CanRemove = %v, want %v", got, tt.want == nil)
			}
		})
	}
}

func TestValidateLabel(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
		err      error
	}{
		{"Nøglering", "Nøglering", nil},
		{"  Arbejde  ", "Arbejde", nil},
		{"x", "x", nil},
		{strings.Repeat("å", 40), strings.Repeat("å", 40), nil},
		{strings.Repeat("å", 41), "", ErrLabelInvalid},
		{"", "", ErrLabelInvalid},
		{"   ", "", ErrLabelInvalid},
		{"two\nlines", "", ErrLabelInvalid},
		{"bell\a", "", ErrLabelInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ValidateLabel(tt.in)
			if got != tt.want || !errors.Is(err, tt.err) {
				t.Errorf("ValidateLabel(%q) = %q, %v; want %q, %v", tt.in, got, err, tt.want, tt.err)
			}
		})
	}
}

func TestRenameAuthenticator(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	ctx := context.Background()
	m, _ := e.mitid()
	means, _ := e.store.Means(ctx, m.ID)
	id := means[1].ID
	if err := e.store.RenameAuthenticator(ctx, m.ID, id, "  Min kodeviser ", ActorCitizen); err != nil {
		t.Fatal(err)
	}
	if a, _ := e.store.Authenticator(ctx, m.ID, id); a.Label != "Min kodeviser" {
		t.Errorf("label %q", a.Label)
	}
	acts, _ := e.store.Activity(ctx, m.ID, 0, 1)
	if acts[0].Kind != ActivityMeansRenamed || acts[0].Detail["to"] != "Min kodeviser" {
		t.Errorf("activity %+v", acts[0])
	}
	if err := e.store.RenameAuthenticator(ctx, m.ID, id, "", ActorCitizen); !errors.Is(err, ErrLabelInvalid) {
		t.Errorf("empty label: %v", err)
	}
	other, _ := e.mitid()
	if err := e.store.RenameAuthenticator(ctx, other.ID, id, "Mine", ActorCitizen); !errors.Is(err, ErrNotFound) {
		t.Errorf("another MitID's means: %v", err)
	}
}

func chip(id string) ChipCredential {
	return ChipCredential{CredentialID: []byte(id), PublicKey: []byte("cose-key-" + id), AAGUID: make([]byte, 16),
		Transports: []string{"usb", "nfc"}, UserVerified: true}
}

func TestRemoveAuthenticator(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	ctx := context.Background()
	m, serial := e.mitid()
	means, _ := e.store.Means(ctx, m.ID)
	token := means[1]
	if err := e.store.RemoveAuthenticator(ctx, m.ID, token.ID, ActorCitizen); !errors.Is(err, ErrLastMeans) {
		t.Fatalf("removing the only second means: %v", err)
	}
	c, err := e.store.AddChip(ctx, m.ID, "Nøglering", chip("k1"), ActorCitizen)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.RemoveAuthenticator(ctx, m.ID, token.ID, ActorCitizen); err != nil {
		t.Fatal(err)
	}
	if st := one[string](t, e.pool, `SELECT state FROM hw_token WHERE serial = $1`, serial); st != "retired" {
		t.Errorf("removed unit is %s, want retired", st)
	}
	if _, err := e.store.Authenticator(ctx, m.ID, token.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("removed means still found: %v", err)
	}
	if err := e.store.RemoveAuthenticator(ctx, m.ID, c.ID, ActorCitizen); !errors.Is(err, ErrLastMeans) {
		t.Errorf("the chip is the last second means now: %v", err)
	}
	// A retired unit cannot be activated again, by anyone.
	if _, err := e.store.ActivateToken(ctx, m.ID, serial, e.code(serial), ActorCitizen); !errors.Is(err, ErrTokenUnusable) {
		t.Errorf("activating a retired unit: %v", err)
	}
	kinds := activityKinds(t, e.store, m.ID)
	if kinds[0] != ActivityMeansRemoved {
		t.Errorf("activity %v", kinds)
	}
}

// TestRemoveAuthenticatorParallel: two removals of the last two second means at once cannot
// both pass the last-means rule.
func TestRemoveAuthenticatorParallel(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	ctx := context.Background()
	for round := range 5 {
		m, _ := e.mitid()
		c, err := e.store.AddChip(ctx, m.ID, "", chip("p"+string(rune('a'+round))), ActorCitizen)
		if err != nil {
			t.Fatal(err)
		}
		means, _ := e.store.Means(ctx, m.ID)
		ids := []int64{means[1].ID, c.ID}
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, id := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = e.store.RemoveAuthenticator(ctx, m.ID, id, ActorCitizen)
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, ErrLastMeans):
				t.Fatal(err)
			}
		}
		means, _ = e.store.Means(ctx, m.ID)
		if ok != 1 || !CanLogIn(means) {
			t.Fatalf("round %d: %d removals passed (%v); can log in: %v", round, ok, errs, CanLogIn(means))
		}
	}
}

func TestAddChip(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	ctx := context.Background()
	m, _ := e.mitid()
	a, err := e.store.AddChip(ctx, m.ID, " Nøglering ", chip("k1"), ActorCitizen)
	if err != nil {
		t.Fatal(err)
	}
	if a.Kind != KindChip || a.Status != AuthActive || a.Label != "Nøglering" || a.Chip == nil ||
		string(a.Chip.CredentialID) != "k1" || len(a.Chip.Transports) != 2 {
		t.Errorf("added %+v", a)
	}
	if _, err := e.store.AddChip(ctx, m.ID, "", chip("k1"), ActorCitizen); !errors.Is(err, ErrChipRegistered) {
		t.Errorf("same key twice: %v", err)
	}
	other, _ := e.mitid()
	if _, err := e.store.AddChip(ctx, other.ID, "", chip("k1"), ActorCitizen); !errors.Is(err, ErrChipRegistered) {
		t.Errorf("same key on another MitID: %v", err)
	}
	if _, err := e.store.AddChip(ctx, m.ID, "two\nlines", chip("k2"), ActorCitizen); !errors.Is(err, ErrLabelInvalid) {
		t.Errorf("bad label: %v", err)
	}
	b, _ := e.store.AddChip(ctx, m.ID, "", chip("k3"), ActorCitizen)
	if err := e.store.BlockAuthenticator(ctx, m.ID, b.ID, BlockLost, ActorCitizen); err != nil {
		t.Fatal(err)
	}
	creds, err := e.store.ChipCredentials(ctx, m.ID)
	if err != nil || len(creds) != 1 || string(creds[0].CredentialID) != "k1" {
		t.Errorf("ChipCredentials = %v, %v; want only the active k1", creds, err)
	}
	if err := e.store.BlockMitID(ctx, m.ID, BlockLost, ActorCitizen, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.AddChip(ctx, m.ID, "", chip("k4"), ActorCitizen); !errors.Is(err, ErrMitIDBlocked) {
		t.Errorf("adding to a blocked MitID: %v", err)
	}
}

func TestChangePassword(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	ctx := context.Background()
	m, serial := e.mitid()
	tests := []struct {
		pw   string
		want error
	}{
		{"kort", ErrPasswordTooShort},
		{"iloveyou", ErrPasswordCommon},
		{"xx" + m.Username + "xx", ErrPasswordIsUsername},
		{"Kage" + string(m.CPR[:6]), ErrPasswordHasCPR},
		{"Helt-nyt-kodeord-2", nil},
	}
	for _, tt := range tests {
		t.Run(tt.pw, func(t *testing.T) {
			if err := e.store.ChangePassword(ctx, m.ID, tt.pw, ActorCitizen, ""); !errors.Is(err, tt.want) {
				t.Errorf("ChangePassword = %v, want %v", err, tt.want)
			}
		})
	}
	// A locked password is active again after a change.
	e.exec(`UPDATE authenticator SET status = 'locked', failed_count = 10 WHERE mitid_id = $1 AND kind = 'password'`, m.ID)
	if err := e.store.ChangePassword(ctx, m.ID, "Endnu-et-kodeord-3", ActorCitizen, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.LoginWithCode(ctx, LoginInput{Username: m.Username, Password: "Endnu-et-kodeord-3",
		Code: e.code(serial)}); err != nil {
		t.Errorf("login with the new password: %v", err)
	}
	if n := one[int](t, e.pool, `SELECT count(*) FROM activity WHERE mitid_id = $1 AND kind = 'password_changed'`, m.ID); n != 2 {
		t.Errorf("%d password_changed entries, want 2", n)
	}
	// A MitID whose password was removed gets a new one.
	e.exec(`UPDATE authenticator SET status = 'revoked' WHERE mitid_id = $1 AND kind = 'password'`, m.ID)
	if err := e.store.ChangePassword(ctx, m.ID, "Tredje-kodeord-44", ActorCitizen, ""); err != nil {
		t.Fatal(err)
	}
	if n := one[int](t, e.pool, `SELECT count(*) FROM authenticator WHERE mitid_id = $1 AND kind = 'password' AND status = 'active'`, m.ID); n != 1 {
		t.Errorf("%d active passwords", n)
	}
}
