package citizen

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"mitidportal/handlers/web"
	"mitidportal/views"
)

// activityPageSize is how many entries one page of the activity log shows.
const activityPageSize = 25

// ActivityPage is the citizen's activity log, newest first, a page at a time by keyset
// (?before=ID): stable while new entries arrive, and cheap however long the log is.
func (s *Handlers) ActivityPage(c echo.Context) error {
	before, _ := strconv.ParseInt(c.QueryParam("before"), 10, 64)
	if before < 0 {
		before = 0
	}
	id := web.StateOf(c).Subject.ID
	// One more than a page tells whether an older page exists.
	rows, err := s.Identity.Activity(c.Request().Context(), id, before, activityPageSize+1)
	if err != nil {
		return err
	}
	var v views.ActivityView
	if len(rows) > activityPageSize {
		rows = rows[:activityPageSize]
		v.OlderHref = "/mitid/aktivitet?before=" + strconv.FormatInt(rows[len(rows)-1].ID, 10)
	}
	if before > 0 {
		// Back to the newest entries: keyset paging walks one way, and the newest page is
		// where a person looks for what just happened.
		v.NewerHref = "/mitid/aktivitet"
	}
	for _, a := range rows {
		v.Rows = append(v.Rows, views.ActivityRow{Time: s.When(a.At), WhatID: a.Kind.MsgID(), ByID: web.ActorID(a.Actor),
			Details: web.ActivityDetails(a)})
	}
	return s.Render(c, http.StatusOK, views.Activity(v))
}
