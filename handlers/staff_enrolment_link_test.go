package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"mitidportal/app/apptest"
	"mitidportal/locales"
	"mitidportal/staff"
)

// TestStaffNewEnrolmentLinkOverHTTP: on a colleague's page an admin makes a new enrolment link
// for a lost link (the old one stops working, the new one is shown once and enrols) and for a
// lost key (the keys go and the colleague's session ends at once). The page's GET writes
// nothing; the admin's own keys and a disabled account are refused with the error summary.
func TestStaffNewEnrolmentLinkOverHTTP(t *testing.T) {
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
	userPath := func(u staff.User) string { return "/medarbejder/admin/brugere/" + strconv.FormatInt(u.ID, 10) }
	links := func() (n int) {
		t.Helper()
		if err := env.App.Pool.QueryRow(ctx, `SELECT count(*) FROM staff_enrolment WHERE used_at IS NULL AND expires_at > now()`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	shown := func(body string) string {
		if m := enrolmentLink.FindStringSubmatch(body); m != nil {
			return m[1]
		}
		return ""
	}

	// A lost link: the page offers a new one, and showing the page makes none.
	lost, oldToken, err := store.Create(ctx, "lis@styrelsen.dk", "Lis Mistet", []string{"agent"})
	if err != nil {
		t.Fatal(err)
	}
	live := links()
	if body := a.page(t, userPath(lost)); !strings.Contains(body, `data-testid="staff-enrol-form"`) ||
		!strings.Contains(body, `action="`+userPath(lost)+`/tilmelding"`) || strings.Contains(body, "/medarbejder/tilmeld/") {
		t.Fatal("the account's page offers no new enrolment link, or shows one")
	}
	if got := links(); got != live {
		t.Errorf("showing the page changed the live links: %d, then %d", live, got)
	}
	res, body := a.post(t, userPath(lost)+"/tilmelding", url.Values{})
	link := shown(body)
	if res.StatusCode != http.StatusOK || link == "" ||
		!strings.Contains(body, tr.T("staffweb.user.link_heading", map[string]any{"Name": lost.Name})) {
		t.Fatalf("a new link: %d, link %q", res.StatusCode, link)
	}
	if strings.Contains(body, `data-testid="staff-keys-removed"`) {
		t.Error("a new link without the box ticked says the keys were removed")
	}
	if _, err := store.OpenEnrolment(ctx, oldToken); err == nil {
		t.Error("the lost link still opens the enrolment")
	}
	if got := links(); got != live {
		t.Errorf("%d live links after the new one, want %d (the old one replaced)", got, live)
	}
	if body := a.page(t, userPath(lost)); strings.Contains(body, "/medarbejder/tilmeld/") {
		t.Error("the page shows the link again")
	}
	// The colleague enrols with the new link, over HTTP.
	b := newBrowser(t, env, nil, "")
	b.page(t, link[len(env.URL):])
	if res, _ := b.post(t, link[len(env.URL):], url.Values{"password": {staffPassword}, "password_repeat": {staffPassword}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the new link's password step: %d", res.StatusCode)
	}
	key := newSoftKey(t)
	o := b.begin(t, "/medarbejder/tilmeld/noegle/begin", map[string]string{})
	status, out := b.json(t, "/medarbejder/tilmeld/noegle/finish", key.create(t, o, env.URL))
	wantAnswer(t, "enrolment key with the new link", status, out, http.StatusOK, "redirect", "/medarbejder")
	if got, _ := store.ByID(ctx, lost.ID); got.Status() != staff.StatusActive || got.Keys != 1 {
		t.Errorf("after enrolling with the new link: %+v", got)
	}

	// A lost key: the keys go, and the colleague's session ends at once.
	agent, _, ag := enrolStaff(t, env, "kim@styrelsen.dk", "agent")
	if status, _ := ag.get(t, "/medarbejder"); status != http.StatusOK {
		t.Fatalf("the agent's start page: %d", status)
	}
	res, body = a.post(t, userPath(agent)+"/tilmelding", url.Values{"replace_keys": {"yes"}})
	if res.StatusCode != http.StatusOK || shown(body) == "" || !strings.Contains(body, tr.T("staffweb.user.keys_removed")) {
		t.Fatalf("a new link for a lost key: %d", res.StatusCode)
	}
	if status, _ := ag.get(t, "/medarbejder"); status != http.StatusSeeOther {
		t.Errorf("the agent's session after the key was removed: %d, want 303 to the staff login", status)
	}
	if got, _ := store.ByID(ctx, agent.ID); got.Keys != 0 || got.Status() != staff.StatusPending {
		t.Errorf("after the key was removed: %+v, status %s", got, got.Status())
	}

	// Refusals: the admin's own keys, a disabled account.
	live = links()
	res, body = a.post(t, userPath(admin)+"/tilmelding", url.Values{"replace_keys": {"yes"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, tr.T(staff.ErrReplaceOwnKeys.MsgID)) ||
		!strings.Contains(body, `href="#replace_keys"`) || shown(body) != "" {
		t.Errorf("removing one's own keys: %d", res.StatusCode)
	}
	if res, _ := a.post(t, userPath(agent)+"/deaktiver", url.Values{}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("disable: %d", res.StatusCode)
	}
	if body := a.page(t, userPath(agent)); strings.Contains(body, `data-testid="staff-enrol-form"`) ||
		!strings.Contains(body, tr.T("staffweb.user.enrol_disabled")) {
		t.Error("a disabled account's page offers a new enrolment link")
	}
	res, body = a.post(t, userPath(agent)+"/tilmelding", url.Values{})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, tr.T(staff.ErrEnrolDisabled.MsgID)) ||
		!strings.Contains(body, `data-testid="error-summary"`) || shown(body) != "" {
		t.Errorf("a new link for a disabled account: %d", res.StatusCode)
	}
	if got := links(); got != live {
		t.Errorf("the refusals changed the live links: %d, then %d", live, got)
	}
	if res, _ := a.post(t, "/medarbejder/admin/brugere/999999/tilmelding", url.Values{}); res.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown account: %d, want 404", res.StatusCode)
	}
}
