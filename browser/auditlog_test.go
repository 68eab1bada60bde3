package browser_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"mitidportal/app/apptest"
	"mitidportal/audit"
	"mitidportal/session"
)

// loginStaffInTab gives the tab the session cookie of a finished staff login with roles (the
// staff login ceremony itself is walked in staff_test.go).
func loginStaffInTab(t testing.TB, ctx context.Context, env *apptest.Env, email, name string, roles ...string) int64 {
	t.Helper()
	u, _, err := env.App.Server.Staff.Create(context.Background(), email, name, roles)
	if err != nil {
		t.Fatal(err)
	}
	cookie := env.LoginAs(t, session.Subject{Kind: session.KindStaff, ID: u.ID, Roles: u.Roles, Level: "high", Name: u.Name})
	httpOnly := true
	if _, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: cookie.Name, Value: cookie.Value,
		URL: env.URL + "/", HTTPOnly: &httpOnly, SameSite: network.CookieSameSiteLax}); err != nil {
		t.Fatal(err)
	}
	return u.ID
}

// TestAuditLogPagePassesAxe walks the audit log in both languages with axe on every page: a
// logged-out visit lands on the staff login; an agent sees their own entries under the staff
// menu and, for a date that is no date, the error summary; an auditor sees a colleague's entry
// by name and narrows the log with the filter form.
func TestAuditLogPagePassesAxe(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	citizen := env.NewCitizen(t)
	for _, lang := range languages {
		t.Run(lang, func(t *testing.T) {
			ctx := newTab(t)
			take := pageProblems(t, ctx)

			navigate(t, ctx, withLang(env.URL+"/medarbejder/revision", lang))
			wantPath(t, ctx, "/medarbejder/log-ind")
			if next := eval[string](t, ctx, `(document.querySelector('input[name="next"]') || {}).value || ''`); !strings.HasPrefix(next, "/medarbejder/revision") {
				t.Errorf("the staff login does not lead back to the audit log: next %q", next)
			}
			checkAxe(t, ctx, "/medarbejder/log-ind?next=/medarbejder/revision ("+lang+")")

			id := loginStaffInTab(t, ctx, env, "revision-"+lang+"@example.dk", "Rie Revisor", "agent")
			if err := env.App.Audit.AppendNow(context.Background(), audit.Entry{Actor: audit.Staff(id),
				Action: audit.ActionCitizenLookup, Subject: audit.MitID(citizen.ID), Detail: map[string]any{"via": "card"}}); err != nil {
				t.Fatal(err)
			}
			navigate(t, ctx, withLang(env.URL+"/medarbejder/revision", lang))
			wantPath(t, ctx, "/medarbejder/revision")
			if !has(t, ctx, `[data-testid="auditlog-row"]`) || !has(t, ctx, `[data-testid="auditlog-own"]`) {
				t.Fatalf("the agent's own entries are not shown as such: %s", clip(mainText(t, ctx), 300))
			}
			if !has(t, ctx, `nav.navigation-menu a[href="/medarbejder/revision"][aria-current="page"]`) {
				t.Error("the audit log lacks the staff menu")
			}
			if text := mainText(t, ctx); !strings.Contains(text, "Rie Revisor (revision-"+lang+"@example.dk)") ||
				!strings.Contains(text, citizen.Username) || strings.Contains(text, citizen.CPR.String()) {
				t.Errorf("actor and subject are not shown by name (nor without CPR): %s", clip(text, 400))
			}
			checkAxe(t, ctx, "/medarbejder/revision ("+lang+", agent)")

			navigate(t, ctx, withLang(env.URL+"/medarbejder/revision?fra=2026-13-45", lang))
			wantErrorSummary(t, ctx, "a date that is no date")
			checkAxe(t, ctx, "/medarbejder/revision?fra=2026-13-45 ("+lang+")")

			auditor := newTab(t)
			loginStaffInTab(t, auditor, env, "auditor-"+lang+"@example.dk", "Asta Auditor", "auditor")
			navigate(t, auditor, withLang(env.URL+"/medarbejder/revision", lang))
			if text := mainText(t, auditor); !strings.Contains(text, "Rie Revisor") || has(t, auditor, `[data-testid="auditlog-own"]`) {
				t.Errorf("the auditor does not read the agent's entry: %s", clip(text, 300))
			}
			setSelect(t, auditor, "#handling", string(audit.ActionCitizenLookup))
			fill(t, auditor, "#emne", citizen.Username)
			click(t, auditor, `[data-testid="auditlog-filter-submit"]`)
			wantPath(t, auditor, "/medarbejder/revision")
			if q := eval[string](t, auditor, `location.search`); !strings.Contains(q, "emne="+url.QueryEscape(citizen.Username)) {
				t.Errorf("the filter is not in the address: %s", q)
			}
			if n := eval[int](t, auditor, `document.querySelectorAll('[data-testid="auditlog-row"]').length`); n < 1 {
				t.Errorf("the filtered log shows %d entries", n)
			}
			checkAxe(t, auditor, "/medarbejder/revision filtered ("+lang+", auditor)")

			for _, p := range take() {
				if p.Kind == "network" && strings.Contains(p.Text, "status of 422") && strings.Contains(p.URL, "/medarbejder/revision") {
					continue
				}
				t.Errorf("the pages reported: %s", p)
			}
		})
	}
}
