package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"mitidportal/identity"
	"mitidportal/support"
)

// TestPhoneOnlyLiftIsImpossible: a phone call alone never lifts a block (DESIGN.md §3.6). An
// agent who has verified the caller with the app, and a supervisor who has not, send every
// staff route of the route table, with every form field the desk knows, for a blocked MitID:
// afterwards it is still blocked. The letter action is refused without a verification; with
// one it sends a letter whose code lifts the block, to the citizen's letter box, and the MitID
// stays blocked until the citizen uses it.
func TestPhoneOnlyLiftIsImpossible(t *testing.T) {
	t.Parallel()
	d := newDeskEnv(t)
	ctx := context.Background()
	env := d.env
	if err := env.App.Identity.BlockMitIDByStaff(ctx, d.citizen.ID, identity.BlockStolen, identity.StaffAct{StaffID: d.agentID}); err != nil {
		t.Fatal(err)
	}
	cs, err := env.App.Cases.Open(ctx, support.NewCase{Channel: support.ChannelPhone, System: support.SystemMitID,
		Category: support.CategoryLogin, MitIDID: d.citizen.ID, Subject: "Vil have ophævet spærring", Message: "Ringer"})
	if err != nil {
		t.Fatal(err)
	}
	sup, _, err := env.App.Server.Staff.Create(ctx, "sup@styrelsen.dk", "Sune Supervisor", []string{"supervisor"})
	if err != nil {
		t.Fatal(err)
	}
	supervisor := staffSession(t, env, sup)
	stillBlocked := func(when string) {
		t.Helper()
		m, err := env.App.Identity.MitID(ctx, d.citizen.ID)
		if err != nil {
			t.Fatal(err)
		}
		if m.Status != identity.StatusBlocked {
			t.Fatalf("%s: the MitID is %s", when, m.Status)
		}
	}
	codes := func() []identity.ActivationPurpose {
		t.Helper()
		rows, err := env.App.Pool.Query(ctx, `SELECT purpose FROM activation_code WHERE cpr = $1 ORDER BY id`, d.citizen.CPR)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []identity.ActivationPurpose
		for rows.Next() {
			var p identity.ActivationPurpose
			if err := rows.Scan(&p); err != nil {
				t.Fatal(err)
			}
			out = append(out, p)
		}
		return out
	}
	card := d.card() + "?sag=" + cs.Ref

	// Without a verification the letter is refused.
	for _, b := range []*browser{d.agent, supervisor} {
		if res, _ := b.post(t, d.card()+"/aktiveringskode?sag="+cs.Ref, url.Values{}); res.StatusCode != http.StatusConflict {
			t.Errorf("letter without a verification: %d, want 409", res.StatusCode)
		}
	}
	if got := codes(); len(got) != 0 {
		t.Fatalf("codes issued without a verification: %v", got)
	}

	// The agent verifies the caller with the app, which still answers support's question for
	// a blocked MitID.
	d.open(t, "?sag="+cs.Ref)
	if res, _ := d.agent.post(t, d.card()+"/bekraeft?sag="+cs.Ref, url.Values{}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("start verification on a blocked MitID: %d", res.StatusCode)
	}
	body := d.agent.page(t, card)
	d.answer(t, true)
	if frag := d.record(t, verifyStatusPath(t, body)); !strings.Contains(frag, `data-status="approved"`) {
		t.Fatalf("verification not approved:\n%s", frag)
	}
	if body := d.agent.page(t, card); !strings.Contains(body, `data-testid="desk-activation-lift"`) {
		t.Error("the card does not say that the letter lifts the block")
	}
	// Worked from the case, the verification is on the case's timeline.
	entries, err := env.App.Cases.Timeline(ctx, cs.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(entries, func(e support.Entry) bool {
		return e.Kind == support.EntryVerification && e.Method == support.VerifyApp && e.Result == support.VerifyApproved
	}) {
		t.Errorf("case %s's timeline lacks the approved app verification", cs.Ref)
	}

	// The letter goes out: its code lifts the block, it is in the citizen's letter box, and
	// the MitID stays blocked.
	res, _ := d.agent.post(t, d.card()+"/aktiveringskode?sag="+cs.Ref, url.Values{})
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || !strings.Contains(loc, "done=lift_letter") {
		t.Fatalf("the letter: %d to %q", res.StatusCode, loc)
	}
	got := codes()
	if len(got) == 0 {
		t.Fatal("no code was issued")
	}
	for _, p := range got {
		if p != identity.ActivationLift {
			t.Errorf("a %s code for a blocked MitID", p)
		}
	}
	letters, err := env.App.Letters.List(ctx, d.citizen.CPR)
	if err != nil || len(letters) == 0 {
		t.Errorf("letters: %v, %v", letters, err)
	}
	if page := d.agent.page(t, "/medarbejder/sager/"+cs.Ref+"?lang=en"); !strings.Contains(page, "The code is for: Lift the block") {
		t.Error("the case's timeline does not say that the code lifts the block")
	}
	stillBlocked("after the letter")

	// Every staff route, with every field the desk's forms take.
	fields := url.Values{
		"reason": {"lost"}, "means": {strconv.FormatInt(d.app.ID, 10)}, "means_reason": {"lost"},
		"status": {"resolved"}, "outcome": {"solved"}, "call_minutes": {"3"}, "call_note": {"Ophæv"},
		"reply_body": {"Ophævet"}, "note_body": {"Ophæv"}, "tags": {"ophaev"}, "assignee": {"me"},
		"system": {"mitid"}, "category": {"block"}, "subject": {"Ophæv"}, "message": {"Ophæv"},
		"name": {"Bo"}, "phone": {"12345678"}, "email": {"bo@example.dk"}, "lang": {"da"},
		"cpr": {string(d.citizen.CPR)}, "username": {d.citizen.Username}, "q": {d.citizen.Username},
		"roles": {"agent"}, "action": {"lift"}, "lift": {"yes"}, "unblock": {"yes"},
	}
	params := strings.NewReplacer(":id", strconv.FormatInt(d.citizen.ID, 10), ":ref", cs.Ref, ":req", "1", ":token", "x")
	walked := 0
	for _, r := range env.App.Server.Routes() {
		if !strings.HasPrefix(r.Path, "/medarbejder") {
			continue
		}
		path := params.Replace(r.Path)
		for _, b := range []*browser{d.agent, supervisor} {
			if r.Method == http.MethodGet {
				b.page(t, path+"?sag="+cs.Ref)
			} else {
				f := url.Values{}
				for k, v := range fields {
					f[k] = v
				}
				b.post(t, path+"?sag="+cs.Ref, f)
			}
			walked++
			stillBlocked(r.Method + " " + r.Path)
		}
	}
	if walked < 40 {
		t.Fatalf("only %d requests: the walk missed the route table", walked)
	}
	for _, p := range codes() {
		if p != identity.ActivationLift {
			t.Errorf("the walk issued a %s code for a blocked MitID", p)
		}
	}

}

// TestDeskLetterPurpose: for an active MitID the desk's letter recovers, and the case's timeline
// says what the letter's code is for.
func TestDeskLetterPurpose(t *testing.T) {
	t.Parallel()
	d := newDeskEnv(t)
	ctx := context.Background()
	cs, err := d.env.App.Cases.Open(ctx, support.NewCase{Channel: support.ChannelPhone, System: support.SystemMitID,
		Category: support.CategoryLogin, MitIDID: d.citizen.ID, Subject: "Mistet alt", Message: "Ringer"})
	if err != nil {
		t.Fatal(err)
	}
	q := "?sag=" + cs.Ref
	d.open(t, q)
	d.agent.post(t, d.card()+"/bekraeft"+q, url.Values{})
	body := d.agent.page(t, d.card()+q)
	d.answer(t, true)
	d.record(t, verifyStatusPath(t, body))
	res, _ := d.agent.post(t, d.card()+"/aktiveringskode"+q, url.Values{})
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || !strings.Contains(loc, "done=activation") {
		t.Fatalf("letter: %d to %q", res.StatusCode, loc)
	}
	var purpose string
	if err := d.env.App.Pool.QueryRow(ctx, `SELECT purpose FROM activation_code WHERE cpr = $1`, d.citizen.CPR).Scan(&purpose); err != nil || purpose != "recover" {
		t.Errorf("purpose %q (%v), want recover", purpose, err)
	}
	if page := d.agent.page(t, "/medarbejder/sager/"+cs.Ref+"?lang=en"); !strings.Contains(page, "The code is for: Recover MitID") {
		t.Error("the case's timeline does not say what the code is for")
	}
}
