package campaigns

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"mitidportal/campaign/forum"
	"mitidportal/handlers/web"
	"mitidportal/session"
	"mitidportal/views"
)

// The stakeholder forum's pages for its members: the landing page, meetings with sign-up and
// files, the plan by month and input questions (forum_*.go). The routes admit citizens and
// editors; who is a forum member is read from the database on every request (forum.ViewerOf).

// forumViewer is who asks, as the forum sees them.
func (h *Handlers) forumViewer(c echo.Context) (forum.Viewer, error) {
	sub := web.StateOf(c).Subject
	var mitid int64
	if sub.Kind == session.KindCitizen {
		mitid = sub.ID
	}
	editor := sub.Kind == session.KindStaff && slices.Contains(web.RolesOf(sub), web.CampaignEditor)
	return h.Forum.ViewerOf(c.Request().Context(), mitid, editor)
}

// errNotForum tells a forum route that the 403 page has been written.
var errNotForum = echo.NewHTTPError(http.StatusForbidden)

// forumGate returns the viewer if they may see the forum; a citizen who is not a member of a
// forum organisation gets the page that says who may and where to go, as 403.
func (h *Handlers) forumGate(c echo.Context) (forum.Viewer, error) {
	v, err := h.forumViewer(c)
	if err != nil {
		return v, err
	}
	if !v.Allowed() {
		if err := h.Render(c, http.StatusForbidden, views.ForumForbidden()); err != nil {
			return v, err
		}
		return v, errNotForum
	}
	return v, nil
}

// gateDone turns the gate's "page written" into a finished request.
func gateDone(err error) error {
	if err == errNotForum {
		return nil
	}
	return err
}

// forumID reads a positive id from the path; anything else is not found.
func forumID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, echo.ErrNotFound
	}
	return id, nil
}

// dayTime shows a time the Danish way in Copenhagen: dd-mm-åååå tt:mm.
func (h *Handlers) dayTime(t time.Time) string {
	return t.In(h.Schedule.Location()).Format("02-01-2006 15:04")
}

// meetingWhen is a meeting's day with its start and end.
func (h *Handlers) meetingWhen(m forum.Meeting) string {
	loc := h.Schedule.Location()
	return m.Starts.In(loc).Format("02-01-2006 15:04") + "–" + m.Ends.In(loc).Format("15:04")
}

func meetingHref(id int64) string  { return "/forum/moeder/" + strconv.FormatInt(id, 10) }
func questionHref(id int64) string { return "/forum/spoergsmaal/" + strconv.FormatInt(id, 10) }

// ForumHome is the forum's landing page: the next meetings, the open input questions, the
// plan and the feedback rounds.
func (h *Handlers) ForumHome(c echo.Context) error {
	v, err := h.forumGate(c)
	if err != nil {
		return gateDone(err)
	}
	ctx := c.Request().Context()
	meetings, err := h.Forum.Meetings(ctx, v, true)
	if err != nil {
		return err
	}
	questions, err := h.Forum.Questions(ctx, v, true)
	if err != nil {
		return err
	}
	l := lang(c)
	hv := views.ForumHomeView{PlanHref: "/forum/plan", Editor: v.Editor}
	for _, o := range v.Orgs {
		hv.Orgs = append(hv.Orgs, o.Name)
	}
	for _, m := range meetings {
		hv.Meetings = append(hv.Meetings, h.meetingRow(m, l))
	}
	for _, q := range questions {
		hv.Questions = append(hv.Questions, h.questionRow(q, l))
	}
	if h.Rounds != nil {
		// The open feedback rounds (rounds_forum.go), in the section the page keeps for them.
		cards, err := h.RoundCards(c)
		if err != nil {
			return err
		}
		hv.Feedback = views.RoundsList(cards)
	}
	return h.Render(c, http.StatusOK, views.ForumHome(hv))
}

