package identity

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"fmt"
	"testing"
	"time"
)

// deviceKeyDER is a fresh phone key as the app sends it.
func deviceKeyDER(t *testing.T) []byte {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// TestCreationSessionRefusedAfterTheFirstMeans: the operations behind /opret/* add the first
// means of a MitID being created and nothing after it, whatever the creating browser still
// holds; a pairing code shown before the first means was added no longer pairs after it. The
// logged-in operations still add further means.
func TestCreationSessionRefusedAfterTheFirstMeans(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	ctx := context.Background()
	n := 0
	// The ways to add a means from a creation session; each returns the error of trying.
	add := map[string]func(m MitID) error{
		"token": func(m MitID) error {
			serial := e.importToken(KindCodeDisplay)
			_, err := e.store.ActivateFirstToken(ctx, m.ID, serial, e.code(serial), ActorCitizen)
			e.clock.Add(30 * time.Second)
			return err
		},
		"chip": func(m MitID) error {
			n++
			_, err := e.store.AddFirstChip(ctx, m.ID, "", chip(fmt.Sprintf("first-%d", n)), ActorCitizen)
			return err
		},
		"app": func(m MitID) error {
			code, _, err := e.store.StartFirstPairing(ctx, m.ID)
			if err != nil {
				return err
			}
			_, err = e.store.CompletePairing(ctx, PairingInput{Code: code, PublicKey: deviceKeyDER(t),
				DeviceName: "Telefon", ClientAddr: "192.0.2.10"})
			return err
		},
	}
	order := []string{"token", "chip", "app"}
	for _, first := range order {
		for _, second := range order {
			t.Run(first+" then "+second, func(t *testing.T) {
				m := e.bareMitID()
				// Shown before the first means is added: it must not pair after.
				early, _, err := e.store.StartFirstPairing(ctx, m.ID)
				if err != nil {
					t.Fatalf("pairing code before the first means: %v", err)
				}
				if err := add[first](m); err != nil {
					t.Fatalf("the first means (%s): %v", first, err)
				}
				if err := add[second](m); !errors.Is(err, ErrCreationDone) {
					t.Errorf("a second means (%s) from the creation session: %v, want ErrCreationDone", second, err)
				}
				_, err = e.store.CompletePairing(ctx, PairingInput{Code: early, PublicKey: deviceKeyDER(t),
					DeviceName: "Telefon", ClientAddr: "192.0.2.11"})
				// A new code replaces it when the first means is the app itself.
				if !errors.Is(err, ErrCreationDone) && !(first == "app" && errors.Is(err, ErrPairingInvalid)) {
					t.Errorf("the pairing code shown before the first means: %v, want ErrCreationDone", err)
				}
				means, err := e.store.Means(ctx, m.ID)
				if err != nil {
					t.Fatal(err)
				}
				if len(means) != 2 {
					t.Errorf("%d means (password and the first), want 2: %+v", len(means), means)
				}
				// Logged in, the citizen adds more as before.
				if _, err := e.store.AddChip(ctx, m.ID, "", chip(fmt.Sprintf("later-%s-%s", first, second)), ActorCitizen); err != nil {
					t.Errorf("a logged-in chip: %v", err)
				}
			})
		}
	}
}

// TestCreateMitIDStartsOver: a MitID whose creation never finished is replaced by a new
// creation (its username free again); one that finished is not.
func TestCreateMitIDStartsOver(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	ctx := context.Background()
	create := func(p Person, username string) (MitID, error) {
		_, c, err := e.activations.Issue(ctx, p.CPR, ActivationCreate, LevelSubstantial, "letter")
		if err != nil {
			t.Fatal(err)
		}
		return e.store.CreateMitID(ctx, NewMitID{CPR: p.CPR, Username: username, Password: testPassword,
			ActivationID: c.ID, Actor: ActorCitizen})
	}
	tests := []struct {
		name  string
		setup func(m MitID) // what became of the first MitID
		want  error
	}{
		{"never finished", func(MitID) {}, nil},
		{"never finished, a pairing code shown", func(m MitID) {
			if _, _, err := e.store.StartFirstPairing(ctx, m.ID); err != nil {
				t.Fatal(err)
			}
		}, nil},
		{"finished", func(m MitID) { e.activeToken(m.ID, KindCodeDisplay) }, ErrMitIDExists},
		{"finished, its means since revoked", func(m MitID) {
			e.activeToken(m.ID, KindCodeDisplay)
			e.exec(`UPDATE authenticator SET status = 'revoked' WHERE mitid_id = $1 AND kind <> 'password'`, m.ID)
		}, ErrMitIDExists},
		{"blocked", func(m MitID) { e.exec(`UPDATE mitid SET status = 'blocked', blocked_at = now() WHERE id = $1`, m.ID) }, ErrMitIDExists},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := e.person()
			username := fmt.Sprintf("forfra%d", i)
			old, err := create(p, username)
			if err != nil {
				t.Fatal(err)
			}
			tt.setup(old)
			m, err := create(p, username)
			if !errors.Is(err, tt.want) {
				t.Fatalf("second creation: %v, want %v", err, tt.want)
			}
			if tt.want != nil {
				return
			}
			if m.ID == old.ID {
				t.Fatal("the same MitID")
			}
			if _, err := e.store.MitID(ctx, old.ID); !errors.Is(err, ErrNotFound) {
				t.Errorf("the unfinished MitID is still there: %v", err)
			}
		})
	}
}

