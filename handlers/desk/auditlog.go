package desk

import (
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/labstack/echo/v4"

	"mitidportal/audit"
	"mitidportal/handlers/web"
	"mitidportal/locales"
	"mitidportal/views"
)

// auditPath is the audit log page.
const auditPath = "/medarbejder/revision"

// auditPageSize is how many entries one page of the audit log shows.
const auditPageSize = 50

// auditTimeFormat shows an entry's time to the second, in the desk's time zone.
const auditTimeFormat = "02.01.2006 15.04.05"

// AuditLogPage lists the audit log newest first, a page at a time by keyset (?foer=ID), with
// filters by actor, action, subject and period. Supervisors, auditors and admins read every
// entry; every other member of staff reads the entries of their own actions only.
func (s *Handlers) AuditLogPage(c echo.Context) error {
	s.staffNav(c)
	st := web.StateOf(c)
	whole := readsWholeAuditLog(web.RolesOf(st.Subject))
	af, f, err := s.auditFilter(c, whole)
	if err != nil {
		return err
	}
	v := views.AuditLogView{Form: f, WholeLog: whole}
	for _, a := range audit.Actions {
		v.Actions = append(v.Actions, views.Option{Value: string(a), LabelID: a.MsgID()})
	}
	if f.HasErrors() {
		return s.Render(c, web.StatusInvalid, views.AuditLog(v))
	}
	ctx := c.Request().Context()
	recs, err := s.Audit.List(ctx, af)
	if err != nil {
		return err
	}
	if len(recs) > auditPageSize {
		recs = recs[:auditPageSize]
		v.OlderHref = auditQuery(f, recs[len(recs)-1].ID)
	}
	if af.Before > 0 {
		v.NewestHref = auditQuery(f, 0)
	}
	refs := make([]string, 0, 2*len(recs))
	for _, r := range recs {
		refs = append(refs, r.Actor, r.Subject)
	}
	names, err := s.Audit.Names(ctx, refs)
	if err != nil {
		return err
	}
	loc := s.Schedule.Location()
	for _, r := range recs {
		row := views.AuditRow{ID: r.ID, Time: r.At.In(loc).Format(auditTimeFormat),
			Actor: actorText(st.Tr, r, names), ActionID: r.Action.MsgID(),
			Subject: subjectText(st.Tr, r.Subject, names), Detail: auditDetail(r.Detail)}
		if whole && strings.HasPrefix(r.Actor, "staff:") {
			row.ActorHref = auditPath + "?" + auditActor + "=" + r.Actor
		}
		if linkable(r.Subject) {
			row.SubjectHref = auditPath + "?" + auditSubject + "=" + r.Subject
		}
		v.Rows = append(v.Rows, row)
	}
	return s.Render(c, http.StatusOK, views.AuditLog(v))
}

// actorText names an entry's actor for people: a member of staff by name and address, the
// portal itself as the system, a citizen by the username of the MitID the entry is about or,
// acting with it (the campaign's organisations), of their own.
func actorText(tr *locales.Translator, r audit.Record, names map[string]audit.Name) string {
	switch r.Actor {
	case audit.ActorSystem:
		return tr.T("deskaudit.actor.system")
	case "citizen":
		if n, ok := names[r.Subject]; ok && strings.HasPrefix(r.Subject, "mitid:") {
			return tr.T("deskaudit.actor.citizen_named", map[string]any{"Username": n.Name})
		}
		return tr.T("deskaudit.actor.citizen")
	case "public":
		return tr.T("deskaudit.actor.public")
	}
	n, ok := names[r.Actor]
	switch {
	case ok && strings.HasPrefix(r.Actor, "mitid:"):
		// A citizen acting with their MitID (an organisation's admin in the campaign).
		return tr.T("deskaudit.actor.citizen_named", map[string]any{"Username": n.Name})
	case ok:
		return tr.T("deskaudit.staff", map[string]any{"Name": n.Name, "Email": n.Email})
	}
	return r.Actor
}

// subjectText names what an entry is about. A person without a MitID is named, never shown by
// CPR number.
func subjectText(tr *locales.Translator, subject string, names map[string]audit.Name) string {
	kind, v, _ := strings.Cut(subject, ":")
	n, known := names[subject]
	switch {
	case subject == "":
		return "–"
	case kind == "staff" && known:
		return tr.T("deskaudit.staff", map[string]any{"Name": n.Name, "Email": n.Email})
	case kind == "mitid" && known:
		return tr.T("deskaudit.about.mitid", map[string]any{"Username": n.Name})
	case kind == "person" && known:
		return tr.T("deskaudit.about.person", map[string]any{"Name": n.Name})
	case kind == "person":
		return tr.T("deskaudit.about.person_unknown")
	case kind == "case":
		return tr.T("deskaudit.about.case", map[string]any{"Ref": v})
	}
	return subject
}

// linkable reports whether a subject may be a filter link: never a person's, whose name in the
// log is their CPR number.
func linkable(subject string) bool {
	kind, _, _ := strings.Cut(subject, ":")
	return kind == "mitid" || kind == "case" || kind == "staff"
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
