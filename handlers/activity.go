package handlers

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"mitidportal/handlers/web"
	"mitidportal/identity"
	"mitidportal/views"
)

// activityPageSize is how many entries one page of the activity log shows.
const activityPageSize = 25

// activityPage is the citizen's activity log, newest first, a page at a time by keyset
// (?before=ID): stable while new entries arrive, and cheap however long the log is.
func (s *Server) activityPage(c echo.Context) error {
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
		v.Rows = append(v.Rows, views.ActivityRow{Time: s.site.When(a.At), WhatID: a.Kind.MsgID(), ByID: actorID(a.Actor),
			Details: activityDetails(a)})
	}
	return s.site.Render(c, http.StatusOK, views.Activity(v))
}

// actorID names who made a change.
func actorID(actor string) string {
	switch {
	case strings.HasPrefix(actor, "staff:"):
		return "selfservice.actor.staff"
	case actor == identity.ActorCitizen || actor == identity.ActorSystem || actor == "public":
		return "selfservice.actor." + actor
	}
	return "selfservice.actor.system"
}

// activityDetails picks the facts of an entry worth showing, in a fixed order. Values that are
// kinds, levels or reasons are shown by their translated names.
func activityDetails(a identity.Activity) []views.ActivityDetail {
	var out []views.ActivityDetail
	for _, key := range []string{"service", "level", "means", "label", "from", "to", "reason", "serial", "device", "cause", "assurance"} {
		raw, ok := a.Detail[key]
		if !ok || raw == nil || raw == "" {
			continue
		}
		val := fmt.Sprint(raw)
		d := views.ActivityDetail{LabelID: "selfservice.detail." + key, Value: val}
		switch key {
		case "level", "assurance":
			d.ValueID = identity.Level(val).MsgID()
		case "means":
			d.ValueID = identity.Kind(val).MsgID()
		case "reason":
			if r, err := identity.ParseBlockReason(val); err == nil {
				d.ValueID = r.MsgID()
			}
		}
		out = append(out, d)
	}
	return out
}
