package campaigns

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"mitidportal/handlers/web"
	"mitidportal/views"
)

// StatsCSV sends the period's downloads as CSV for Excel, one row per day, item and kind of
// organisation: UTF-8 with a byte order mark and semicolons, as the desk's export (Danish
// Excel settings). Item titles are typed by editors, so every cell is made safe against
// formula injection. An invalid period gives the page's form with its errors.
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
	hd := c.Response().Header()
	hd.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	hd.Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="%s-%s-%s.csv"`,
		tr.T("campaignsubs.csv.filename"), from.Format(time.DateOnly), to.Format(time.DateOnly)))
	c.Response().WriteHeader(http.StatusOK)
	w := c.Response().Writer
	if _, err := w.Write([]byte("\uFEFF")); err != nil {
		return nil // the client went away
	}
	cw := csv.NewWriter(w)
	cw.Comma = ';'
	cw.UseCRLF = true
	for _, row := range out {
		for i := range row {
			row[i] = safeCell(row[i])
		}
	}
	if err := cw.WriteAll(out); err != nil {
		h.Log.Warn("statistics csv: write failed", "err", err)
	}
	return nil
}

// safeCell keeps a spreadsheet from reading a cell as a formula (CSV injection): a cell that
// starts with = + - @ (or a tab or carriage return, which some spreadsheets skip before
// one) gets a leading apostrophe, which shows as text.
func safeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
