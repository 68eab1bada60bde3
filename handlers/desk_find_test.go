package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"mitidportal/audit"
	"mitidportal/identity"
	"mitidportal/support"
)

// lookupsOf counts the look-ups by support in a MitID's activity log, and the audit entries of
// look-ups of it by the staff member.
func lookupsOf(t *testing.T, d *deskEnv, mitidID int64) (activity, audited int) {
	t.Helper()
	ctx := context.Background()
	acts, err := d.env.App.Identity.Activity(ctx, mitidID, 0, 200)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range acts {
		if a.Kind == identity.ActivityLookupBySupport {
			activity++
		}
	}
	recs, err := d.env.App.Server.Audit.List(ctx, audit.Filter{Subject: audit.MitID(mitidID), Actor: audit.Staff(d.agentID)})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if r.Action == audit.ActionCitizenLookup {
			audited++
		}
	}
	return activity, audited
}

// TestDeskFindTheCaller: the search box finds a citizen by CPR number and lists them with a
// link to the card (a look-up in the citizen's activity log and the audit log); a GET lists
// nobody and writes nothing; a reference code goes straight to its case.
func TestDeskFindTheCaller(t *testing.T) {
	t.Parallel()
	d := newDeskEnv(t)
	cpr := string(d.citizen.CPR)
	cs, err := d.env.App.Server.Cases.Open(context.Background(), support.NewCase{Channel: support.ChannelWeb,
		System: support.SystemMitID, Category: support.CategoryLogin, Subject: "Min kodeviser", Name: "Bo", Email: "bo@example.dk"})
	if err != nil {
		t.Fatal(err)
	}

	res, body := d.agent.appGet(t, "/medarbejder/sager?q="+url.QueryEscape(cpr[:6]+"-"+cpr[6:]), false)
	if res.StatusCode != http.StatusOK || strings.Contains(body, `data-testid="desk-citizen-hit"`) || !strings.Contains(body, `data-testid="desk-lookup"`) {
		t.Errorf("CPR search by GET: %d, citizens listed %v", res.StatusCode, strings.Contains(body, "desk-citizen-hit"))
	}
	if a, b := lookupsOf(t, d, d.citizen.ID); a != 0 || b != 0 {
		t.Errorf("a GET search wrote %d activity and %d audit entries", a, b)
	}

	res, body = d.agent.post(t, "/medarbejder/sager/soeg", url.Values{"q": {cpr[:6] + " " + cpr[6:]}})
	card := "/medarbejder/borger/" + strconv.FormatInt(d.citizen.ID, 10)
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `href="`+card+`"`) {
		t.Fatalf("CPR search by POST: %d, no link to %s", res.StatusCode, card)
	}
	if a, b := lookupsOf(t, d, d.citizen.ID); a != 1 || b != 1 {
		t.Errorf("the listed citizen: %d activity and %d audit entries, want 1 and 1", a, b)
	}
	if res, body := d.agent.appGet(t, card, false); res.StatusCode != http.StatusOK || !strings.Contains(body, `data-testid="desk-citizen-name"`) {
		t.Errorf("the card after the search: %d, shown %v", res.StatusCode, strings.Contains(body, "desk-citizen-name"))
	}

	for _, hx := range []bool{false, true} {
		res, _ := d.agent.appGet(t, "/medarbejder/sager?q="+strings.ToLower(cs.Ref), hx)
		want := "/medarbejder/sager/" + cs.Ref
		if hx && (res.StatusCode != http.StatusOK || res.Header.Get("HX-Redirect") != want) ||
			!hx && (res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != want) {
			t.Errorf("reference code (htmx %v): %d to %q%q", hx, res.StatusCode, res.Header.Get("Location"), res.Header.Get("HX-Redirect"))
		}
	}
}

