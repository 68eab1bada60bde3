package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"mitidportal/app/apptest"
	"mitidportal/audit"
	"mitidportal/locales"
)

// TestAdminMakesAnAuditor: the admin's user page offers the auditor role; giving it is a
// role change in the audit log (from, to), and the auditor's start page names the role and
// leads to the audit log and nowhere else.
func TestAdminMakesAnAuditor(t *testing.T) {
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
	u, _, err := store.Create(ctx, "asta@styrelsen.dk", "Asta Auditor", []string{"agent"})
	if err != nil {
		t.Fatal(err)
	}
	a := staffSession(t, env, admin)
	userPath := "/medarbejder/admin/brugere/" + strconv.FormatInt(u.ID, 10)
	if body := a.page(t, userPath); !strings.Contains(body, `value="auditor"`) || !strings.Contains(body, tr.T("deskaudit.role.auditor")) {
		t.Fatal("the user page does not offer the auditor role")
	}
	if res, _ := a.post(t, userPath+"/roller", url.Values{"roles": {"auditor"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("role change: %d", res.StatusCode)
	}
	recs, err := env.App.Audit.List(ctx, audit.Filter{Subject: audit.Staff(u.ID), Action: audit.ActionRoleChanged})
	if err != nil || len(recs) != 1 || recs[0].Actor != audit.Staff(admin.ID) ||
		fmt.Sprint(recs[0].Detail["from"], recs[0].Detail["to"]) != "[agent] [auditor]" {
		t.Fatalf("the role change's entry: %+v %v", recs, err)
	}
	u, err = store.ByID(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	home := staffSession(t, env, u).page(t, "/medarbejder")
	if !strings.Contains(home, tr.T("deskaudit.role.auditor")) || !strings.Contains(home, `href="/medarbejder/revision"`) {
		t.Error("the auditor's start page does not name the role or lead to the audit log")
	}
	for _, other := range []string{"/medarbejder/sager", "/medarbejder/overblik", "/medarbejder/admin/brugere"} {
		if strings.Contains(home, `href="`+other+`"`) {
			t.Errorf("the auditor's start page leads to %s", other)
		}
		if status, _ := staffSession(t, env, u).get(t, other); status != http.StatusForbidden {
			t.Errorf("the auditor on %s: %d, want 403", other, status)
		}
	}
}
