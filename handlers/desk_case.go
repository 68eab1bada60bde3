package handlers

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/labstack/echo/v4"

	"mitidportal/db"
	"mitidportal/handlers/web"
	"mitidportal/identity"
	"mitidportal/inbound"
	"mitidportal/mail"
	"mitidportal/support"
	"mitidportal/views"
)

// msgOptions turns a domain's values into select or radio choices labelled by their names.
func msgOptions[T interface {
	~string
	MsgID() string
}](xs []T) []views.Option {
	out := make([]views.Option, 0, len(xs))
	for _, x := range xs {
		out = append(out, views.Option{Value: string(x), LabelID: x.MsgID()})
	}
	return out
}

var deskLangs = []views.Option{{Value: "da", LabelID: "desk.lang.da"}, {Value: "en", LabelID: "desk.lang.en"}}

// langID is the message ID of a case's language.
func langID(lang string) string {
	for _, o := range deskLangs {
		if o.Value == lang {
			return o.LabelID
		}
	}
	return "desk.lang.da"
}

// supportError shows a rule of the support domain at the field fields names for it (def for
// the others, "" for the form as a whole); any other error is returned for the error page.
func supportError(f *views.Form, err error, fields map[*support.Error]string, def string) error {
	var se *support.Error
	if !errors.As(err, &se) {
		return err
	}
	name, ok := fields[se]
	if !ok {
		name = def
	}
	f.Errors = append(f.Errors, views.FieldError{Field: name, MsgID: se.MsgID})
	return nil
}

// deskCaseNotices are the notices a ?udfoert= value on a case page may ask for.
var deskCaseNotices = map[string]string{
	"oprettet": "desk.notice.created", "svar": "desk.notice.replied", "note": "desk.notice.noted",
	"opkald": "desk.notice.call", "status": "desk.notice.status", "tildelt": "desk.notice.assigned",
	"tags": "desk.notice.tags",
}

// deskCaseOf loads the case named in the URL; an unknown code is 404.
func (s *Server) deskCaseOf(c echo.Context) (support.Case, error) {
	cs, err := s.Cases.ByRef(c.Request().Context(), c.Param("ref"))
	if errors.Is(err, support.ErrNotFound) {
		return cs, echo.ErrNotFound
	}
	return cs, err
}

// deskCase is the case page; ?svar=ID fills the reply with a canned reply.
func (s *Server) deskCase(c echo.Context) error {
	cs, err := s.deskCaseOf(c)
	if err != nil {
		return err
	}
	f := views.Form{Values: map[string]string{}}
	return s.renderDeskCase(c, http.StatusOK, cs, f, "", deskCaseNotices[c.QueryParam("udfoert")])
}

