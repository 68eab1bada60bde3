package desk

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"mitidportal/handlers/web"
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

// deskCaseNotices are the notices a ?udfoert= value on a case page may ask for.
var deskCaseNotices = map[string]string{
	"oprettet": "desk.notice.created", "svar": "desk.notice.replied", "note": "desk.notice.noted",
	"opkald": "desk.notice.call", "status": "desk.notice.status", "tildelt": "desk.notice.assigned",
	"tags": "desk.notice.tags", "laest": "mailin.desk.marked_read", "egenskaber": "deskcase.notice.properties",
	"borger": "deskfind.notice.linked",
	// What was written once though its form was sent twice.
	"svar-igen": "deskcase.notice.reply_repeated", "note-igen": "deskcase.notice.note_repeated",
	"opkald-igen": "deskcase.notice.call_repeated",
}

// deskRepeated marks the notice of a reply, note or call sent again ("svar-igen"): done once,
// not twice.
const deskRepeated = "-igen"

// deskTabs maps the composer's ?skriv= values to its tabs.
var deskTabs = map[string]string{"svar": "reply", "note": "note", "opkald": "call"}

// deskAnchors is where on the case page a change sends the agent back to (without JavaScript):
// what was written to the timeline, with the composer on the same tab, and a change of the
// case to the actions.
var deskAnchors = map[string]string{"svar": "#desk-timeline", "note": "&skriv=note#desk-timeline",
	"opkald": "&skriv=opkald#desk-timeline"}

// deskBack is the case page after a change done, at the part of the page it changed.
// What was written once though sent twice ("svar-igen") goes where its first sending went.
func deskBack(cs support.Case, done string) string {
	anchor, ok := deskAnchors[strings.TrimSuffix(done, deskRepeated)]
	if !ok {
		anchor = "#desk-actions"
	}
	return deskPath + "/" + cs.Ref + "?udfoert=" + done + anchor
}

// deskCaseOf loads the case named in the URL; an unknown code is 404.
func (s *Handlers) deskCaseOf(c echo.Context) (support.Case, error) {
	cs, err := s.Cases.ByRef(c.Request().Context(), c.Param("ref"))
	if errors.Is(err, support.ErrNotFound) {
		return cs, echo.ErrNotFound
	}
	return cs, err
}

// CasePage is the case page; ?svar=ID fills the reply with a canned reply (canned.go).
func (s *Handlers) CasePage(c echo.Context) error {
	cs, err := s.deskCaseOf(c)
	if err != nil {
		return err
	}
	f := views.Form{Values: map[string]string{}}
	return s.renderDeskCase(c, http.StatusOK, cs, f, "", deskCaseNotices[c.QueryParam("udfoert")])
}

// renderDeskCase shows the case with the forms in state f; active names the form posted.
func (s *Handlers) renderDeskCase(c echo.Context, status int, cs support.Case, f views.Form, active, notice string) error {
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
	staff, err := s.Cases.Assignables(ctx)
	if err != nil {
		return err
	}
	me := web.StateOf(c).Subject.ID
	now := s.Now()
	v := views.DeskCaseView{Ref: cs.Ref, Href: deskPath + "/" + cs.Ref, Subject: cs.Subject, Version: cs.Version,
		Closed: cs.Status == support.StatusClosed, Mine: cs.AssigneeID != 0 && cs.AssigneeID == me,
		Assigned: cs.AssigneeID != 0, NextStatuses: msgOptions(cs.Status.Next()), Outcomes: msgOptions(support.CallOutcomes),
		Form: f, Active: active, NoticeID: notice, Tags: cs.Tags,
		Priorities: msgOptions(support.Priorities), Categories: msgOptions(support.Categories), Systems: msgOptions(support.Systems)}
	v.Citizen = deskCaseCitizen(cs, f, active)
	for _, a := range staff {
		v.Assignees = append(v.Assignees, views.DeskAssignee{ID: strconv.FormatInt(a.ID, 10), Name: a.Name, Open: a.Open})
	}
	if v.NextHref, err = s.nextCase(c, cs); err != nil {
		return err
	}
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
		{LabelID: "desk.field.created", Value: s.When(cs.CreatedAt)},
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
			dd.Due = s.When(d.d.Due)
		}
		if !d.d.Met.IsZero() {
			dd.Met = s.When(d.d.Met)
		}
		v.Deadlines = append(v.Deadlines, dd)
	}
	// Newest first: the agent looks for what happened last, right under the composer.
	for i := len(entries) - 1; i >= 0; i-- {
		v.Timeline = append(v.Timeline, s.deskEntry(entries[i], names))
	}
	if err := s.attachTimeline(c, cs, entries, v.Timeline); err != nil {
		return err
	}
	if !cs.UnreadSince.IsZero() {
		v.UnreadSince = s.When(cs.UnreadSince)
	}
	email, err := s.deskEmail(c, cs)
	if err != nil {
		return err
	}
	v.CanEmail = email != ""
	v.ReplyStatuses = replyStatuses(cs.Status)
	v.Tab = deskTab(v, active, c.QueryParam("skriv"))
	keep := map[string]string{"to": "none", "reply_status": defaultReplyStatus(cs.Status),
		"priority": string(cs.Priority), "category": string(cs.Category), "system": string(cs.System),
		"email": cs.Email, "phone": cs.Phone}
	if cs.AssigneeID != 0 {
		keep["to"] = strconv.FormatInt(cs.AssigneeID, 10)
	}
	for k, val := range keep {
		if _, ok := f.Values[k]; !ok || active != formOf[k] {
			f.Values[k] = val
		}
	}
	v.Form = f
	canned, chosen, body, err := s.cannedPicker(c, cs)
	if err != nil {
		return err
	}
	v.Canned = canned
	if chosen != "" && active == "" {
		v.CannedChosen = chosen
		f.Values["reply_body"] = body
	}
	if _, ok := f.Values["tags"]; !ok || active != "tags" {
		f.Values["tags"] = strings.Join(cs.Tags, ", ")
	}
	if err := s.mergePanel(c, cs, entries, &v); err != nil {
		return err
	}
	return s.Render(c, status, views.DeskCase(v))
}

