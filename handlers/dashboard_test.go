package handlers_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"mitidportal/app/apptest"
	"mitidportal/locales"
	"mitidportal/support"
)

// dashboardCases opens three cases now: an identity-theft case by phone that is blocked and
// resolved, a MitID login case by web and a NemKonto case by e-mail. It returns a supervisor's
// session.
func dashboardCases(t *testing.T, env *apptest.Env) *browser {
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
	return staffSession(t, env, sup)
}

// dashGet requests path and returns the status and the body.
func dashGet(t *testing.T, b *browser, path string) (int, string) {
	t.Helper()
	res, err := b.client.Get(b.env.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, string(body)
}

// TestDashboardShowsTheFigures: the default period (the last 30 days) holds the cases just
// opened, in the key figures, the charts and their tables.
func TestDashboardShowsTheFigures(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	b := dashboardCases(t, env)
	status, body := dashGet(t, b, "/medarbejder/overblik")
	if status != http.StatusOK {
		t.Fatalf("dashboard: %d", status)
	}
	for _, want := range []string{
		`data-testid="dashboard-opened">3<`,
		`data-testid="dashboard-resolved">1<`,
		`data-testid="dashboard-blocks">1<`,
		`role="img" aria-labelledby="chart-system-title chart-system-desc"`,
		`<title id="chart-system-title">Sager pr. system</title>`,
		`MitID: 2, MitID Erhverv (NemLog-in): 0`, // the chart's description
		`<th scope="row">NemKonto</th><td class="align-text-right">1</td>`,
		`<th scope="row">Identitetstyveri</th><td class="align-text-right">1</td>`,
		`<caption>Overholdte og overskredne frister</caption>`,
		`href="/medarbejder/overblik.csv?fra=`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the dashboard lacks %s", want)
		}
	}
	if _, home := dashGet(t, b, "/medarbejder"); !strings.Contains(home, `data-testid="staff-entry-dashboard"`) {
		t.Error("the staff start page does not lead to the dashboard")
	}
	today := time.Now().In(env.App.Server.Schedule.Location()).Format("02-01-2006")
	if !strings.Contains(body, `value="`+today+`"`) {
		t.Errorf("the period does not end today (%s)", today)
	}
}

// TestDashboardRefusesABadPeriod: the form comes back with its error, never a 500, for the
// page and the CSV alike.
func TestDashboardRefusesABadPeriod(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	b := dashboardCases(t, env)
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	tr := cat.For("da")
	for _, tt := range []struct {
		name     string
		from, to string
		want     string
	}{
		{"not a date", "1. november", "30-11-2026", "dashboard.err.date_invalid"},
		{"no such day", "30-02-2026", "01-03-2026", "dashboard.err.date_invalid"},
		{"only one date", "01-11-2026", "", "dashboard.err.date_invalid"},
		{"the browser's month-first order", "11-30-2026", "12-01-2026", "dashboard.err.date_invalid"},
		{"backwards", "30-11-2026", "01-11-2026", support.ErrPeriodOrder.MsgID},
		{"longer than a year", "01-01-2025", "02-01-2026", support.ErrPeriodTooLong.MsgID},
	} {
		for _, path := range []string{"/medarbejder/overblik", "/medarbejder/overblik.csv"} {
			t.Run(tt.name+" "+path, func(t *testing.T) {
				q := url.Values{"fra": {tt.from}, "til": {tt.to}}
				status, body := dashGet(t, b, path+"?"+q.Encode())
				if status != http.StatusUnprocessableEntity || !strings.Contains(body, `data-testid="error-summary"`) ||
					!strings.Contains(body, tr.T(tt.want)) || strings.Contains(body, `data-testid="dashboard-opened"`) {
					t.Errorf("%d, want 422 with the error summary saying %q and no figures", status, tr.T(tt.want))
				}
			})
		}
	}
	if status, _ := dashGet(t, b, "/medarbejder/overblik?fra=01-01-2028&til=31-12-2028"); status != http.StatusOK {
		t.Errorf("a leap year: %d, want 200", status)
	}
}

// TestDashboardCSV: the export is an attachment in UTF-8 with a byte order mark, separated by
// semicolons, and parses back to the figures.
func TestDashboardCSV(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	b := dashboardCases(t, env)
	now := time.Now().In(env.App.Server.Schedule.Location())
	today := now.Format(time.DateOnly) // the file name sorts: åååå-mm-dd
	res, err := b.client.Get(env.URL + "/medarbejder/overblik.csv?fra=" + now.Format("02-01-2006") + "&til=" + now.Format("02-01-2006"))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "text/csv; charset=utf-8" ||
		!strings.HasPrefix(res.Header.Get("Content-Disposition"), `attachment; filename="overblik-`+today) {
		t.Fatalf("csv: %d %q %q", res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Content-Disposition"))
	}
	body, ok := bytes.CutPrefix(raw, []byte("\uFEFF"))
	if !ok {
		t.Error("no byte order mark")
	}
	r := csv.NewReader(bytes.NewReader(body))
	r.Comma = ';'
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("the csv does not parse: %v", err)
	}
	got := map[string]string{}
	for _, row := range rows[1:] {
		got[row[0]+"/"+row[1]] = row[3]
	}
	if h := strings.Join(rows[0], ";"); h != "Afsnit;Nøgle;Navn;Værdi" {
		t.Errorf("header %q", h)
	}
	for key, want := range map[string]string{
		"period/from": today, "period/to": today, "opened/": "3",
		"system/mitid": "2", "system/nemkonto": "1", "system/virk": "0",
		"category/identity_theft": "1", "category/login": "1", "category/other": "1",
		"channel/phone": "1", "channel/web": "1", "channel/email": "1", "channel/in_person": "0",
		"identity_theft_blocks/" + today: "1", "resolved/": "1",
		"first_response/met": "0", "resolution/met": "1", "resolution/percent": "100",
	} {
		if got[key] != want {
			t.Errorf("%s = %q, want %q", key, got[key], want)
		}
	}
	if rows[4][2] != "MitID" {
		t.Errorf("the system's label is %q, want MitID", rows[4][2])
	}
}
