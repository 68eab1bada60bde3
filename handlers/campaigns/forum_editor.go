package campaigns

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"mitidportal/campaign/forum"
	"mitidportal/fault"
	"mitidportal/handlers/web"
	"mitidportal/views"
)

// The editors' forum pages (/redaktion/forum...): meetings, the plan's activities and input
// questions. Every change goes through package campaign/forum, which audits it in its
// transaction.

const forumEditorPath = "/redaktion/forum"

// forumEditorViewer is how the forum sees an editor.
var forumEditorViewer = forum.Viewer{Editor: true}

// meetingFields, forumActivityFields and questionFields are the editors' forms' fields, in order.
var (
	meetingFields = []string{"meeting_title_da", "meeting_title_en", "meeting_audience", "meeting_date", "start_time",
		"end_time", "place", "video_url", "agenda_da", "agenda_en", "capacity", "deadline_date", "deadline_time"}
	forumActivityFields = []string{"activity_title_da", "activity_title_en", "first_month", "last_month"}
	questionFields      = []string{"question_da", "question_en", "question_deadline"}
)

// forumRules map the forum's rules to the editors' fields.
var forumRules = map[*fault.Error]string{
	forum.ErrTitleRequired: "meeting_title_da", forum.ErrTooLong: "meeting_title_da",
	forum.ErrAudienceInvalid: "meeting_audience", forum.ErrTimesInvalid: "end_time",
	forum.ErrPlaceRequired: "place", forum.ErrLinkInvalid: "video_url", forum.ErrCapacityInvalid: "capacity",
	forum.ErrDeadlineInvalid: "deadline_date",
	// Editing a meeting: the seats taken, and what belongs to the whole form.
	forum.ErrCapacityBelowSeats: "capacity", forum.ErrMeetingClosed: "", forum.ErrMeetingChanged: "",
}

// forumRender shows an editor's forum page with the staff menu.
func (h *Handlers) forumRender(c echo.Context, status int, comp templ.Component) error {
	st := web.StateOf(c)
	st.Page.Nav = []views.NavItem{{Label: st.Tr.T("staffweb.nav.home"), Href: "/medarbejder"},
		{Label: st.Tr.T("campaigneditor.packs.heading"), Href: editorPath},
		{Label: st.Tr.T("forum.editor.heading"), Href: forumEditorPath, Active: true}}
	return h.Render(c, status, comp)
}

var forumEditorNotices = map[string]string{
	"moede": "forum.notice.meeting_created", "aktivitet": "forum.notice.activity_created",
	"slettet": "forum.notice.activity_deleted", "spoergsmaal": "forum.notice.question_created",
	"status": "forum.notice.status", "fil": "forum.notice.file_added", "rettet": "forum.notice.meeting_changed",
}

// ForumEditor is the editors' forum page: meetings, the plan's activities and the questions,
// each with the form that adds one.
func (h *Handlers) ForumEditor(c echo.Context) error {
	return h.renderForumEditor(c, http.StatusOK, views.ForumEditorForms{}, forumEditorNotices[c.QueryParam("udfoert")])
}

func (h *Handlers) renderForumEditor(c echo.Context, status int, forms views.ForumEditorForms, notice string) error {
	ctx := c.Request().Context()
	v := forumEditorViewer
	meetings, err := h.Forum.Meetings(ctx, v, false)
	if err != nil {
		return err
	}
	acts, err := h.Forum.Activities(ctx, v, time.Time{}, time.Time{})
	if err != nil {
		return err
	}
	questions, err := h.Forum.Questions(ctx, v, false)
	if err != nil {
		return err
	}
	l := lang(c)
	tr := web.StateOf(c).Tr
	if forms.Meeting.Values == nil {
		forms.Meeting.Values = map[string]string{"capacity": "40", "start_time": "10:00", "end_time": "12:00",
			"deadline_time": "12:00"}
	}
	ev := views.ForumEditorView{Forms: forms, NoticeID: notice}
	for _, a := range forum.Audiences {
		ev.Audiences = append(ev.Audiences, views.Option{Value: string(a), LabelID: a.MsgID()})
	}
	for _, m := range meetings {
		r := h.meetingRow(m, l)
		r.Href = forumEditorPath + "/moeder/" + strconv.FormatInt(m.ID, 10)
		ev.Meetings = append(ev.Meetings, views.ForumEditorMeetingRow{Row: r, Taken: m.SignedUp, Capacity: m.Capacity})
	}
	for _, a := range acts {
		ev.Activities = append(ev.Activities, views.ForumActivityRow{Title: a.Title(l),
			Period:     monthName(tr.T, a.FirstMonth) + " – " + monthName(tr.T, a.LastMonth),
			DeleteHref: forumEditorPath + "/aktiviteter/" + strconv.FormatInt(a.ID, 10) + "/slet"})
	}
	for _, q := range questions {
		r := h.questionRow(q, l)
		r.Href = forumEditorPath + "/spoergsmaal/" + strconv.FormatInt(q.ID, 10)
		ev.Questions = append(ev.Questions, r)
	}
	return h.forumRender(c, status, views.ForumEditor(ev))
}