// formOf names the form each prefilled field belongs to: a field keeps what was typed only
// when its own form was posted, and shows the case as it now is otherwise.
var formOf = map[string]string{"to": "assign", "reply_status": "reply", "priority": "properties",
	"category": "properties", "system": "properties", "email": "properties", "phone": "properties"}

// deskTab is the composer's tab: the form posted, else the one asked for (?skriv=), else the
// reply when one can be sent, else the note.
func deskTab(v views.DeskCaseView, active, asked string) string {
	switch {
	case active == "reply" || active == "note" || active == "call":
		return active
	case v.Closed:
		return "note"
	case deskTabs[asked] != "" && (deskTabs[asked] != "reply" || v.CanEmail):
		return deskTabs[asked]
	case v.CanEmail:
		return "reply"
	}
	return "note"
}

// replyStatuses are the choices of the reply's status select: leave the status as it is, or
// one of the moves the case may make.
func replyStatuses(st support.CaseStatus) []views.Option {
	return append([]views.Option{{Value: "", LabelID: "deskcase.keep_status"}}, msgOptions(st.Next())...)
}

// defaultReplyStatus is what a reply sets the status to unless the agent chooses otherwise:
// waiting for the citizen, where the case may go there.
func defaultReplyStatus(st support.CaseStatus) string {
	if st.CanMoveTo(support.StatusWaiting) {
		return string(support.StatusWaiting)
	}
	return ""
}

// nextCase is the case after cs in the agent's own queue (the one with the earliest deadline
// when cs is not in it), else the first unassigned case; "" when there is none.
func (s *Handlers) nextCase(c echo.Context, cs support.Case) (string, error) {
	ctx := c.Request().Context()
	me := web.StateOf(c).Subject.ID
	after := &support.Cursor{Due: cs.NextDue, ID: cs.ID}
	for _, f := range []support.Filter{
		{Queue: support.QueueMine, Me: me, After: after, Limit: 1},
		{Queue: support.QueueMine, Me: me, Limit: 2},
		{Queue: support.QueueUnassigned, Limit: 2},
	} {
		p, err := s.Cases.List(ctx, f)
		if err != nil {
			return "", err
		}
		for _, n := range p.Cases {
			if n.ID != cs.ID {
				return deskPath + "/" + n.Ref, nil
			}
		}
	}
	return "", nil
}

// deskEntry is one timeline entry as the case page shows it.
func (s *Handlers) deskEntry(e support.Entry, names map[int64]string) views.DeskEntry {
	out := views.DeskEntry{KindID: e.Kind.MsgID(), At: s.When(e.At), Internal: !e.Kind.Public(), Body: e.Body}
	if e.StaffID != 0 {
		out.By = staffName(names, e.StaffID)
	}
	fact := func(label, value, valueID string) {
		out.Facts = append(out.Facts, views.DeskFact{LabelID: label, Value: value, ValueID: valueID})
	}
	switch e.Kind {
	case support.EntryMessage:
		if e.StaffID != 0 {
			// Typed in by the agent who opened the case from a call: their summary of the call,
			// not the citizen's words.
			out.KindID = "deskcase.entry.agent_summary"
		}
	case support.EntryProperty:
		field, _ := e.Detail["field"].(string)
		fact("deskcase.property", "", "desk.field."+field)
		for _, v := range [][2]string{{"desk.case.from", e.From}, {"desk.case.to", e.To}} {
			switch field {
			case "category":
				fact(v[0], "", support.Category(v[1]).MsgID())
			case "system":
				fact(v[0], "", support.System(v[1]).MsgID())
			default:
				fact(v[0], v[1], "")
			}
		}
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
		fact("desk.case.call_start", s.When(e.CallStart), "")
		fact("desk.case.call_end", s.When(e.CallEnd), "")
		out.Facts = append(out.Facts, views.DeskFact{LabelID: "desk.case.duration", ValueID: "desk.case.minutes",
			ValueData: map[string]any{"N": int(e.CallDuration().Round(time.Minute).Minutes())}})
		fact("desk.case.outcome", "", e.Outcome.MsgID())
	case support.EntryVerification:
		fact("desk.case.method", "", e.Method.MsgID())
		fact("desk.case.result", "", e.Result.MsgID())
	case support.EntryAction:
		fact("desk.case.action", "", e.Action.MsgID())
		if p, ok := e.Detail["purpose"].(string); ok && p != "" {
			// What an activation code sent by letter is for: recovery, or lifting a block.
			fact("borgerservice.desk.case_purpose", "", "borgerservice.purpose."+p)
		}
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