func (h *Handlers) meetingRow(m forum.Meeting, l string) views.ForumMeetingRow {
	return views.ForumMeetingRow{Href: meetingHref(m.ID), Title: m.Title(l), When: h.meetingWhen(m),
		Place: m.Place, Online: m.VideoURL != "", StatusID: m.Status.MsgID(), AudienceID: m.Audience.MsgID()}
}

func (h *Handlers) questionRow(q forum.Question, l string) views.ForumQuestionRow {
	r := views.ForumQuestionRow{Href: questionHref(q.ID), Text: q.Text(l), Open: q.Takes(h.Now())}
	if q.Deadline != nil {
		r.Deadline = h.dayTime(*q.Deadline)
	}
	return r
}

// ForumPlan is the plan by month for a half-year (?halvaar=2027-1 is January to June 2027,
// 2027-2 July to December; the current one without it): a table with the months as columns,
// and the same as a list for small screens. Navigation is by links, without JavaScript.
func (h *Handlers) ForumPlan(c echo.Context) error {
	v, err := h.forumGate(c)
	if err != nil {
		return gateDone(err)
	}
	first, ok := halfYear(web.Field(c, "halvaar"), h.Now().In(h.Schedule.Location()))
	if !ok {
		return echo.NewHTTPError(http.StatusBadRequest, "halvaar is year-1 or year-2")
	}
	p, err := h.Forum.Plan(c.Request().Context(), v, first, 6, h.Schedule.Location())
	if err != nil {
		return err
	}
	l := lang(c)
	tr := web.StateOf(c).Tr
	pv := views.ForumPlanView{Period: tr.T("forum.plan.period", map[string]any{
		"From": monthName(tr.T, p.Months[0]), "To": monthName(tr.T, p.Months[5])}),
		PrevHref: planHref(first.AddDate(0, -6, 0)), NextHref: planHref(first.AddDate(0, 6, 0))}
	for _, m := range p.Months {
		pv.Months = append(pv.Months, monthName(tr.T, m))
	}
	for _, r := range p.Rows {
		row := views.ForumPlanRow{Title: forum.Lang(l, r.TitleDA, r.TitleEN), Marks: r.Marks}
		if r.MeetingID != 0 {
			row.Href = meetingHref(r.MeetingID)
		}
		for i, on := range r.Marks {
			if on {
				row.MonthsOn = append(row.MonthsOn, pv.Months[i])
			}
		}
		pv.Rows = append(pv.Rows, row)
	}
	return h.Render(c, http.StatusOK, views.ForumPlan(pv))
}

// halfYear reads "2027-1" or "2027-2" as the first month of that half-year; "" is the one of now.
func halfYear(s string, now time.Time) (time.Time, bool) {
	if s == "" {
		m := time.January
		if now.Month() > time.June {
			m = time.July
		}
		return time.Date(now.Year(), m, 1, 0, 0, 0, 0, time.UTC), true
	}
	if len(s) != 6 || s[4] != '-' || (s[5] != '1' && s[5] != '2') {
		return time.Time{}, false
	}
	y, err := strconv.Atoi(s[:4])
	if err != nil || y < planFirstYear || y > planLastYear {
		return time.Time{}, false
	}
	m := time.January
	if s[5] == '2' {
		m = time.July
	}
	return time.Date(y, m, 1, 0, 0, 0, 0, time.UTC), true
}

// The years the plan can show.
const planFirstYear, planLastYear = 2000, 2100

// planHref links to the plan's half-year that starts at t; "" outside the years it shows.
func planHref(t time.Time) string {
	if t.Year() < planFirstYear || t.Year() > planLastYear {
		return ""
	}
	return "/forum/plan?halvaar=" + halfParam(t)
}

func halfParam(t time.Time) string {
	if t.Month() > time.June {
		return strconv.Itoa(t.Year()) + "-2"
	}
	return strconv.Itoa(t.Year()) + "-1"
}

// monthName is "jan. 2027" in the page's language.
func monthName(t func(string, ...map[string]any) string, m time.Time) string {
	return t("forum.month."+strconv.Itoa(int(m.Month()))) + " " + strconv.Itoa(m.Year())
}