// ForumCreateMeeting creates a planned meeting from the form.
func (h *Handlers) ForumCreateMeeting(c echo.Context) error {
	f, n, err := h.readMeeting(c)
	if err != nil {
		return err
	}
	if !f.HasErrors() {
		m, err := h.Forum.CreateMeeting(c.Request().Context(), staffID(c), n)
		if err == nil {
			return h.Redirect(c, editorMeetingHref(m.ID)+"?udfoert=moede")
		}
		if err := fieldError(&f, err, forumRules, "meeting_title_da"); err != nil {
			return err
		}
	}
	return h.renderForumEditor(c, web.StatusInvalid, views.ForumEditorForms{Meeting: f}, "")
}

// readMeeting reads the meeting form, for creating a meeting and for editing one: a day, start
// and end times and the sign-up deadline typed the Danish way in Copenhagen time. f holds the
// typed values (also of the more fields named) and every rule they break, each at its field;
// the error is only a failure to map them.
func (h *Handlers) readMeeting(c echo.Context, more ...string) (views.Form, forum.NewMeeting, error) {
	f := web.FormOf(c, append(slices.Clone(meetingFields), more...)...)
	loc := h.Schedule.Location()
	n := forum.NewMeeting{TitleDA: f.Values["meeting_title_da"], TitleEN: f.Values["meeting_title_en"],
		Audience: forum.Audience(f.Values["meeting_audience"]), Place: f.Values["place"],
		VideoURL: f.Values["video_url"], AgendaDA: f.Values["agenda_da"], AgendaEN: f.Values["agenda_en"]}
	web.Require(&f, f.Values, [2]string{"meeting_title_da", forum.ErrTitleRequired.MsgID},
		[2]string{"meeting_title_en", forum.ErrTitleRequired.MsgID})
	day, err := web.ParseDate(f.Values["meeting_date"], loc)
	if err != nil {
		addError(&f, "meeting_date", "campaigneditor.err.date_invalid")
	}
	sh, sm, ok1 := web.ParseClock(f.Values["start_time"])
	if !ok1 {
		addError(&f, "start_time", "campaigneditor.err.time_invalid")
	}
	eh, em, ok2 := web.ParseClock(f.Values["end_time"])
	if !ok2 {
		addError(&f, "end_time", "campaigneditor.err.time_invalid")
	}
	timesRead := err == nil && ok1 && ok2
	if timesRead {
		n.Starts = time.Date(day.Year(), day.Month(), day.Day(), sh, sm, 0, 0, loc)
		n.Ends = time.Date(day.Year(), day.Month(), day.Day(), eh, em, 0, 0, loc)
	}
	dl, err := web.ParseDate(f.Values["deadline_date"], loc)
	if err != nil {
		addError(&f, "deadline_date", "campaigneditor.err.date_invalid")
	}
	dh, dm, ok := web.ParseClock(f.Values["deadline_time"])
	if !ok {
		addError(&f, "deadline_time", "campaigneditor.err.time_invalid")
	}
	deadlineRead := err == nil && ok
	if deadlineRead {
		n.SignupDeadline = time.Date(dl.Year(), dl.Month(), dl.Day(), dh, dm, 0, 0, loc)
	}
	if n.Capacity, err = strconv.Atoi(strings.TrimSpace(f.Values["capacity"])); err != nil {
		addError(&f, "capacity", forum.ErrCapacityInvalid.MsgID)
	}
	// Every rule of the forum, but those about what could not be read or is said at its own
	// field already (the titles' rule names one field for both).
	rules := n.Check()
	if f.ErrorFor("meeting_title_da") != nil || f.ErrorFor("meeting_title_en") != nil {
		rules = fault.Without(rules, forum.ErrTitleRequired)
	}
	if !timesRead {
		rules = fault.Without(rules, forum.ErrTimesInvalid, forum.ErrDeadlineInvalid)
	} else if !deadlineRead {
		rules = fault.Without(rules, forum.ErrDeadlineInvalid)
	}
	return f, n, fieldError(&f, rules, forumRules, "meeting_title_da")
}

