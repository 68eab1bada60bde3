package desk

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"mitidportal/audit"
	"mitidportal/fault"
	"mitidportal/handlers/web"
	"mitidportal/identity"
	"mitidportal/support"
	"mitidportal/views"
)

// The agent workspace (issue 4 item 3): the queues with filters and search, a new case from a
// call, and the case page with its forms (case.go, case_actions.go). Agents and supervisors only.

// deskPath is the queues page; a case is deskPath + "/" + its reference code.
const deskPath = "/medarbejder/sager"

// deskPageSize is how many cases a page of a queue shows.
const deskPageSize = 25

// isHTMX reports whether htmx asks for a fragment (and not for a whole page to restore its
// history).
func isHTMX(c echo.Context) bool {
	h := c.Request().Header
	return h.Get("HX-Request") == "true" && h.Get("HX-History-Restore-Request") != "true"
}

// Queues is the queues page: tabs with counts, the filter form and the list, or the hits
// of a search. htmx asks for the list alone. A search that finds citizens by CPR number or
// username is a look-up written to the audit log: a GET writes nothing, so it shows a button
// that repeats the search as a POST (deskPath/soeg) instead of those hits.
func (s *Handlers) Queues(c echo.Context) error {
	ctx := c.Request().Context()
	me := web.StateOf(c).Subject.ID
	s.staffNav(c)
	q := c.QueryParams()
	v := views.DeskQueueView{
		Queue:    q.Get("ko"),
		Status:   q.Get("status"),
		Priority: q.Get("prioritet"),
		System:   q.Get("system"),
		Query:    web.Field(c, "q"),
		Statuses: msgOptions(support.Statuses), Priorities: msgOptions(support.Priorities),
		Systems: msgOptions(support.Systems),
	}
	status := http.StatusOK
	if fe := web.InputError(c, "q"); fe != nil {
		v.ErrorID, v.ErrorField, status = fe.MsgID, "q", http.StatusBadRequest
	}
	f := support.Filter{Me: me, Limit: deskPageSize,
		Status: support.CaseStatus(v.Status), Priority: support.Priority(v.Priority), System: support.System(v.System)}
	queue, err := support.ParseQueue(v.Queue)
	if err != nil {
		v.ErrorID, status, queue = support.ErrQueueInvalid.MsgID, http.StatusBadRequest, ""
		v.Queue = ""
	}
	f.Queue = queue
	// Unknown filter values are dropped rather than refused: the list shows everything.
	if !slices.Contains(support.Statuses, f.Status) {
		f.Status, v.Status = "", ""
	}
	if !slices.Contains(support.Priorities, f.Priority) {
		f.Priority, v.Priority = "", ""
	}
	if !slices.Contains(support.Systems, f.System) {
		f.System, v.System = "", ""
	}
	names, err := s.staffNames(ctx)
	if err != nil {
		return err
	}
	now := s.Now()
	if v.Query != "" && v.ErrorID == "" {
		v.Searched = true
		res, err := s.Cases.Search(ctx, v.Query, deskPageSize)
		se, isRule := fault.Rule(err)
		switch {
		case isRule:
			v.ErrorID, v.ErrorField, status = se.MsgID, "q", http.StatusBadRequest
		case err != nil:
			return err
		}
		if searchIsLookup(res) {
			if c.Request().Method != http.MethodPost {
				v.LookupAction, res.Hits = deskPath+"/soeg", nil
			} else if err := s.auditSearch(ctx, me, res); err != nil {
				return err
			}
		}
		for _, h := range res.Hits {
			row := s.deskRow(h.Case, names, now)
			row.MatchID = h.Match.MsgID()
			v.Rows = append(v.Rows, row)
		}
	} else if v.ErrorID == "" {
		after, err := support.ParseCursor(q.Get("efter"))
		if err != nil {
			v.ErrorID, status = support.ErrCursorInvalid.MsgID, http.StatusBadRequest
		}
		f.After = after
		page, err := s.Cases.List(ctx, f)
		if err != nil {
			return err
		}
		for _, cs := range page.Cases {
			v.Rows = append(v.Rows, s.deskRow(cs, names, now))
		}
		if page.Next != nil {
			next := deskQuery(v)
			next.Set("efter", page.Next.String())
			v.NextHref = deskPath + "?" + next.Encode()
		}
	}
	if v.Bulk, err = s.bulkView(ctx, c.Request().URL.RequestURI(), views.Form{Values: map[string]string{}}); err != nil {
		return err
	}
	c.Response().Header().Add("Vary", "HX-Request")
	if isHTMX(c) {
		return s.Render(c, status, views.DeskList(v))
	}
	counts, err := s.Cases.Counts(ctx, me)
	if err != nil {
		return err
	}
	v.Tabs = append(v.Tabs, views.DeskTab{LabelID: "desk.queue.all", Href: deskPath, Active: v.Queue == "", Total: -1})
	for _, qc := range counts {
		v.Tabs = append(v.Tabs, views.DeskTab{LabelID: qc.Queue.MsgID(), Href: deskPath + "?ko=" + url.QueryEscape(string(qc.Queue)),
			Active: v.Queue == string(qc.Queue), Total: qc.Total, DueSoon: qc.DueSoon, Breached: qc.Breached})
	}
	return s.Render(c, status, views.DeskQueues(v))
}

// deskQuery is the filter of v as URL parameters, for the next page's link.
func deskQuery(v views.DeskQueueView) url.Values {
	q := url.Values{}
	for k, val := range map[string]string{"ko": v.Queue, "status": v.Status, "prioritet": v.Priority, "system": v.System} {
		if val != "" {
			q.Set(k, val)
		}
	}
	return q
}