// TestDeskLinkTheCaller: a case from a call is opened linked by CPR number (a field error for
// nobody), an existing case is linked by username with an entry on its timeline, and the card
// lists the citizen's cases, offers a new one, and offers verification only with an app.
func TestDeskLinkTheCaller(t *testing.T) {
	t.Parallel()
	d := newDeskEnv(t)
	ctx := context.Background()
	cpr := string(d.citizen.CPR)
	newCase := url.Values{"system": {"mitid"}, "category": {"block"}, "subject": {"Stjålen telefon"}, "lang": {"da"}}

	bad := url.Values{"citizen": {"0101991234"}}
	for k, v := range newCase {
		bad[k] = v
	}
	res, body := d.agent.post(t, "/medarbejder/sager/ny", bad)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#citizen"`) {
		t.Errorf("a new case for nobody: %d, field error %v", res.StatusCode, strings.Contains(body, `href="#citizen"`))
	}

	good := url.Values{"citizen": {cpr[:6] + "-" + cpr[6:]}}
	for k, v := range newCase {
		good[k] = v
	}
	res, _ = d.agent.post(t, "/medarbejder/sager/ny", good)
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/medarbejder/sager/") {
		t.Fatalf("a new case for the citizen: %d to %q", res.StatusCode, loc)
	}
	linked, err := d.env.App.Server.Cases.ByRef(ctx, strings.TrimSuffix(strings.TrimPrefix(loc, "/medarbejder/sager/"), "?udfoert=oprettet"))
	if err != nil || linked.MitIDID != d.citizen.ID {
		t.Fatalf("the new case: %+v, %v", linked, err)
	}
	if a, b := lookupsOf(t, d, d.citizen.ID); a != 1 || b != 1 {
		t.Errorf("the new case's look-up: %d activity and %d audit entries, want 1 and 1", a, b)
	}

	other, err := d.env.App.Server.Cases.Open(ctx, support.NewCase{Channel: support.ChannelPhone, System: support.SystemMitID,
		Category: support.CategoryLogin, Subject: "Opkald", Name: "Ukendt", Phone: "12345678"})
	if err != nil {
		t.Fatal(err)
	}
	res, _ = d.agent.post(t, "/medarbejder/sager/"+other.Ref+"/borger", url.Values{"citizen": {d.citizen.Username}, "version": {strconv.Itoa(other.Version)}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("link the case: %d", res.StatusCode)
	}
	_, body = d.agent.appGet(t, "/medarbejder/sager/"+other.Ref+"?udfoert=borger", false)
	if !strings.Contains(body, `data-testid="desk-case-linked"`) || !strings.Contains(body, "Knyttet til borger") || !strings.Contains(body, `data-testid="desk-citizen-form"`) {
		t.Errorf("the linked case page lacks the link, its timeline entry or the card button")
	}
	res, body = d.agent.post(t, "/medarbejder/sager/"+other.Ref+"/borger", url.Values{"citizen": {"ingen.her"}, "version": {strconv.Itoa(other.Version + 1)}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#citizen"`) {
		t.Errorf("link to nobody: %d", res.StatusCode)
	}

	_, body = d.agent.appGet(t, "/medarbejder/borger/"+strconv.FormatInt(d.citizen.ID, 10), false)
	if strings.Count(body, `data-testid="desk-citizen-case"`) != 2 || strings.Index(body, other.Ref) > strings.Index(body, linked.Ref) {
		t.Errorf("the card lists %d cases, newest first: %v", strings.Count(body, `data-testid="desk-citizen-case"`), strings.Index(body, other.Ref) < strings.Index(body, linked.Ref))
	}
	if !strings.Contains(body, `href="/medarbejder/sager/ny?borger=`+strconv.FormatInt(d.citizen.ID, 10)+`"`) || !strings.Contains(body, `data-testid="desk-verify-start"`) {
		t.Errorf("the card lacks the new-case link or the verification of a citizen with an app")
	}
	_, body = d.agent.appGet(t, "/medarbejder/sager/ny?borger="+strconv.FormatInt(d.citizen.ID, 10), false)
	if !strings.Contains(body, `value="`+d.citizen.Username+`"`) {
		t.Errorf("the new-case form from the card is not filled in with the citizen")
	}

	// A citizen without an app: no verification, the alternative instead; once blocked, no
	// temporary password button that would end on a 409.
	noApp := d.env.NewCitizen(t)
	noAppCard := "/medarbejder/borger/" + strconv.FormatInt(noApp.ID, 10)
	d.agent.post(t, noAppCard+"/aabn", url.Values{})
	_, body = d.agent.appGet(t, noAppCard, false)
	if strings.Contains(body, `data-testid="desk-verify-start"`) || !strings.Contains(body, `data-testid="desk-verify-no-app"`) {
		t.Errorf("a citizen without an app is offered the verification")
	}
	if err := d.env.App.Identity.BlockMitIDByStaff(ctx, noApp.ID, identity.BlockLost, identity.StaffAct{StaffID: d.agentID}); err != nil {
		t.Fatal(err)
	}
	_, body = d.agent.appGet(t, noAppCard, false)
	if strings.Contains(body, `data-testid="desk-password-submit"`) || !strings.Contains(body, `data-testid="desk-password-blocked"`) {
		t.Errorf("a blocked MitID's card offers a temporary password")
	}
}
