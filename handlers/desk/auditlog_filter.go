package desk

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"mitidportal/audit"
	"mitidportal/handlers/web"
	"mitidportal/identity"
	"mitidportal/staff"
	"mitidportal/support"
	"mitidportal/views"
)

// The audit log page's query parameters: its filters are a GET form, so a filtered page is a
// link that can be kept and shared.
const (
	auditActor   = "aktoer"   // a member of staff's e-mail address, "system", or "staff:3" from a link
	auditAction  = "handling" // an action (audit.Actions)
	auditSubject = "emne"     // a citizen's username or CPR number, a case's reference, a staff address
	auditFrom    = "fra"      // first day, dd-mm-åååå in the desk's time zone
	auditTo      = "til"      // last day, included
	auditBefore  = "foer"     // keyset: entries older than this id
)

// auditFilterFields are the filters in the order of the form, for the error summary.
var auditFilterFields = []string{auditActor, auditAction, auditSubject, auditFrom, auditTo}

// readsWholeAuditLog reports whether roles may read every entry; every other member of staff
// reads only the entries of their own actions (DESIGN.md §4).
func readsWholeAuditLog(roles []web.Role) bool {
	return slices.ContainsFunc(roles, func(r web.Role) bool { return slices.Contains(web.AuditReaders, r) })
}

// auditFilter reads the page's filters into an audit.Filter and the form's state. An agent's
// filter always has their own actor, whatever the query says: the restriction is part of the
// query, so neither the form nor a crafted URL reaches a colleague's entries. A filter that
// names nobody (an unknown address or username) matches nothing; a value that cannot be a
// filter (a bad date, an unknown action) is a field error.
func (s *Handlers) auditFilter(c echo.Context, wholeLog bool) (audit.Filter, views.Form, error) {
	ctx := c.Request().Context()
	f := views.Form{Values: map[string]string{}}
	for _, name := range auditFilterFields {
		f.Values[name] = web.Field(c, name)
	}
	web.InputErrors(c, &f)
	af := audit.Filter{Limit: auditPageSize + 1}
	if v := c.QueryParam(auditBefore); v != "" {
		before, err := strconv.ParseInt(v, 10, 64)
		if err != nil || before <= 0 {
			return af, f, echo.ErrBadRequest // from the page's own link, never typed
		}
		af.Before = before
	}
	none := false
	if wholeLog {
		var err error
		if none, err = s.auditActorFilter(ctx, &af, &f); err != nil {
			return af, f, err
		}
	} else {
		delete(f.Values, auditActor)
		af.Actor = audit.Staff(web.StateOf(c).Subject.ID)
	}
	if v := f.Values[auditAction]; v != "" && f.ErrorFor(auditAction) == nil {
		if !slices.Contains(audit.Actions, audit.Action(v)) {
			f.Errors = append(f.Errors, views.FieldError{Field: auditAction, MsgID: "deskaudit.err.action"})
		}
		af.Action = audit.Action(v)
	}
	if v := f.Values[auditSubject]; v != "" && f.ErrorFor(auditSubject) == nil {
		subjects, err := s.auditSubjects(ctx, v)
		if err != nil {
			return af, f, err
		}
		af.Subjects = subjects
	}
	s.auditPeriod(&af, &f)
	if none {
		af.Subjects = []string{}
	}
	return af, f, nil
}

// auditActorFilter reads the actor filter of someone who reads the whole log; none is an
// address of nobody, which matches nothing.
func (s *Handlers) auditActorFilter(ctx context.Context, af *audit.Filter, f *views.Form) (none bool, err error) {
	v := f.Values[auditActor]
	if v == "" || f.ErrorFor(auditActor) != nil {
		return false, nil
	}
	switch lower := strings.ToLower(v); {
	case lower == audit.ActorSystem || lower == "systemet":
		af.Actor = audit.ActorSystem
	case strings.HasPrefix(lower, "staff:"):
		id, err := strconv.ParseInt(v[len("staff:"):], 10, 64)
		if err != nil || id <= 0 {
			f.Errors = append(f.Errors, views.FieldError{Field: auditActor, MsgID: "deskaudit.err.actor"})
			return false, nil
		}
		af.Actor = audit.Staff(id)
	case strings.Contains(v, "@"):
		u, err := s.Staff.ByEmail(ctx, v)
		if errors.Is(err, staff.ErrNotFound) {
			return true, nil
		}
		if err != nil {
			return false, err
		}
		af.Actor = audit.Staff(u.ID)
	default:
		f.Errors = append(f.Errors, views.FieldError{Field: auditActor, MsgID: "deskaudit.err.actor"})
	}
	return false, nil
}

