package desk

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"mitidportal/handlers/web"
	"mitidportal/identity"
	"mitidportal/support"
	"mitidportal/views"
)

// deskEmail is where replies to the case go: its own address, else the citizen's in the
// register; "" when there is none.
func (s *Handlers) deskEmail(c echo.Context, cs support.Case) (string, error) {
	if cs.Email != "" || cs.MitIDID == 0 {
		return cs.Email, nil
	}
	contact, err := s.Identity.Contact(c.Request().Context(), cs.MitIDID)
	if errors.Is(err, identity.ErrNotFound) {
		return "", nil
	}
	return contact.Email, err
}

// Reply sends a reply by e-mail in the case's language, threaded on the newest mail of the
// case, and records it on the timeline in the same transaction.
func (s *Handlers) Reply(c echo.Context) error {
	cs, err := s.deskCaseOf(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	f := web.FormOf(c, "reply_body", "reply_status")
	body := f.Values["reply_body"]
	again := func() error { return s.renderDeskCase(c, web.StatusInvalid, cs, f, "reply", "") }
	status := support.CaseStatus(f.Values["reply_status"])
	fields := map[*support.Error]string{support.ErrStatusInvalid: "reply_status", support.ErrTransition: "reply_status"}
	var to string
	if !f.HasErrors() {
		if to, err = s.deskEmail(c, cs); err != nil {
			return err
		}
		if to == "" {
			f.Errors = append(f.Errors, views.FieldError{Field: "reply_body", MsgID: "desk.err.no_email"})
		}
	}
	if f.HasErrors() {
		// A rule broken here: support checks the rest, so every wrong field shows, and sends nothing.
		if err := web.SupportError(&f, support.CheckReply(body, status), fields, "reply_body"); err != nil {
			return err
		}
		return again()
	}
	// support threads it on the case's newest mail (before any, the receipt: app/'s hook) and
	// puts the mail in the outbox in the transaction of the timeline entry.
	// The status the agent chose ("" keeps it) changes with the reply, in its transaction.
	_, err = s.Cases.ReplyAndSetStatus(ctx, cs.ID, web.StateOf(c).Subject.ID, to, body, status, version(c))
	return s.deskChangedAt(c, cs, f, "reply", fields, "reply_body", "svar", err)
}

// Note adds an internal note.
func (s *Handlers) Note(c echo.Context) error {
	cs, err := s.deskCaseOf(c)
	if err != nil {
		return err
	}
	f := web.FormOf(c, "note_body")
	if f.HasErrors() {
		return s.renderDeskCase(c, web.StatusInvalid, cs, f, "note", "")
	}
	_, err = s.Cases.WriteNote(c.Request().Context(), cs.ID, web.StateOf(c).Subject.ID, f.Values["note_body"], version(c))
	return s.deskChanged(c, cs, f, "note", "note_body", "note", err)
}

// Call logs a call: start and end as clock times today, or a length in minutes ending now.
func (s *Handlers) Call(c echo.Context) error {
	cs, err := s.deskCaseOf(c)
	if err != nil {
		return err
	}
	f := web.FormOf(c, "call_start", "call_end", "call_minutes", "outcome", "call_note")
	start, end, ok := s.callTimes(f.Values)
	if !ok {
		// A length in minutes is read instead of the times, so its error is at it.
		field := "call_start"
		if f.Values["call_minutes"] != "" {
			field = "call_minutes"
		}
		f.Errors = append(f.Errors, views.FieldError{Field: field, MsgID: "desk.err.call_times"})
	}
	if f.Values["outcome"] == "" {
		f.Errors = append(f.Errors, views.FieldError{Field: "outcome", MsgID: support.ErrOutcomeInvalid.MsgID})
	}
	if f.HasErrors() {
		return s.renderDeskCase(c, web.StatusInvalid, cs, f, "call", "")
	}
	_, err = s.Cases.LogCall(c.Request().Context(), support.Call{CaseID: cs.ID, StaffID: web.StateOf(c).Subject.ID,
		Start: start, End: end, Outcome: support.CallOutcome(f.Values["outcome"]), Note: f.Values["call_note"], Version: version(c)})
	fields := map[*support.Error]string{support.ErrOutcomeInvalid: "outcome", support.ErrCallTimes: "call_start"}
	return s.deskChangedAt(c, cs, f, "call", fields, "call_note", "opkald", err)
}

// callTimes reads a call's start and end: "HH:MM" (or "HH.MM") today in the desk's time zone,
// or a length in minutes up to now.
func (s *Handlers) callTimes(v map[string]string) (start, end time.Time, ok bool) {
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
// with the rule broken (a conflict says so at the top; what was typed stays in f). A reply,
// note or call sent again (support.ErrRepeated: a double click, a form sent twice) goes to the
// case as the first sending did, with a notice that it was done once.
func (s *Handlers) deskChanged(c echo.Context, cs support.Case, f views.Form, active, field, notice string, err error) error {
	return s.deskChangedAt(c, cs, f, active, nil, field, notice, err)
}

// deskChangedAt is deskChanged with the rules' fields named (fields; field for the others).
func (s *Handlers) deskChangedAt(c echo.Context, cs support.Case, f views.Form, active string, fields map[*support.Error]string, field, notice string, err error) error {
	switch {
	case err == nil:
		return s.Redirect(c, deskBack(cs, notice))
	case errors.Is(err, support.ErrRepeated):
		return s.Redirect(c, deskBack(cs, notice+deskRepeated))
	}
	status := web.StatusInvalid
	if errors.Is(err, support.ErrConflict) {
		status, field = http.StatusConflict, ""
	}
	if err := web.SupportError(&f, err, fields, field); err != nil {
		return err
	}
	fresh, gerr := s.Cases.Get(c.Request().Context(), cs.ID)
	if gerr != nil {
		return gerr
	}
	return s.renderDeskCase(c, status, fresh, f, active, "")
}

// SetStatus moves the case to another status.
func (s *Handlers) SetStatus(c echo.Context) error {
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

// SetAssignee gives the case to a member of staff (their id), takes it ("me") or lets it go
// ("none"). The assignment is on the timeline, as every change of the case.
func (s *Handlers) SetAssignee(c echo.Context) error {
	cs, err := s.deskCaseOf(c)
	if err != nil {
		return err
	}
	me := web.StateOf(c).Subject.ID
	f := web.FormOf(c, "to")
	var to int64
	switch v := f.Values["to"]; v {
	case "me":
		to = me
	case "none":
	default:
		if to, err = strconv.ParseInt(v, 10, 64); err != nil || to <= 0 {
			err = support.ErrAssigneeInvalid
		}
	}
	if err == nil {
		_, err = s.Cases.Assign(c.Request().Context(), cs.ID, me, to, version(c))
	}
	return s.deskChanged(c, cs, f, "assign", "to", "tildelt", err)
}

// SetProperties changes priority, category, system, e-mail and phone (support checks them as
// it checks a new case).
func (s *Handlers) SetProperties(c echo.Context) error {
	cs, err := s.deskCaseOf(c)
	if err != nil {
		return err
	}
	f := web.FormOf(c, "priority", "category", "system", "email", "phone")
	p := support.Properties{Priority: support.Priority(f.Values["priority"]), Category: support.Category(f.Values["category"]),
		System: support.System(f.Values["system"]), Email: f.Values["email"], Phone: f.Values["phone"]}
	fields := map[*support.Error]string{support.ErrPriorityInvalid: "priority", support.ErrIdentityTheftUrgent: "priority",
		support.ErrCategoryInvalid: "category", support.ErrSystemInvalid: "system", support.ErrEmailInvalid: "email",
		support.ErrContactRequired: "email", support.ErrPhoneInvalid: "phone"}
	if f.HasErrors() {
		// The text broke an input rule: support checks the rest, so every wrong field shows
		// at once, and nothing changes.
		if err := web.SupportError(&f, support.CheckProperties(cs, p), fields, "email"); err != nil {
			return err
		}
		return s.renderDeskCase(c, web.StatusInvalid, cs, f, "properties", "")
	}
	_, err = s.Cases.SetProperties(c.Request().Context(), cs.ID, web.StateOf(c).Subject.ID, p, version(c))
	return s.deskChangedAt(c, cs, f, "properties", fields, "email", "egenskaber", err)
}

// SetTags replaces the tags with the comma-separated list typed.
func (s *Handlers) SetTags(c echo.Context) error {
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
