package campaigns

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"mitidportal/handlers/web"
)

// EditorRoundCSV sends a round's comments as CSV for Excel, one row per comment: UTF-8 with a
// byte order mark and semicolons, like the statistics. Members typed the comments, so every
// cell is made safe against formula injection (safeCell).
func (h *Handlers) EditorRoundCSV(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	rd, err := h.Rounds.Round(ctx, id)
	if err != nil {
		return err
	}
	comments, err := h.Rounds.Comments(ctx, id, c.QueryParam("vis") == "ubehandlede")
	if err != nil {
		return err
	}
	tr := web.StateOf(c).Tr
	out := [][]string{{tr.T("rounds.csv.item_id"), tr.T("rounds.csv.item"), tr.T("rounds.csv.org"),
		tr.T("rounds.csv.author"), tr.T("rounds.csv.time"), tr.T("rounds.csv.comment"), tr.T("rounds.csv.handled"),
		tr.T("rounds.csv.note")}}
	for _, cm := range comments {
		handled := tr.T("rounds.csv.no")
		if cm.Handled {
			handled = tr.T("rounds.csv.yes")
		}
		out = append(out, []string{strconv.FormatInt(cm.ItemID, 10), cm.ItemTitle, cm.OrgName, cm.Author,
			h.roundTime(cm.CreatedAt), cm.Body, handled, cm.HandledNote})
	}
	hd := c.Response().Header()
	hd.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	hd.Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="%s-%d.csv"`, tr.T("rounds.csv.filename"), rd.ID))
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
		h.Log.Warn("round comments csv: write failed", "err", err)
	}
	return nil
}
