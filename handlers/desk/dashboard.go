package desk

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"mitidportal/fault"
	"mitidportal/handlers/web"
	"mitidportal/locales"
	"mitidportal/support"
	"mitidportal/views"
)

// dashboardPath is the supervisor dashboard; dashboardCSVPath its CSV export.
const (
	dashboardPath    = "/medarbejder/overblik"
	dashboardCSVPath = "/medarbejder/overblik.csv"
)

// dashboardDays is the default period: the last 30 days, today included.
const dashboardDays = 30

// dashboardPeriod reads the period of the query: both dates dd-mm-åååå in the desk's time
// zone, from no later than to, at most a year. Missing dates default to the last 30 days.
// The form state holds the dates as typed and the errors.
func (s *Handlers) dashboardPeriod(c echo.Context) (support.Period, views.Form) {
	loc := s.Schedule.Location()
	today := s.Now().In(loc)
	today = time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, loc)
	f := views.Form{Values: map[string]string{"fra": web.Field(c, "fra"), "til": web.Field(c, "til")}}
	if f.Values["fra"] == "" && f.Values["til"] == "" {
		f.Values["fra"] = today.AddDate(0, 0, 1-dashboardDays).Format(web.DateLayout)
		f.Values["til"] = today.Format(web.DateLayout)
	}
	var p support.Period
	for _, d := range []struct {
		name string
		to   *time.Time
	}{{"fra", &p.From}, {"til", &p.To}} {
		t, err := web.ParseDate(f.Values[d.name], loc)
		if err != nil {
			f.Errors = append(f.Errors, views.FieldError{Field: d.name, MsgID: "dashboard.err.date_invalid"})
			continue
		}
		*d.to = t
	}
	if f.HasErrors() {
		return p, f
	}
	if rule, ok := fault.Rule(p.Check(loc)); ok {
		f.Errors = append(f.Errors, views.FieldError{Field: "til", MsgID: rule.MsgID})
	}
	return p, f
}

// Dashboard shows the figures of the period, or the form with its errors.
func (s *Handlers) Dashboard(c echo.Context) error {
	s.staffNav(c)
	p, f := s.dashboardPeriod(c)
	if f.HasErrors() {
		return s.Render(c, web.StatusInvalid, views.Dashboard(views.DashboardView{Form: f}))
	}
	st, err := s.Cases.Stats(c.Request().Context(), p)
	if err != nil {
		return err
	}
	tr := web.StateOf(c).Tr
	v := s.dashboardStats(tr, st)
	if v.Agents, err = s.agentRows(c.Request().Context(), tr, p); err != nil {
		return err
	}
	return s.Render(c, http.StatusOK, views.Dashboard(views.DashboardView{Form: f, Stats: v}))
}

// dashboardStats labels and formats the figures for the page.
func (s *Handlers) dashboardStats(tr *locales.Translator, st support.Stats) *views.DashboardStats {
	loc := s.Schedule.Location()
	q := url.Values{"fra": {st.Period.From.In(loc).Format(web.DateLayout)}, "til": {st.Period.To.In(loc).Format(web.DateLayout)}}
	v := &views.DashboardStats{
		From: st.Period.From.In(loc).Format("02.01.2006"), To: st.Period.To.In(loc).Format("02.01.2006"),
		CSVHref: dashboardCSVPath + "?" + q.Encode(), CasesCSVHref: dashboardCasesPath + "?" + q.Encode(), Opened: st.Opened, Resolved: st.Resolved, Blocks: st.Blocks,
		BySystem: countBars(tr, st.BySystem), ByCategory: countBars(tr, st.ByCategory), ByChannel: countBars(tr, st.ByChannel),
	}
	if st.Resolved > 0 {
		v.Median = duration(tr, st.MedianHandling)
	}
	for _, r := range []struct {
		id string
		c  support.Compliance
	}{{"dashboard.compliance.first_response", st.FirstResponse}, {"dashboard.compliance.resolution", st.Resolution}} {
		pct, ok := r.c.Percent()
		v.Compliance = append(v.Compliance, views.ComplianceRow{Label: tr.T(r.id), Met: r.c.Met,
			Breached: r.c.Breached, Percent: pct, HasShare: ok})
	}
	for _, d := range st.BlocksPerDay {
		v.PerDay = append(v.PerDay, views.Bar{Label: d.Day.Format("02.01."), Value: d.N, Text: strconv.Itoa(d.N)})
	}
	return v
}

