package campaigns

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"mitidportal/campaign"
	"mitidportal/fault"
	"mitidportal/handlers/web"
	"mitidportal/locales"
	"mitidportal/views"
)

// The editors' statistics page and its CSV export (same query).
const (
	statsPath    = "/redaktion/statistik"
	statsCSVPath = "/redaktion/statistik.csv"
)

// statsDays is the default period: the last 30 days, today included.
const statsDays = 30

// statsPeriod reads ?fra=dd-mm-åååå&til=dd-mm-åååå (both days included); without either it
// is the last statsDays days. The dates come back as UTC midnights, the form with its errors.
func (h *Handlers) statsPeriod(c echo.Context) (from, to time.Time, f views.Form) {
	f = web.FormOf(c, "fra", "til")
	if f.Values["fra"] == "" && f.Values["til"] == "" && !f.HasErrors() {
		// Today in the portal's zone (Europe/Copenhagen), where the counter counts its days.
		now := h.Now().In(h.Schedule.Location())
		today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
		f.Values["fra"] = today.AddDate(0, 0, 1-statsDays).Format(web.DateLayout)
		f.Values["til"] = today.Format(web.DateLayout)
	}
	for _, d := range []struct {
		name string
		t    *time.Time
	}{{"fra", &from}, {"til", &to}} {
		if f.ErrorFor(d.name) != nil {
			continue
		}
		t, err := web.ParseDate(f.Values[d.name], time.UTC)
		if err != nil {
			f.Errors = append(f.Errors, views.FieldError{Field: d.name, MsgID: "campaignsubs.err.date_invalid"})
			continue
		}
		*d.t = t
	}
	if f.HasErrors() {
		return from, to, f
	}
	if rule, ok := fault.Rule(campaign.CheckPeriod(from, to)); ok {
		f.Errors = append(f.Errors, views.FieldError{Field: "til", MsgID: rule.MsgID})
	}
	return from, to, f
}

// StatsPage shows the downloads of the period as charts, each with its table.
func (h *Handlers) StatsPage(c echo.Context) error {
	from, to, f := h.statsPeriod(c)
	if f.HasErrors() {
		return h.Render(c, web.StatusInvalid, views.CampaignStats(views.CampaignStatsView{Form: f}))
	}
	st, err := h.Stats.Downloads(c.Request().Context(), from, to)
	if err != nil {
		return err
	}
	s := web.StateOf(c)
	q := url.Values{"fra": {from.Format(web.DateLayout)}, "til": {to.Format(web.DateLayout)}}
	v := &views.CampaignStatsData{From: from.Format(web.DateLayout), To: to.Format(web.DateLayout),
		CSVHref: statsCSVPath + "?" + q.Encode(), Total: strconv.FormatInt(st.Total, 10)}
	for _, r := range st.ByItem {
		v.ByItem = append(v.ByItem, bar(r.Title+" ("+r.Pack.Title(s.Lang)+")", r.N))
	}
	for _, r := range st.ByPack {
		v.ByPack = append(v.ByPack, bar(r.Pack.Title(s.Lang), r.N))
	}
	for _, r := range st.ByKind {
		v.ByKind = append(v.ByKind, bar(kindLabel(s.Tr, r.Kind), r.N))
	}
	for _, r := range st.ByDay {
		v.ByDay = append(v.ByDay, bar(r.Day.Format("02.01."), r.N))
	}
	return h.Render(c, http.StatusOK, views.CampaignStats(views.CampaignStatsView{Form: f, Stats: v}))
}

func bar(label string, n int64) views.Bar {
	return views.Bar{Label: label, Value: int(n), Text: strconv.FormatInt(n, 10)}
}

// kindLabel names a kind of organisation; "" is downloads by no organisation's member.
func kindLabel(tr *locales.Translator, k campaign.Kind) string {
	if k == "" {
		return tr.T("campaignsubs.stats.no_org")
	}
	return tr.T(k.MsgID())
}
