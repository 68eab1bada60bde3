package campaigns

import (
	"fmt"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"mitidportal/handlers/web"
	"mitidportal/views"
)

// StatsCSV sends the period's downloads as CSV for Excel, one row per day, item and kind of
// organisation: UTF-8 with a byte order mark and semicolons, as the desk's export (Danish
// Excel settings, web.CSV). Item titles are typed by editors, so every cell is made safe
// against formula injection. An invalid period gives the page's form with its errors.
func (h *Handlers) StatsCSV(c echo.Context) error {
	from, to, f := h.statsPeriod(c)
	if f.HasErrors() {
		return h.Render(c, web.StatusInvalid, views.CampaignStats(views.CampaignStatsView{Form: f}))
	}
	rows, err := h.Stats.Rows(c.Request().Context(), from, to)
	if err != nil {
		return err
	}
	tr := web.StateOf(c).Tr
	out := [][]string{{tr.T("campaignsubs.csv.day"), tr.T("campaignsubs.csv.item_id"), tr.T("campaignsubs.csv.item"),
		tr.T("campaignsubs.csv.pack"), tr.T("campaignsubs.csv.kind"), tr.T("campaignsubs.csv.downloads")}}
	for _, r := range rows {
		out = append(out, []string{r.Day.Format(time.DateOnly), strconv.FormatInt(r.ItemID, 10), r.Title,
			r.PackSlug, kindLabel(tr, r.Kind), strconv.FormatInt(r.N, 10)})
	}
	return web.SendCSV(c, fmt.Sprintf("%s-%s-%s.csv", tr.T("campaignsubs.csv.filename"),
		from.Format(time.DateOnly), to.Format(time.DateOnly)), out)
}