// duration is a median time as the dashboard shows it: hours and minutes.
func duration(tr *locales.Translator, d time.Duration) string {
	return tr.T("dashboard.handling.duration", map[string]any{"Hours": int(d.Hours()), "Minutes": int(d.Minutes()) % 60})
}

func countBars(tr *locales.Translator, counts []support.Count) []views.Bar {
	bars := make([]views.Bar, 0, len(counts))
	for _, c := range counts {
		bars = append(bars, views.Bar{Label: tr.T(c.MsgID), Value: c.N, Text: strconv.Itoa(c.N)})
	}
	return bars
}

// DashboardCSV sends the figures as a CSV file for Excel: UTF-8 with a byte order mark (without
// it Excel reads the file as Windows-1252 and garbles æøå) and semicolons between the fields,
// as Excel expects where the decimal separator is a comma (Danish settings). Every row is
// section;key;label;value, so the file is one table that sorts and filters; the key is stable
// across languages, the label is in the page's language. An invalid period gives the
// Dashboard's form with its errors.
func (s *Handlers) DashboardCSV(c echo.Context) error {
	p, f := s.dashboardPeriod(c)
	if f.HasErrors() {
		s.staffNav(c)
		return s.Render(c, web.StatusInvalid, views.Dashboard(views.DashboardView{Form: f}))
	}
	st, err := s.Cases.Stats(c.Request().Context(), p)
	if err != nil {
		return err
	}
	tr := web.StateOf(c).Tr
	loc := s.Schedule.Location()
	from, to := p.From.In(loc).Format(time.DateOnly), p.To.In(loc).Format(time.DateOnly)
	rows := [][]string{
		{tr.T("dashboard.csv.section"), tr.T("dashboard.csv.key"), tr.T("dashboard.csv.label"), tr.T("dashboard.csv.value")},
		{"period", "from", tr.T("dashboard.csv.period_from"), from},
		{"period", "to", tr.T("dashboard.csv.period_to"), to},
		{"opened", "", tr.T("dashboard.csv.opened"), strconv.Itoa(st.Opened)},
	}
	for _, sec := range []struct {
		name   string
		counts []support.Count
	}{{"system", st.BySystem}, {"category", st.ByCategory}, {"channel", st.ByChannel}} {
		for _, n := range sec.counts {
			rows = append(rows, []string{sec.name, n.Key, tr.T(n.MsgID), strconv.Itoa(n.N)})
		}
	}
	for _, sec := range []struct {
		name string
		c    support.Compliance
	}{{"first_response", st.FirstResponse}, {"resolution", st.Resolution}} {
		pct := ""
		if p, ok := sec.c.Percent(); ok {
			pct = strconv.Itoa(p)
		}
		rows = append(rows,
			[]string{sec.name, "met", tr.T("dashboard.csv.met"), strconv.Itoa(sec.c.Met)},
			[]string{sec.name, "breached", tr.T("dashboard.csv.breached"), strconv.Itoa(sec.c.Breached)},
			[]string{sec.name, "percent", tr.T("dashboard.csv.percent"), pct})
	}
	for _, d := range st.BlocksPerDay {
		rows = append(rows, []string{"identity_theft_blocks", d.Day.Format(time.DateOnly), tr.T("dashboard.csv.blocks_day"), strconv.Itoa(d.N)})
	}
	rows = append(rows,
		[]string{"resolved", "", tr.T("dashboard.csv.resolved"), strconv.Itoa(st.Resolved)},
		[]string{"median_handling", "seconds", tr.T("dashboard.csv.median_seconds"), strconv.Itoa(int(st.MedianHandling.Seconds()))})

	return web.SendCSV(c, fmt.Sprintf("%s-%s-%s.csv", tr.T("dashboard.csv.filename"), from, to), rows)
}