// auditSubjects are the subjects a typed subject filter means: a CPR number is the person
// before a MitID and their MitID after; six letters are a case's reference or a username; an
// address with @ a staff account; "mitid:7", "case:ABCDEF" and "staff:3" come from the page's
// own links. An empty result matches nothing. The look-up reads no citizen's data: it only
// turns what was typed into the log's names for it.
func (s *Handlers) auditSubjects(ctx context.Context, v string) ([]string, error) {
	subjects := []string{}
	if kind, rest, ok := strings.Cut(v, ":"); ok {
		switch kind {
		case "mitid", "staff":
			if id, err := strconv.ParseInt(rest, 10, 64); err == nil && id > 0 {
				subjects = append(subjects, kind+":"+strconv.FormatInt(id, 10))
			}
			return subjects, nil
		case "case":
			if ref, ok := support.NormalizeRef(rest); ok {
				subjects = append(subjects, audit.Case(ref))
			}
			return subjects, nil
		}
	}
	if cpr, err := identity.ParseCPR(v); err == nil {
		subjects = append(subjects, "person:"+string(cpr))
		m, err := s.Identity.MitIDByCPR(ctx, cpr)
		if err == nil {
			subjects = append(subjects, audit.MitID(m.ID))
		} else if !errors.Is(err, identity.ErrNotFound) {
			return nil, err
		}
		return subjects, nil
	}
	if strings.Contains(v, "@") {
		u, err := s.Staff.ByEmail(ctx, v)
		if err == nil {
			subjects = append(subjects, audit.Staff(u.ID))
		} else if !errors.Is(err, staff.ErrNotFound) {
			return nil, err
		}
		return subjects, nil
	}
	if ref, ok := support.NormalizeRef(v); ok {
		subjects = append(subjects, audit.Case(ref))
	}
	m, err := s.Identity.MitIDByUsername(ctx, v)
	if err == nil {
		subjects = append(subjects, audit.MitID(m.ID))
	} else if !errors.Is(err, identity.ErrNotFound) {
		return nil, err
	}
	return subjects, nil
}

// auditPeriod reads the dates: whole days in the desk's time zone (Europe/Copenhagen), the
// last one included.
func (s *Handlers) auditPeriod(af *audit.Filter, f *views.Form) {
	loc := s.Schedule.Location()
	for _, d := range []struct {
		name string
		to   *time.Time
	}{{auditFrom, &af.From}, {auditTo, &af.To}} {
		v := f.Values[d.name]
		if v == "" || f.ErrorFor(d.name) != nil {
			continue
		}
		t, err := web.ParseDate(v, loc)
		if err != nil {
			f.Errors = append(f.Errors, views.FieldError{Field: d.name, MsgID: "deskaudit.err.date"})
			continue
		}
		*d.to = t
	}
	if !af.To.IsZero() {
		af.To = af.To.AddDate(0, 0, 1) // the whole last day
	}
	if !af.From.IsZero() && !af.To.IsZero() && !af.From.Before(af.To) {
		f.Errors = append(f.Errors, views.FieldError{Field: auditTo, MsgID: "deskaudit.err.period"})
	}
}

// auditQuery is the query string of the page with the form's filters and before (0: none).
func auditQuery(f views.Form, before int64) string {
	q := url.Values{}
	for _, name := range auditFilterFields {
		if v := f.Values[name]; v != "" {
			q.Set(name, v)
		}
	}
	if before > 0 {
		q.Set(auditBefore, strconv.FormatInt(before, 10))
	}
	if len(q) == 0 {
		return auditPath
	}
	return auditPath + "?" + q.Encode()
}
