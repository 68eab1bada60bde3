package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"mitidportal/app/apptest"
	"mitidportal/locales"
	"mitidportal/session"
	"mitidportal/staff"
)

var enrolmentLink = regexp.MustCompile(`value="(http://[^"]+/medarbejder/tilmeld/[^"]+)"`)

// staffSession is a session of account u as a finished staff login makes it.
func staffSession(t *testing.T, env *apptest.Env, u staff.User) *browser {
	t.Helper()
	cookie := env.LoginAs(t, session.Subject{Kind: session.KindStaff, ID: u.ID, Roles: u.Roles, Level: "high", Name: u.Name})
	return newBrowser(t, env, cookie, apptest.CSRFToken)
}

// TestStaffAdminOverHTTP: an admin creates an agent (the enrolment link is shown once), changes
// roles and disables the agent, whose session ends at once; the admin cannot lock themselves out.
func TestStaffAdminOverHTTP(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	tr := cat.For("da")
	ctx := context.Background()
	store := env.App.Server.Staff
	admin, _, err := store.Create(ctx, "admin@styrelsen.dk", "Ada Admin", []string{"admin"})
	if err != nil {
		t.Fatal(err)
	}
	a := staffSession(t, env, admin)

	// Create: errors first, then an agent.
	for _, tt := range []struct {
		name   string
		fields url.Values
		want   string
	}{
		{"nothing", url.Values{}, "staff.err.email_required"},
		{"no role", url.Values{"name": {"Bo"}, "email": {"bo@styrelsen.dk"}}, staff.ErrInvalidRole.MsgID},
		{"unknown role", url.Values{"name": {"Bo"}, "email": {"bo@styrelsen.dk"}, "roles": {"root"}}, staff.ErrInvalidRole.MsgID},
		{"taken address", url.Values{"name": {"Bo"}, "email": {"ADMIN@styrelsen.dk"}, "roles": {"agent"}}, staff.ErrEmailTaken.MsgID},
	} {
		res, body := a.post(t, "/medarbejder/admin/brugere", tt.fields)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, tr.T(tt.want)) {
			t.Errorf("create with %s: %d, want 422 with %q", tt.name, res.StatusCode, tr.T(tt.want))
		}
	}
	res, body := a.post(t, "/medarbejder/admin/brugere", url.Values{"name": {"Bo Agent"}, "email": {"bo@styrelsen.dk"}, "roles": {"agent"}})
	link := ""
	if m := enrolmentLink.FindStringSubmatch(body); m != nil {
		link = m[1]
	}
	if res.StatusCode != http.StatusOK || link == "" {
		t.Fatalf("create: %d, no enrolment link in the page", res.StatusCode)
	}
	if _, err := store.OpenEnrolment(ctx, link[strings.LastIndex(link, "/")+1:]); err != nil {
		t.Errorf("the link shown does not open the enrolment: %v", err)
	}
	if body := a.page(t, "/medarbejder/admin/brugere"); strings.Contains(body, "/medarbejder/tilmeld/") || !strings.Contains(body, "bo@styrelsen.dk") {
		t.Error("the list shows an enrolment link again, or lacks the new agent")
	}
	agent, err := store.ByEmail(ctx, "bo@styrelsen.dk")
	if err != nil || !slices.Equal(agent.Roles, []string{"agent"}) {
		t.Fatalf("the new agent: %+v, %v", agent, err)
	}
	userPath := "/medarbejder/admin/brugere/" + strconv.FormatInt(agent.ID, 10)
	ownPath := "/medarbejder/admin/brugere/" + strconv.FormatInt(admin.ID, 10)

	// The admin cannot lock themselves out.
	res, body = a.post(t, ownPath+"/roller", url.Values{"roles": {"agent"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, tr.T(staff.ErrOwnAdminRole.MsgID)) {
		t.Errorf("removing one's own admin role: %d", res.StatusCode)
	}
	res, body = a.post(t, ownPath+"/deaktiver", url.Values{})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, tr.T(staff.ErrDisableSelf.MsgID)) {
		t.Errorf("disabling oneself: %d", res.StatusCode)
	}

	// A role change ends the agent's sessions.
	ag := staffSession(t, env, agent)
	if status, _ := ag.get(t, "/medarbejder"); status != http.StatusOK {
		t.Fatalf("the agent's start page: %d", status)
	}
	if res, _ := a.post(t, userPath+"/roller", url.Values{"roles": {"agent", "supervisor"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("role change: %d", res.StatusCode)
	}
	if status, _ := ag.get(t, "/medarbejder"); status != http.StatusSeeOther {
		t.Errorf("the agent's session after a role change: %d, want 303 to the staff login", status)
	}
	if got, _ := store.ByID(ctx, agent.ID); !slices.Equal(got.Roles, []string{"agent", "supervisor"}) {
		t.Errorf("roles after the change: %v", got.Roles)
	}

	// Disabling ends the agent's session at once.
	agent, _ = store.ByID(ctx, agent.ID)
	ag = staffSession(t, env, agent)
	if res, _ := a.post(t, userPath+"/deaktiver", url.Values{}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("disable: %d", res.StatusCode)
	}
	if status, _ := ag.get(t, "/medarbejder"); status != http.StatusSeeOther {
		t.Errorf("the disabled agent's session: %d, want 303 to the staff login", status)
	}
	if body := a.page(t, userPath+"?done=disabled"); !strings.Contains(body, tr.T("staffweb.status.disabled")) ||
		!strings.Contains(body, tr.T("staffweb.notice.disabled")) {
		t.Error("the agent's page does not say it is disabled")
	}
	if res, _ := a.post(t, userPath+"/aktiver", url.Values{}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("enable: %d", res.StatusCode)
	}
	if got, _ := store.ByID(ctx, agent.ID); got.DisabledAt != nil {
		t.Error("still disabled after enabling")
	}

	// An admin giving themselves one more role stays logged in, with it, under a new session ID.
	old := a.client.Jar.Cookies(mustURL(t, env.URL))
	if res, _ := a.post(t, ownPath+"/roller", url.Values{"roles": {"admin", "supervisor"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("own role change: %d", res.StatusCode)
	}
	if status, _ := a.get(t, "/medarbejder/admin/brugere"); status != http.StatusOK {
		t.Errorf("the admin after changing their own roles: %d", status)
	}
	stale := newBrowser(t, env, old[0], apptest.CSRFToken)
	if status, _ := stale.get(t, "/medarbejder"); status != http.StatusSeeOther {
		t.Errorf("the admin's old session ID: %d, want 303 to the staff login", status)
	}
	if status, _ := a.get(t, "/medarbejder/admin/brugere/999999"); status != http.StatusNotFound {
		t.Errorf("an unknown account: %d, want 404", status)
	}
}

func mustURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