// renderDeskCase shows the case with the forms in state f; active names the form posted.
func (s *Server) renderDeskCase(c echo.Context, status int, cs support.Case, f views.Form, active, notice string) error {
	ctx := c.Request().Context()
	s.staffNav(c)
	names, err := s.staffNames(ctx)
	if err != nil {
		return err
	}
	entries, err := s.Cases.Timeline(ctx, cs.ID, true)
	if err != nil {
		return err
	}
	me := web.StateOf(c).Subject.ID
	now := s.Now()
	v := views.DeskCaseView{Ref: cs.Ref, Href: deskPath + "/" + cs.Ref, Subject: cs.Subject, Version: cs.Version,
		Closed: cs.Status == support.StatusClosed, Mine: cs.AssigneeID != 0 && cs.AssigneeID == me,
		Assigned: cs.AssigneeID != 0, NextStatuses: msgOptions(cs.Status.Next()), Outcomes: msgOptions(support.CallOutcomes),
		Form: f, Active: active, NoticeID: notice, Tags: cs.Tags}
	assignee := views.DeskFact{LabelID: "desk.field.assignee", ValueID: "desk.case.unassigned"}
	if cs.AssigneeID != 0 {
		assignee = views.DeskFact{LabelID: "desk.field.assignee", Value: staffName(names, cs.AssigneeID)}
	}
	v.Facts = []views.DeskFact{
		{LabelID: "desk.field.status", ValueID: cs.Status.MsgID()},
		{LabelID: "desk.field.priority", ValueID: cs.Priority.MsgID()},
		{LabelID: "desk.field.system", ValueID: cs.System.MsgID()},
		{LabelID: "desk.field.category", ValueID: cs.Category.MsgID()},
		{LabelID: "desk.field.channel", ValueID: cs.Channel.MsgID()},
		assignee,
		{LabelID: "desk.field.caller_name", Value: cs.Name},
		{LabelID: "desk.field.email", Value: cs.Email},
		{LabelID: "desk.field.phone", Value: cs.Phone},
		{LabelID: "desk.field.lang", ValueID: langID(cs.Lang)},
		{LabelID: "desk.field.created", Value: s.site.When(cs.CreatedAt)},
		{LabelID: "desk.field.tags", Value: strings.Join(cs.Tags, ", ")},
	}
	if cs.MitIDID != 0 {
		// Opening the card is an audited look-up, so the case page offers a button that posts.
		v.MitIDOpen = deskCitizenPath + strconv.FormatInt(cs.MitIDID, 10) + "/aabn?sag=" + url.QueryEscape(cs.Ref)
	}
	for _, d := range []struct {
		id string
		d  support.Deadline
	}{{"desk.case.first_response", cs.FirstResponse}, {"desk.case.resolution", cs.Resolution}} {
		dd := views.DeskDeadline{LabelID: d.id, State: string(d.d.State(now)), StateID: d.d.State(now).MsgID()}
		if !d.d.Due.IsZero() {
			dd.Due = s.site.When(d.d.Due)
		}
		if !d.d.Met.IsZero() {
			dd.Met = s.site.When(d.d.Met)
		}
		v.Deadlines = append(v.Deadlines, dd)
	}
	for _, e := range entries {
		v.Timeline = append(v.Timeline, s.deskEntry(e, names))
	}
	email, err := s.deskEmail(c, cs)
	if err != nil {
		return err
	}
	v.CanEmail = email != ""
	for _, cr := range support.CannedReplies {
		v.Canned = append(v.Canned, views.Option{Value: cr.ID, LabelID: cr.TitleID})
	}
	if cr, ok := support.CannedByID(c.QueryParam("svar")); ok && active == "" {
		v.CannedChosen = cr.ID
		f.Values["reply_body"] = s.Catalog.For(cs.Lang).T(cr.BodyID, support.CannedData(cs, s.Config.SupportPhone))
	}
	if _, ok := f.Values["tags"]; !ok {
		f.Values["tags"] = strings.Join(cs.Tags, ", ")
	}
	return s.site.Render(c, status, views.DeskCase(v))
}

// deskEntry is one timeline entry as the case page shows it.
func (s *Server) deskEntry(e support.Entry, names map[int64]string) views.DeskEntry {
	out := views.DeskEntry{KindID: e.Kind.MsgID(), At: s.site.When(e.At), Internal: !e.Kind.Public(), Body: e.Body}
	if e.StaffID != 0 {
		out.By = staffName(names, e.StaffID)
	}
	fact := func(label, value, valueID string) {
		out.Facts = append(out.Facts, views.DeskFact{LabelID: label, Value: value, ValueID: valueID})
	}
	switch e.Kind {
	case support.EntryStatus:
		fact("desk.case.from", "", support.CaseStatus(e.From).MsgID())
		fact("desk.case.to", "", support.CaseStatus(e.To).MsgID())
	case support.EntryPriority:
		fact("desk.case.from", "", support.Priority(e.From).MsgID())
		fact("desk.case.to", "", support.Priority(e.To).MsgID())
	case support.EntryAssignment:
		from, to := e.Assignees()
		for _, a := range []struct {
			label string
			id    int64
		}{{"desk.case.from", from}, {"desk.case.to", to}} {
			if a.id == 0 {
				fact(a.label, "", "desk.case.unassigned")
			} else {
				fact(a.label, staffName(names, a.id), "")
			}
		}
	case support.EntryCall:
		fact("desk.case.call_start", s.site.When(e.CallStart), "")
		fact("desk.case.call_end", s.site.When(e.CallEnd), "")
		fact("desk.case.duration", strconv.Itoa(int(e.CallDuration().Round(time.Minute).Minutes()))+" min", "")
		fact("desk.case.outcome", "", e.Outcome.MsgID())
	case support.EntryVerification:
		fact("desk.case.method", "", e.Method.MsgID())
		fact("desk.case.result", "", e.Result.MsgID())
	case support.EntryAction:
		fact("desk.case.action", "", e.Action.MsgID())
	case support.EntryTags:
		for _, k := range [][2]string{{"added", "desk.case.tags_added"}, {"removed", "desk.case.tags_removed"}} {
			if xs, ok := e.Detail[k[0]].([]any); ok && len(xs) > 0 {
				var tags []string
				for _, x := range xs {
					if t, ok := x.(string); ok {
						tags = append(tags, t)
					}
				}
				fact(k[1], strings.Join(tags, ", "), "")
			}
		}
	}
	return out
}

