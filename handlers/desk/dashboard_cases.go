package desk

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"mitidportal/handlers/web"
	"mitidportal/locales"
	"mitidportal/support"
	"mitidportal/views"
)

// dashboardCasesPath is the per-case CSV export of the dashboard's period.
const dashboardCasesPath = "/medarbejder/overblik/sager.csv"

// agentRows are the per-agent figures of the period, by name, the unassigned cases last.
func (s *Handlers) agentRows(ctx context.Context, tr *locales.Translator, p support.Period) ([]views.AgentRow, error) {
	figures, err := s.Cases.AgentStats(ctx, p)
	if err != nil {
		return nil, err
	}
	names, err := s.staffNames(ctx)
	if err != nil {
		return nil, err
	}
	var rows []views.AgentRow
	var unassigned *views.AgentRow
	for _, a := range figures {
		r := views.AgentRow{Handled: a.Handled, Open: a.Open, Responded: a.Responded}
		if a.Handled > 0 {
			r.MedianHandling = duration(tr, a.MedianHandling)
		}
		if a.Responded > 0 {
			r.MedianFirstResponse = duration(tr, a.MedianFirstResponse)
		}
		if a.StaffID == 0 {
			r.Name = tr.T("dashboard.agents.unassigned")
			unassigned = &r
			continue
		}
		r.Name = staffName(names, a.StaffID)
		rows = append(rows, r)
	}
	sort.SliceStable(rows, func(i, j int) bool { return strings.ToLower(rows[i].Name) < strings.ToLower(rows[j].Name) })
	if unassigned != nil {
		rows = append(rows, *unassigned)
	}
	return rows, nil
}

// DashboardCasesCSV sends every case opened in the dashboard's period, one row each, as CSV
// for Excel (UTF-8 with a byte order mark, semicolons; see DashboardCSV), with the column names
// and values in the page's language. The rows are streamed from the database as they are read.
// An invalid period gives the dashboard's form with its errors.
func (s *Handlers) DashboardCasesCSV(c echo.Context) error {
	p, f := s.dashboardPeriod(c)
	if f.HasErrors() {
		s.staffNav(c)
		return s.Render(c, web.StatusInvalid, views.Dashboard(views.DashboardView{Form: f}))
	}
	tr := web.StateOf(c).Tr
	loc := s.Schedule.Location()
	from, to := p.From.In(loc).Format(time.DateOnly), p.To.In(loc).Format(time.DateOnly)
	out := web.StartCSV(c, fmt.Sprintf("%s-%s-%s.csv", tr.T("dashboard.cases_csv.filename"), from, to))
	var header []string
	for _, col := range []string{"ref", "created", "first_response", "resolved", "system", "category", "channel",
		"priority", "status", "first_response_met", "resolution_met"} {
		header = append(header, tr.T("dashboard.cases_csv.col."+col))
	}
	_ = out.Write(header)
	when := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(loc).Format("2006-01-02 15:04")
	}
	outcome := map[support.DeadlineOutcome]string{support.OutcomeMet: tr.T("dashboard.cases_csv.met"),
		support.OutcomeBreached: tr.T("dashboard.cases_csv.breached"), support.OutcomePending: tr.T("dashboard.cases_csv.pending")}
	n := 0
	err := s.Cases.EachCase(c.Request().Context(), p, func(r support.CaseRow) error {
		row := []string{r.Ref, when(r.Created), when(r.FirstResponse), when(r.Resolved), tr.T(r.System.MsgID()),
			tr.T(r.Category.MsgID()), tr.T(r.Channel.MsgID()), tr.T(r.Priority.MsgID()), tr.T(r.Status.MsgID()),
			outcome[r.FirstResponseMet], outcome[r.ResolutionMet]}
		if err := out.Write(row); err != nil {
			return err
		}
		if n++; n%200 == 0 {
			return out.Flush()
		}
		return nil
	})
	if ferr := out.Flush(); err == nil {
		err = ferr
	}
	if err != nil {
		// The status is sent: the file ends short, and the log says why.
		s.Log.Warn("dashboard cases csv: stopped", "err", err, "rows", n)
	}
	return nil
}
