package desk

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"mitidportal/audit"
	"mitidportal/handlers/web"
	"mitidportal/views"
)

// auditPageSize is how many entries one page of the audit log shows.
const auditPageSize = 50

// AuditLogPage lists the audit log newest first, a page at a time by keyset (?foer=ID),
// optionally for one subject (?emne=mitid:7) or actor (?aktoer=staff:3).
func (s *Handlers) AuditLogPage(c echo.Context) error {
	f := audit.Filter{Subject: web.Field(c, "emne"), Actor: web.Field(c, "aktoer"), Limit: auditPageSize + 1}
	if web.InputError(c, "emne") != nil || web.InputError(c, "aktoer") != nil {
		return echo.ErrBadRequest // the filters come from links on the page, not from typing
	}
	if v := c.QueryParam("foer"); v != "" {
		before, err := strconv.ParseInt(v, 10, 64)
		if err != nil || before <= 0 {
			return echo.ErrBadRequest
		}
		f.Before = before
	}
	recs, err := s.Audit.List(c.Request().Context(), f)
	if err != nil {
		return err
	}
	v := views.AuditLogView{Subject: f.Subject, Actor: f.Actor}
	if len(recs) > auditPageSize {
		recs = recs[:auditPageSize]
		q := url.Values{"foer": {strconv.FormatInt(recs[len(recs)-1].ID, 10)}}
		if f.Subject != "" {
			q.Set("emne", f.Subject)
		}
		if f.Actor != "" {
			q.Set("aktoer", f.Actor)
		}
		v.OlderHref = "/medarbejder/revision?" + q.Encode()
	}
	if f.Before > 0 {
		v.NewestHref = "/medarbejder/revision"
	}
	for _, r := range recs {
		v.Rows = append(v.Rows, views.AuditRow{ID: r.ID, Time: s.When(r.At), Actor: r.Actor,
			ActionID: r.Action.MsgID(), Subject: r.Subject, Detail: auditDetail(r.Detail)})
	}
	return s.Render(c, http.StatusOK, views.AuditLog(v))
}

// auditDetail shows an entry's detail as "key: value" pairs in a stable order.
func auditDetail(d map[string]any) string {
	keys := make([]string, 0, len(d))
	for k := range d {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+": "+fmt.Sprint(d[k]))
	}
	return strings.Join(parts, ", ")
}
