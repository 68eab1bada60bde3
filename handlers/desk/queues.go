package desk

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

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
// of a search (find.go): the citizens it names, then the cases; an exact reference code goes
// straight to its case. htmx asks for the list alone. Listing a citizen is a look-up written to
// their activity log and the audit log: the search box posts (deskPath/soeg), and a GET of a
// search that would list citizens shows a button that repeats it as a POST instead of them.
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
		v.ErrorID, v.ErrorField, status = fe.MsgID, "q", web.StatusInvalid
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
		// Only a POST may record the look-ups that listing citizens is (a GET writes nothing).
		var by int64
		if c.Request().Method == http.MethodPost {
			by = me
		}
		res, err := s.Cases.Find(ctx, v.Query, by, deskPageSize)
		se, isRule := fault.Rule(err)
		switch {
		case isRule:
			v.ErrorID, v.ErrorField, status = se.MsgID, "q", web.StatusInvalid
		case err != nil:
			return err
		case res.Ref != "":
			return s.deskGo(c, deskPath+"/"+res.Ref)
		}
		if res.Lookup && by == 0 {
			v.LookupAction = deskPath + "/soeg"
		}
		v.Citizens = deskCitizenHits(res.Citizens)
		for _, h := range res.Hits {
			row := s.deskRow(h.Case, names, now)
			row.MatchID = h.Match.MsgID()
			row.Snippet = deskSnippet(h.Snippet)
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
	if isHTMX(c) && v.ErrorField == "q" {
		return s.Render(c, status, views.DeskListRefused(v))
	}
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

// NewPage is the form for a case from a call. From a citizen card (?borger=ID) the citizen
// field holds that MitID's username, when this member of staff has the card open (a recorded
// look-up): a GET shows nothing that was not looked up.
func (s *Handlers) NewPage(c echo.Context) error {
	s.staffNav(c)
	f := views.Form{Values: map[string]string{"lang": "da"}}
	if id, err := strconv.ParseInt(c.QueryParam("borger"), 10, 64); err == nil {
		ctx := c.Request().Context()
		m, err := s.Identity.MitID(ctx, id)
		if err == nil {
			opened, err := s.deskOpened(ctx, deskTarget{m: m, me: web.StateOf(c).Subject.ID})
			if err != nil {
				return err
			}
			if opened {
				f.Values["citizen"] = m.Username
			}
		} else if !errors.Is(err, identity.ErrNotFound) {
			return err
		}
	}
	return s.renderDeskNew(c, http.StatusOK, f)
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
	support.ErrLangInvalid: "lang", support.ErrCitizenNotFound: "citizen",
}

// NewSubmit opens the case, by phone and assigned to the agent taking the call, and goes
// to it. Identity theft becomes urgent in the domain. With a CPR number or username in
// "citizen" the case is linked to that citizen's MitID, and the look-up is recorded with it.
func (s *Handlers) NewSubmit(c echo.Context) error {
	s.staffNav(c)
	f := web.FormOf(c, "system", "category", "subject", "citizen", "name", "phone", "email", "lang", "message")
	me := web.StateOf(c).Subject.ID
	n := support.NewCase{
		Channel: support.ChannelPhone, System: support.System(f.Values["system"]),
		Category: support.Category(f.Values["category"]), Subject: f.Values["subject"],
		Name: f.Values["name"], Phone: f.Values["phone"], Email: f.Values["email"], Lang: f.Values["lang"],
		Message: f.Values["message"], StaffID: me, AssigneeID: me,
	}
	ctx := c.Request().Context()
	who := strings.TrimSpace(f.Values["citizen"])
	var cs support.Case
	var err error
	switch {
	case f.HasErrors():
		// The text broke an input rule: support checks the rest (and looks the citizen up), so
		// every wrong field shows at once, and opens nothing.
		err = s.Cases.CheckNew(ctx, n, who)
	case who != "":
		cs, err = s.Cases.OpenLinked(ctx, n, who)
	default:
		cs, err = s.Cases.Open(ctx, n)
	}
	if err != nil || f.HasErrors() {
		if err := web.SupportError(&f, err, deskNewFields, ""); err != nil {
			return err
		}
		return s.renderDeskNew(c, web.StatusInvalid, f)
	}
	return s.Redirect(c, deskPath+"/"+cs.Ref+"?udfoert=oprettet")
}