// deskEmail is where replies to the case go: its own address, else the citizen's in the
// register; "" when there is none.
func (s *Server) deskEmail(c echo.Context, cs support.Case) (string, error) {
	if cs.Email != "" || cs.MitIDID == 0 {
		return cs.Email, nil
	}
	contact, err := identity.ContactOf(c.Request().Context(), s.Pool, cs.MitIDID)
	if errors.Is(err, identity.ErrNotFound) {
		return "", nil
	}
	return contact.Email, err
}

// deskReply sends a reply by e-mail in the case's language, threaded on the newest mail of the
// case, and records it on the timeline in the same transaction.
func (s *Server) deskReply(c echo.Context) error {
	cs, err := s.deskCaseOf(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	f := web.FormOf(c, "reply_body")
	body := f.Values["reply_body"]
	again := func() error { return s.renderDeskCase(c, web.StatusInvalid, cs, f, "reply", "") }
	web.Require(&f, f.Values, [2]string{"reply_body", support.ErrBodyRequired.MsgID})
	if f.HasErrors() {
		return again()
	}
	to, err := s.deskEmail(c, cs)
	if err != nil {
		return err
	}
	if to == "" {
		f.Errors = append(f.Errors, views.FieldError{Field: "reply_body", MsgID: "desk.err.no_email"})
		return again()
	}
	entries, err := s.Cases.Timeline(ctx, cs.ID, true)
	if err != nil {
		return err
	}
	// Thread on the newest mail of the case; before any, on the receipt of a web case.
	inReplyTo, err := inbound.ReceiptOf(ctx, s.Pool, cs.ID)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.MessageID != "" {
			inReplyTo = e.MessageID
		}
	}
	me := web.StateOf(c).Subject.ID
	tr := s.Catalog.For(cs.Lang)
	err = db.Transact(ctx, s.Pool, func(tx pgx.Tx) error {
		_, msgID, err := s.Outbox.EnqueueThreaded(ctx, tx, mail.Message{To: to, InReplyTo: inReplyTo,
			Subject: tr.T("desk.mail.subject", map[string]any{"Ref": cs.Ref, "Subject": cs.Subject}),
			Text:    body + "\n\n-- \n" + tr.T("desk.mail.footer", map[string]any{"Ref": cs.Ref}),
			Kind:    "case_reply"})
		if err != nil {
			return err
		}
		_, err = s.Cases.AddReplyTx(ctx, tx, support.Reply{CaseID: cs.ID, StaffID: me, Body: body, MessageID: msgID})
		return err
	})
	if err != nil {
		if err := supportError(&f, err, nil, "reply_body"); err != nil {
			return err
		}
		return again()
	}
	return s.site.Redirect(c, deskPath+"/"+cs.Ref+"?udfoert=svar")
}

// deskNote adds an internal note.
func (s *Server) deskNote(c echo.Context) error {
	cs, err := s.deskCaseOf(c)
	if err != nil {
		return err
	}
	f := web.FormOf(c, "note_body")
	if f.HasErrors() {
		return s.renderDeskCase(c, web.StatusInvalid, cs, f, "note", "")
	}
	_, err = s.Cases.AddNote(c.Request().Context(), cs.ID, web.StateOf(c).Subject.ID, f.Values["note_body"])
	if err != nil {
		if err := supportError(&f, err, nil, "note_body"); err != nil {
			return err
		}
		return s.renderDeskCase(c, web.StatusInvalid, cs, f, "note", "")
	}
	return s.site.Redirect(c, deskPath+"/"+cs.Ref+"?udfoert=note")
}

// deskCall logs a call: start and end as clock times today, or a length in minutes ending now.
func (s *Server) deskCall(c echo.Context) error {
	cs, err := s.deskCaseOf(c)
	if err != nil {
		return err
	}
	f := web.FormOf(c, "call_start", "call_end", "call_minutes", "outcome", "call_note")
	start, end, ok := s.callTimes(f.Values)
	if !ok {
		f.Errors = append(f.Errors, views.FieldError{Field: "call_start", MsgID: "desk.err.call_times"})
	}
	if f.Values["outcome"] == "" {
		f.Errors = append(f.Errors, views.FieldError{Field: "outcome", MsgID: support.ErrOutcomeInvalid.MsgID})
	}
	if !f.HasErrors() {
		_, err = s.Cases.LogCall(c.Request().Context(), support.Call{CaseID: cs.ID, StaffID: web.StateOf(c).Subject.ID,
			Start: start, End: end, Outcome: support.CallOutcome(f.Values["outcome"]), Note: f.Values["call_note"]})
		if err == nil {
			return s.site.Redirect(c, deskPath+"/"+cs.Ref+"?udfoert=opkald")
		}
		fields := map[*support.Error]string{support.ErrOutcomeInvalid: "outcome", support.ErrCallTimes: "call_start"}
		if err := supportError(&f, err, fields, "call_note"); err != nil {
			return err
		}
	}
	return s.renderDeskCase(c, web.StatusInvalid, cs, f, "call", "")
}

