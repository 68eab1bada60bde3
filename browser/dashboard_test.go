package browser_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"mitidportal/app/apptest"
	"mitidportal/session"
	"mitidportal/support"
)

// dashboardCasesForBrowser opens three cases now (an identity-theft case by phone, blocked and
// resolved; a MitID login case by web; a NemKonto case by e-mail) and returns a supervisor's
// session cookie.
func dashboardCasesForBrowser(t *testing.T, env *apptest.Env) network.SetCookieParams {
	t.Helper()
	ctx := context.Background()
	sup, _, err := env.App.Server.Staff.Create(ctx, "sif@styrelsen.dk", "Sif Supervisor", []string{"supervisor"})
	if err != nil {
		t.Fatal(err)
	}
	cases := env.App.Server.Cases
	open := func(ch support.Channel, sys support.System, cat support.Category) support.Case {
		c, err := cases.Open(ctx, support.NewCase{Channel: ch, System: sys, Category: cat, Name: "Jens Jensen",
			Email: "jens@example.dk", Subject: "Hjælp", StaffID: sup.ID})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	theft := open(support.ChannelPhone, support.SystemMitID, support.CategoryIdentityTheft)
	open(support.ChannelWeb, support.SystemMitID, support.CategoryLogin)
	open(support.ChannelEmail, support.SystemNemKonto, support.CategoryOther)
	if _, err := cases.RecordAction(ctx, support.Action{CaseID: theft.ID, StaffID: sup.ID, Kind: support.ActionBlock,
		Detail: map[string]any{"reason": "stolen"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := cases.SetStatus(ctx, theft.ID, sup.ID, support.StatusResolved, theft.Version); err != nil {
		t.Fatal(err)
	}
	c := env.LoginAs(t, session.Subject{Kind: session.KindStaff, ID: sup.ID, Roles: sup.Roles, Level: "high", Name: sup.Name})
	httpOnly := true
	return network.SetCookieParams{Name: c.Name, Value: c.Value, URL: env.URL + "/", HTTPOnly: &httpOnly,
		SameSite: network.CookieSameSiteLax}
}

// TestDashboardFlowShowsTheCasesOfTheTest: a supervisor goes from the staff start page to the
// dashboard, which shows the figures of the cases the test opened (charts and tables), in
// Danish and English; a backwards period gives the form with its error summary. Both pages
// are checked with axe.
func TestDashboardFlowShowsTheCasesOfTheTest(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	cookie := dashboardCasesForBrowser(t, env)
	for _, lang := range languages {
		t.Run(lang, func(t *testing.T) {
			ctx := newTab(t)
			desktopWindow(t, ctx)
			problems := pageProblems(t, ctx)
			if _, err := chromedp.Call(ctx, network.SetCookie, cookie); err != nil {
				t.Fatal(err)
			}
			navigate(t, ctx, env.URL+"/medarbejder?lang="+lang)
			click(t, ctx, `a[data-testid="staff-entry-dashboard"]`)
			wantPath(t, ctx, "/medarbejder/overblik")
			for testID, want := range map[string]string{"dashboard-opened": "3", "dashboard-resolved": "1", "dashboard-blocks": "1"} {
				if got := strings.TrimSpace(text(t, ctx, `[data-testid="`+testID+`"]`)); got != want {
					t.Errorf("%s shows %q, want %q", testID, got, want)
				}
			}
			// The table under the system chart, and the chart itself, with the same figure.
			row := eval[string](t, ctx, `[...document.querySelectorAll('[data-testid="table-chart-system"] tbody tr')]
				.map(r => r.innerText.replace(/\s+/g, ' ').trim()).find(s => s.startsWith('MitID ')) || ''`)
			if row != "MitID 2" {
				t.Errorf("the system table's MitID row is %q, want \"MitID 2\"", row)
			}
			if n := eval[int](t, ctx, `document.querySelectorAll('svg[role="img"][aria-labelledby]').length`); n != 5 {
				t.Errorf("%d accessible charts, want 5", n)
			}
			if desc := eval[string](t, ctx, `document.querySelector('#chart-system-desc').textContent`); !strings.Contains(desc, "MitID: 2") {
				t.Errorf("the system chart's description is %q", desc)
			}
			checkAxe(t, ctx, "/medarbejder/overblik ("+lang+")")

			do(t, ctx, chromedp.Evaluate[chromedp.Void](`document.querySelector('#fra').value = '30-11-2026';
				document.querySelector('#til').value = '01-11-2026'`))
			click(t, ctx, `[data-testid="dashboard-submit"]`)
			wantErrorSummary(t, ctx, "a backwards period")
			if has(t, ctx, `[data-testid="dashboard-opened"]`) {
				t.Error("figures shown for a backwards period")
			}
			checkAxe(t, ctx, "/medarbejder/overblik with errors ("+lang+")")
			for _, p := range problems() {
				if p.Kind == "network" && strings.Contains(p.Text, "status of 422") && strings.Contains(p.URL, "/medarbejder/overblik") {
					continue
				}
				t.Errorf("the pages reported: %s", p)
			}
		})
	}
}
