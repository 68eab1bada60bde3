package handlers_test

import (
	"net/url"
	"strconv"
	"testing"

	"mitidportal/staff"
)

// TestQueryParametersRefuseBadText sends bad text in every query parameter and path part a page
// reads: the search, the filters, the audit log's filters, the dashboard's period, paging
// cursors, notices and references. Nothing is a 5xx; the parameters a person types (search,
// dates) or a page links to (filters) answer 4xx.
func TestQueryParametersRefuseBadText(t *testing.T) {
	t.Parallel()
	fx := newInputFixture(t)
	supervisor, _, err := fx.env.App.Server.Staff.Create(t.Context(), "sus@styrelsen.dk", "Sus Supervisor", []string{"supervisor"})
	if err != nil {
		t.Fatal(err)
	}
	editor, _, err := fx.env.App.Server.Staff.Create(t.Context(), "eva@styrelsen.dk", "Eva Redaktør", []string{"campaign_editor"})
	if err != nil {
		t.Fatal(err)
	}
	card := "/medarbejder/borger/" + strconv.FormatInt(fx.citizen.ID, 10)
	tests := []struct {
		as       func(*inputFixture, *testing.T) *browser
		path     string // the bad value is appended, query-escaped
		want4xx  bool
		pathPart bool // the bad value is a path segment, path-escaped
	}{
		{(*inputFixture).asAgent, "/medarbejder/sager?q=", true, false},
		{(*inputFixture).asAgent, "/medarbejder/sager?ko=", true, false},
		{(*inputFixture).asAgent, "/medarbejder/sager?status=", false, false},
		{(*inputFixture).asAgent, "/medarbejder/sager?system=", false, false},
		{(*inputFixture).asAgent, "/medarbejder/sager?efter=", true, false},
		{(*inputFixture).asAgent, "/medarbejder/sager/" + fx.cs.Ref + "?svar=", false, false},
		{(*inputFixture).asAgent, "/medarbejder/sager/" + fx.cs.Ref + "?udfoert=", false, false},
		{(*inputFixture).asAgent, "/medarbejder/sager/", true, true},
		{(*inputFixture).asAgent, card + "?sag=", true, false},
		{(*inputFixture).asAgent, card + "?done=", false, false},
		{(*inputFixture).asAdmin, "/medarbejder/revision?emne=", true, false},
		{(*inputFixture).asAdmin, "/medarbejder/revision?aktoer=", true, false},
		{(*inputFixture).asAdmin, "/medarbejder/revision?foer=", true, false},
		{(*inputFixture).asAdmin, "/medarbejder/admin/brugere/" + strconv.FormatInt(fx.agent.ID, 10) + "?done=", false, false},
		{asStaff(supervisor), "/medarbejder/overblik?fra=", true, false},
		{asStaff(supervisor), "/medarbejder/overblik?til=", true, false},
		{(*inputFixture).asCitizen, "/mitid?done=", false, false},
		{(*inputFixture).asCitizen, "/mitid/aktivitet?before=", false, false},
		{(*inputFixture).asCitizen, "/mitid/nemid?done=", false, false},
		{(*inputFixture).asCitizen, "/mitid/sager/", true, true},
		{(*inputFixture).asCitizen, "/mitid/sager/" + fx.cs.Ref + "?done=", false, false},
		{(*inputFixture).anonymous, "/log-ind?next=", false, false},
		{(*inputFixture).anonymous, "/app?kode=", false, false},
		{(*inputFixture).anonymous, "/glemt?mistet=", true, false},
		{(*inputFixture).anonymous, "/kontakt/bekraeft/", true, true},
		{(*inputFixture).anonymous, "/medarbejder/tilmeld/", false, true},
		// Communication packs: a pack's name, an item's number and a version's number.
		{(*inputFixture).anonymous, "/kommunikation/", true, true},
		{(*inputFixture).anonymous, "/kommunikation/fil/", true, true},
		{(*inputFixture).anonymous, "/kommunikation/fil/1/v/", true, true},
		{(*inputFixture).anonymous, "/kommunikation/miniature/", true, true},
		{asStaff(editor), "/redaktion/statistik?fra=", true, false},
		{asStaff(editor), "/redaktion/statistik?til=", true, false},
		{asStaff(editor), "/redaktion/statistik.csv?fra=", true, false},
		{(*inputFixture).anonymous, "/abonnement/afmeld/", true, true},
	}
	for _, tt := range tests {
		for kind, bad := range badText("") {
			t.Run(tt.path+" "+kind, func(t *testing.T) {
				escaped := url.QueryEscape(bad)
				if tt.pathPart {
					escaped = url.PathEscape(bad)
				}
				status, _ := tt.as(fx, t).get(t, tt.path+escaped)
				if status >= 500 {
					t.Fatalf("status %d", status)
				}
				if tt.want4xx && (status < 400 || status >= 500) {
					t.Errorf("status %d, want 4xx", status)
				}
			})
		}
	}
}

// asStaff is a browser logged in as u.
func asStaff(u staff.User) func(*inputFixture, *testing.T) *browser {
	return func(fx *inputFixture, t *testing.T) *browser { return staffSession(t, fx.env, u) }
}