// callTimes reads a call's start and end: "HH:MM" (or "HH.MM") today in the desk's time zone,
// or a length in minutes up to now.
func (s *Server) callTimes(v map[string]string) (start, end time.Time, ok bool) {
	now := s.Now().In(s.Schedule.Location())
	if m := v["call_minutes"]; m != "" {
		n, err := strconv.Atoi(m)
		if err != nil || n < 0 || n > 12*60 {
			return start, end, false
		}
		return now.Add(-time.Duration(n) * time.Minute), now, true
	}
	clock := func(s string) (time.Time, bool) {
		t, err := time.Parse("15:04", strings.ReplaceAll(s, ".", ":"))
		if err != nil {
			return time.Time{}, false
		}
		return time.Date(now.Year(), now.Month(), now.Day(), t.Hour(), t.Minute(), 0, 0, now.Location()), true
	}
	start, ok1 := clock(v["call_start"])
	end, ok2 := clock(v["call_end"])
	return start, end, ok1 && ok2
}

// version reads the version the form was made on; -1 (always a conflict) when missing.
func version(c echo.Context) int {
	n, err := strconv.Atoi(c.FormValue("version"))
	if err != nil {
		return -1
	}
	return n
}

// deskChanged ends a change of the case: to the case on success, else the case as it now is
// with the rule broken (a conflict says so at the top; what was typed stays in f).
func (s *Server) deskChanged(c echo.Context, cs support.Case, f views.Form, active, field, notice string, err error) error {
	if err == nil {
		return s.site.Redirect(c, deskPath+"/"+cs.Ref+"?udfoert="+notice)
	}
	status := web.StatusInvalid
	if errors.Is(err, support.ErrConflict) {
		status, field = http.StatusConflict, ""
	}
	if err := supportError(&f, err, nil, field); err != nil {
		return err
	}
	fresh, gerr := s.Cases.Get(c.Request().Context(), cs.ID)
	if gerr != nil {
		return gerr
	}
	return s.renderDeskCase(c, status, fresh, f, active, "")
}

// deskStatus moves the case to another status.
func (s *Server) deskStatus(c echo.Context) error {
	cs, err := s.deskCaseOf(c)
	if err != nil {
		return err
	}
	f := web.FormOf(c, "status")
	web.Require(&f, f.Values, [2]string{"status", support.ErrStatusInvalid.MsgID})
	if f.HasErrors() {
		return s.renderDeskCase(c, web.StatusInvalid, cs, f, "status", "")
	}
	_, err = s.Cases.SetStatus(c.Request().Context(), cs.ID, web.StateOf(c).Subject.ID, support.CaseStatus(f.Values["status"]), version(c))
	return s.deskChanged(c, cs, f, "status", "status", "status", err)
}

// deskAssign takes the case ("me") or lets it go ("none").
func (s *Server) deskAssign(c echo.Context) error {
	cs, err := s.deskCaseOf(c)
	if err != nil {
		return err
	}
	me := web.StateOf(c).Subject.ID
	to := int64(0)
	if c.FormValue("to") == "me" {
		to = me
	}
	_, err = s.Cases.Assign(c.Request().Context(), cs.ID, me, to, version(c))
	return s.deskChanged(c, cs, views.Form{Values: map[string]string{}}, "assign", "", "tildelt", err)
}

// deskTags replaces the tags with the comma-separated list typed.
func (s *Server) deskTags(c echo.Context) error {
	cs, err := s.deskCaseOf(c)
	if err != nil {
		return err
	}
	f := web.FormOf(c, "tags")
	if f.HasErrors() {
		return s.renderDeskCase(c, web.StatusInvalid, cs, f, "tags", "")
	}
	_, err = s.Cases.SetTags(c.Request().Context(), cs.ID, web.StateOf(c).Subject.ID, strings.Split(f.Values["tags"], ","), version(c))
	return s.deskChanged(c, cs, f, "tags", "tags", "tags", err)
}