// ForumCreateActivity adds a line to the plan, from one month to another (mm-åååå).
func (h *Handlers) ForumCreateActivity(c echo.Context) error {
	f := web.FormOf(c, forumActivityFields...)
	web.Require(&f, f.Values, [2]string{"activity_title_da", forum.ErrTitleRequired.MsgID},
		[2]string{"activity_title_en", forum.ErrTitleRequired.MsgID})
	first, ok := parseMonth(f.Values["first_month"])
	if !ok {
		addError(&f, "first_month", forum.ErrMonthsInvalid.MsgID)
	}
	last, ok := parseMonth(f.Values["last_month"])
	if !ok || last.Before(first) {
		addError(&f, "last_month", forum.ErrMonthsInvalid.MsgID)
	}
	if !f.HasErrors() {
		_, err := h.Forum.CreateActivity(c.Request().Context(), staffID(c), forum.Activity{
			TitleDA: f.Values["activity_title_da"], TitleEN: f.Values["activity_title_en"], FirstMonth: first, LastMonth: last})
		if err == nil {
			return h.Redirect(c, forumEditorPath+"?udfoert=aktivitet#aktiviteter")
		}
		if err := fieldError(&f, err, map[*fault.Error]string{forum.ErrMonthsInvalid: "first_month"}, "activity_title_da"); err != nil {
			return err
		}
	}
	return h.renderForumEditor(c, web.StatusInvalid, views.ForumEditorForms{Activity: f}, "")
}

// parseMonth reads mm-åååå (also with a dot or slash) as the first of that month.
func parseMonth(s string) (time.Time, bool) {
	s = strings.NewReplacer(".", "-", "/", "-", " ", "").Replace(s)
	t, err := time.Parse("1-2006", s)
	if err != nil || t.Year() < 2000 || t.Year() > 2100 {
		return time.Time{}, false
	}
	return t, true
}

// ForumDeleteActivity takes a line out of the plan.
func (h *Handlers) ForumDeleteActivity(c echo.Context) error {
	id, err := forumID(c)
	if err != nil {
		return err
	}
	if err := h.Forum.DeleteActivity(c.Request().Context(), staffID(c), id); err != nil {
		return err
	}
	return h.Redirect(c, forumEditorPath+"?udfoert=slettet#aktiviteter")
}

// ForumCreateQuestion asks the forum a question in both languages, with an optional last day.
func (h *Handlers) ForumCreateQuestion(c echo.Context) error {
	f := web.FormOf(c, questionFields...)
	web.Require(&f, f.Values, [2]string{"question_da", forum.ErrTextRequired.MsgID},
		[2]string{"question_en", forum.ErrTextRequired.MsgID})
	var deadline *time.Time
	if s := f.Values["question_deadline"]; s != "" {
		d, err := web.ParseDate(s, h.Schedule.Location())
		if err != nil {
			addError(&f, "question_deadline", "campaigneditor.err.date_invalid")
		} else {
			end := d.AddDate(0, 0, 1) // answers are taken all of the last day
			deadline = &end
		}
	}
	if !f.HasErrors() {
		q, err := h.Forum.CreateQuestion(c.Request().Context(), staffID(c), f.Values["question_da"], f.Values["question_en"], deadline)
		if err == nil {
			return h.Redirect(c, forumEditorPath+"/spoergsmaal/"+strconv.FormatInt(q.ID, 10)+"?udfoert=spoergsmaal")
		}
		if err := fieldError(&f, err, map[*fault.Error]string{forum.ErrDeadlineInvalid: "question_deadline"}, "question_da"); err != nil {
			return err
		}
	}
	return h.renderForumEditor(c, web.StatusInvalid, views.ForumEditorForms{Question: f}, "")
}
