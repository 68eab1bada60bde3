package campaigns

import (
	"fmt"
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
	return web.SendCSV(c, fmt.Sprintf("%s-%d.csv", tr.T("rounds.csv.filename"), rd.ID), out)
}