// searchIsLookup reports whether a search result finds citizens by CPR number or username
// (or is a CPR search that found none), which auditSearch records as look-ups.
func searchIsLookup(res support.SearchResult) bool {
	if res.CPR != "" {
		return true
	}
	for _, h := range res.Hits {
		if (h.Match == support.MatchCPR || h.Match == support.MatchUsername) && h.Case.MitIDID != 0 {
			return true
		}
	}
	return false
}

// auditSearch records a citizen look-up for a search by CPR number or username: one per MitID
// whose cases it found (activity and audit log), and an audit entry without a subject when a
// CPR number found none. The CPR number itself is never written.
func (s *Handlers) auditSearch(ctx context.Context, me int64, res support.SearchResult) error {
	found := map[int64]string{}
	for _, h := range res.Hits {
		if (h.Match == support.MatchCPR || h.Match == support.MatchUsername) && h.Case.MitIDID != 0 {
			found[h.Case.MitIDID] = string(h.Match)
		}
	}
	if res.CPR != "" && len(found) == 0 {
		return s.Audit.AppendNow(ctx, audit.Entry{Actor: audit.Staff(me), Action: audit.ActionCitizenLookup,
			Detail: map[string]any{"via": "cpr", "source": "case search", "found": 0}})
	}
	ids := make([]int64, 0, len(found))
	for id := range found {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		// In the citizen's activity log and the audit log, in one transaction.
		if err := s.Identity.RecordLookup(ctx, id, identity.StaffAct{StaffID: me}, found[id]); err != nil {
			return err
		}
	}
	return nil
}

// staffNames maps staff ids to names, for assignees and the timeline.
func (s *Handlers) staffNames(ctx context.Context) (map[int64]string, error) {
	users, err := s.Staff.List(ctx)
	if err != nil {
		return nil, err
	}
	names := make(map[int64]string, len(users))
	for _, u := range users {
		names[u.ID] = u.Name
	}
	return names, nil
}

// staffName names a member of staff; an id without an account shows as its number.
func staffName(names map[int64]string, id int64) string {
	if n, ok := names[id]; ok {
		return n
	}
	return "#" + strconv.FormatInt(id, 10)
}

// deskRow is one case as the queues list it.
func (s *Handlers) deskRow(cs support.Case, names map[int64]string, now time.Time) views.DeskRow {
	r := views.DeskRow{Ref: cs.Ref, Href: deskPath + "/" + cs.Ref, Subject: cs.Subject,
		SystemID: cs.System.MsgID(), CategoryID: cs.Category.MsgID(), PriorityID: cs.Priority.MsgID(),
		StatusID: cs.Status.MsgID(), Breach: string(cs.Breach(now)), BreachID: cs.Breach(now).MsgID(),
		Pick: bulkPick(cs), Unread: !cs.UnreadSince.IsZero()}
	if cs.AssigneeID != 0 {
		r.Assignee = staffName(names, cs.AssigneeID)
	}
	if !cs.NextDue.IsZero() {
		r.Due = s.When(cs.NextDue)
	}
	return r
}

// NewPage is the form for a case from a call.
func (s *Handlers) NewPage(c echo.Context) error {
	s.staffNav(c)
	return s.renderDeskNew(c, http.StatusOK, views.Form{Values: map[string]string{"lang": "da"}})
}

func (s *Handlers) renderDeskNew(c echo.Context, status int, f views.Form) error {
	return s.Render(c, status, views.DeskNew(views.DeskNewView{Form: f, Systems: msgOptions(support.Systems),
		Categories: msgOptions(support.Categories), Langs: deskLangs}))
}

// deskNewFields says where the rules of a new case show.
var deskNewFields = map[*support.Error]string{
	support.ErrSystemInvalid: "system", support.ErrCategoryInvalid: "category",
	support.ErrSubjectRequired: "subject", support.ErrSubjectTooLong: "subject",
	support.ErrBodyTooLong: "message", support.ErrNameRequired: "name", support.ErrNameTooLong: "name",
	support.ErrContactRequired: "phone", support.ErrPhoneInvalid: "phone", support.ErrEmailInvalid: "email",
	support.ErrLangInvalid: "lang",
}

// NewSubmit opens the case, by phone and assigned to the agent taking the call, and goes
// to it. Identity theft becomes urgent in the domain.
func (s *Handlers) NewSubmit(c echo.Context) error {
	s.staffNav(c)
	f := web.FormOf(c, "system", "category", "subject", "name", "phone", "email", "lang", "message")
	web.Require(&f, f.Values, [2]string{"system", support.ErrSystemInvalid.MsgID},
		[2]string{"category", support.ErrCategoryInvalid.MsgID}, [2]string{"subject", support.ErrSubjectRequired.MsgID})
	if f.HasErrors() {
		return s.renderDeskNew(c, web.StatusInvalid, f)
	}
	me := web.StateOf(c).Subject.ID
	cs, err := s.Cases.Open(c.Request().Context(), support.NewCase{
		Channel: support.ChannelPhone, System: support.System(f.Values["system"]),
		Category: support.Category(f.Values["category"]), Subject: f.Values["subject"],
		Name: f.Values["name"], Phone: f.Values["phone"], Email: f.Values["email"], Lang: f.Values["lang"],
		Message: f.Values["message"], StaffID: me, AssigneeID: me,
	})
	if err != nil {
		if err := web.SupportError(&f, err, deskNewFields, ""); err != nil {
			return err
		}
		return s.renderDeskNew(c, web.StatusInvalid, f)
	}
	return s.Redirect(c, deskPath+"/"+cs.Ref+"?udfoert=oprettet")
}