// TestDeleteUnfinished: the clean-up deletes MitIDs that never finished, are older than the
// bound and whose person has no live creation code; nothing else.
func TestDeleteUnfinished(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	ctx := context.Background()
	age := func(m MitID, d time.Duration) {
		e.exec(`UPDATE mitid SET created_at = $2 WHERE id = $1`, m.ID, e.clock.Now().Add(-d))
	}
	tests := []struct {
		name    string
		setup   func() MitID
		deleted bool
	}{
		{"unfinished, two days old", func() MitID { m := e.bareMitID(); age(m, 48*time.Hour); return m }, true},
		{"unfinished, an hour old", func() MitID { m := e.bareMitID(); age(m, time.Hour); return m }, false},
		{"unfinished, old, a live creation code", func() MitID {
			m := e.bareMitID()
			age(m, 48*time.Hour)
			if _, _, err := e.activations.Issue(ctx, m.CPR, ActivationCreate, LevelSubstantial, "letter"); err != nil {
				t.Fatal(err)
			}
			return m
		}, false},
		{"unfinished, old, its code expired", func() MitID {
			m := e.bareMitID()
			if _, _, err := e.activations.Issue(ctx, m.CPR, ActivationCreate, LevelSubstantial, "letter"); err != nil {
				t.Fatal(err)
			}
			e.exec(`UPDATE activation_code SET expires_at = $2 WHERE cpr = $1`, m.CPR, e.clock.Now().Add(-time.Minute))
			age(m, 48*time.Hour)
			return m
		}, true},
		{"finished, old", func() MitID { m, _ := e.mitid(); age(m, 48*time.Hour); return m }, false},
		{"blocked, old", func() MitID {
			m := e.bareMitID()
			age(m, 48*time.Hour)
			e.exec(`UPDATE mitid SET status = 'blocked', blocked_at = now() WHERE id = $1`, m.ID)
			return m
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := tt.setup()
			if _, err := e.store.DeleteUnfinished(ctx, 24*time.Hour); err != nil {
				t.Fatal(err)
			}
			_, err := e.store.MitID(ctx, m.ID)
			if gone := errors.Is(err, ErrNotFound); gone != tt.deleted {
				t.Errorf("deleted %v, want %v (%v)", gone, tt.deleted, err)
			}
		})
	}
}

// TestUnfinishedAgeOnThePortalsClock: a MitID's creation time is the portal's clock, the one
// the clean-up measures its age with. Stamped by the database instead, a MitID made a moment
// ago looked a day old whenever the portal's clock ran ahead of the database's (a test's clock
// two days on, or clocks apart), and the clean-up deleted it between the creation's steps.
func TestUnfinishedAgeOnThePortalsClock(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	ctx := context.Background()
	// Ahead of the database's clock (the test clock starts in the past) by more than a day.
	e.clock.Add((time.Until(e.clock.Now()).Abs() + 48*time.Hour).Truncate(time.Second))
	m := e.bareMitID()
	var created time.Time
	if err := e.pool.QueryRow(ctx, `SELECT created_at FROM mitid WHERE id = $1`, m.ID).Scan(&created); err != nil {
		t.Fatal(err)
	}
	if !created.Equal(e.clock.Now()) {
		t.Errorf("created at %v, want the portal's clock %v", created, e.clock.Now())
	}
	if _, err := e.store.DeleteUnfinished(ctx, 24*time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.MitID(ctx, m.ID); err != nil {
		t.Errorf("the clean-up deleted a MitID made a moment ago: %v", err)
	}
}

// TestMadeWith: the MitID a creation code made is found by that code while it waits for its
// first means; not by another code, not for another person, not once it can log in.
func TestMadeWith(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	ctx := context.Background()
	p := e.person()
	_, c, err := e.activations.Issue(ctx, p.CPR, ActivationCreate, LevelSubstantial, ActorCitizen)
	if err != nil {
		t.Fatal(err)
	}
	m, err := e.store.CreateMitID(ctx, NewMitID{CPR: p.CPR, Username: "made.with", Password: testPassword,
		ActivationID: c.ID, Actor: ActorCitizen})
	if err != nil {
		t.Fatal(err)
	}
	other := e.bareMitID() // made without a code
	tests := []struct {
		name string
		cpr  CPR
		code int64
		want int64
	}{
		{"its code", p.CPR, c.ID, m.ID},
		{"another code", p.CPR, c.ID + 1000, 0},
		{"another person", other.CPR, c.ID, 0},
	}
	for _, tt := range tests {
		id, ok, err := e.store.MadeWith(ctx, tt.cpr, tt.code)
		if err != nil || id != tt.want || ok != (tt.want != 0) {
			t.Errorf("%s: %d, %v, %v; want %d", tt.name, id, ok, err, tt.want)
		}
	}
	serial := e.importToken(KindCodeDisplay)
	code, err := e.tokens.Code(ctx, serial, e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.ActivateFirstToken(ctx, m.ID, serial, code, ActorCitizen); err != nil {
		t.Fatal(err)
	}
	if id, ok, err := e.store.MadeWith(ctx, p.CPR, c.ID); ok || err != nil {
		t.Errorf("a MitID that can log in: %d, %v, %v; want none", id, ok, err)
	}
}
