package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	mrand "math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mitidportal/audit"
	"mitidportal/db/dbtest"
	"mitidportal/identity"
)

// TestAuditAnchorJob: the job seals what is pending and records the head in the log and the
// anchor file, and the anchor it wrote verifies the chain.
func TestAuditAnchorJob(t *testing.T) {
	ctx := context.Background()
	pool := dbtest.New(t)
	ring, err := audit.NewKeyring(audit.Key{ID: "k1", Secret: bytes.Repeat([]byte{7}, audit.KeySize)})
	if err != nil {
		t.Fatal(err)
	}
	chain, err := audit.NewChain(pool, ring)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := audit.NewLog(pool).AppendNow(ctx, audit.Entry{Actor: audit.ActorSystem, Action: audit.ActionStaffLogin}); err != nil {
			t.Fatal(err)
		}
	}
	var logs bytes.Buffer
	file := filepath.Join(t.TempDir(), "anchors.jsonl")
	w := &auditAnchorWorker{chain: chain, file: file, log: slog.New(slog.NewJSONHandler(&logs, nil))}
	if err := w.Work(ctx, nil); err != nil {
		t.Fatal(err)
	}
	a, err := audit.ReadNewestAnchor(file)
	if err != nil || a.Seq != 3 || a.Count != 3 {
		t.Fatalf("anchor in the file: %+v %v", a, err)
	}
	var line map[string]any
	if err := json.Unmarshal([]byte(strings.TrimSpace(logs.String())), &line); err != nil ||
		line["msg"] != "audit anchor" || line["seq"] != 3.0 || line["key_id"] != "k1" {
		t.Errorf("log line %q, %v", logs.String(), err)
	}
	rep, err := chain.Verify(ctx, audit.VerifyOptions{Anchor: &a})
	if err != nil || !rep.Intact() || !rep.Anchored || rep.Unsealed != 0 {
		t.Errorf("verify against the job's anchor: %+v %v", rep, err)
	}
}

// TestUnfinishedCleanupJob: the job deletes a MitID that never got a means and is more than a
// day old, and keeps a finished one and a fresh one.
func TestUnfinishedCleanupJob(t *testing.T) {
	ctx := context.Background()
	pool := dbtest.New(t)
	tokens, err := identity.NewTokens(pool, make([]byte, identity.TokenKeySize))
	if err != nil {
		t.Fatal(err)
	}
	store := identity.NewStore(pool, tokens, identity.Config{Hasher: identity.NewHasher(identity.HasherConfig{Params: identity.TestArgonParams})})
	persons := identity.NewPersons(pool)
	rng := mrand.New(mrand.NewPCG(1, 2))
	newMitID := func(name string, age time.Duration, finished bool) identity.MitID {
		t.Helper()
		var p identity.Person
		for {
			p = identity.GenerateDemoPersons(rng, 1)[0]
			p.Deceased = false
			if _, err := persons.ByCPR(ctx, p.CPR); err != nil {
				break
			}
		}
		if err := persons.Insert(ctx, p); err != nil {
			t.Fatal(err)
		}
		m, err := store.CreateMitID(ctx, identity.NewMitID{CPR: p.CPR, Username: name, Password: "Rødgrød-med-fløde-7",
			Assurance: identity.LevelSubstantial, Actor: identity.ActorCitizen})
		if err != nil {
			t.Fatal(err)
		}
		if finished {
			if _, err := store.AddChip(ctx, m.ID, "", identity.ChipCredential{CredentialID: []byte(name), PublicKey: []byte("k"),
				AAGUID: make16()}, identity.ActorCitizen); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := pool.Exec(ctx, `UPDATE mitid SET created_at = now() - $2::interval WHERE id = $1`, m.ID,
			age.String()); err != nil {
			t.Fatal(err)
		}
		return m
	}
	old := newMitID("gammel", 48*time.Hour, false)
	fresh := newMitID("frisk", time.Hour, false)
	done := newMitID("faerdig", 48*time.Hour, true)
	var logs bytes.Buffer
	w := &unfinishedCleanupWorker{identity: store, log: slog.New(slog.NewJSONHandler(&logs, nil))}
	if err := w.Work(ctx, nil); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		m    identity.MitID
		gone bool
	}{{old, true}, {fresh, false}, {done, false}} {
		_, err := store.MitID(ctx, tt.m.ID)
		if gone := errors.Is(err, identity.ErrNotFound); gone != tt.gone {
			t.Errorf("%s: deleted %v, want %v (%v)", tt.m.Username, gone, tt.gone, err)
		}
	}
	if !strings.Contains(logs.String(), `"count":1`) {
		t.Errorf("log %q", logs.String())
	}
}

func make16() []byte { return bytes.Repeat([]byte{1}, 16) }
