package campaigns

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"mitidportal/campaign/newsletter"
	"mitidportal/handlers/web"
	"mitidportal/views"
)

// The campaign editors' newsletter pages: the issues and their progress, writing a draft,
// the preview as mail, and sending with a confirmation step.
const newsEditorPath = "/redaktion/nyhedsbreve"

// newsFields are the issue form's fields, in the order of the page.
var newsFields = []string{"news_subject_da", "news_body_da", "news_subject_en", "news_body_en"}

// newsDateLayout is how the pages show a time: dd-mm-åååå tt:mm, in Danish time.
const newsDateLayout = "02-01-2006 15:04"

func newsHref(id int64) string { return newsEditorPath + "/" + strconv.FormatInt(id, 10) }

// renderNews shows an editor's newsletter page with the staff menu.
func (h *Handlers) renderNews(c echo.Context, status int, comp templ.Component) error {
	st := web.StateOf(c)
	st.Page.Nav = []views.NavItem{{Label: st.Tr.T("staffweb.nav.home"), Href: "/medarbejder"},
		{Label: st.Tr.T("newsletter.editor.title"), Href: newsEditorPath, Active: true}}
	return h.Render(c, status, comp)
}

// issueID reads the issue's id from the path; anything but a positive number is a 404.
func issueID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, echo.ErrNotFound
	}
	return id, nil
}

// NewsIssues lists every issue, newest first, with its progress.
func (h *Handlers) NewsIssues(c echo.Context) error {
	ctx := c.Request().Context()
	issues, err := h.Newsletter.Issues(ctx)
	if err != nil {
		return err
	}
	active, err := h.Newsletter.Active(ctx)
	if err != nil {
		return err
	}
	v := views.NewsIssuesView{Subscribers: active}
	loc := h.Schedule.Location()
	for _, is := range issues {
		v.Issues = append(v.Issues, views.NewsIssueRow{Href: newsHref(is.ID), Subject: is.Subject(lang(c)),
			StatusID: is.Status.MsgID(), Sent: is.Delivered, Total: is.Delivered + is.Remaining,
			Created: is.CreatedAt.In(loc).Format(newsDateLayout)})
	}
	return h.renderNews(c, http.StatusOK, views.NewsIssues(v))
}

// NewsNew is the empty form of a new issue.
func (h *Handlers) NewsNew(c echo.Context) error {
	return h.renderNews(c, http.StatusOK, views.NewsEdit(views.NewsEditView{Form: views.Form{}, New: true,
		Action: newsEditorPath, Title: web.StateOf(c).Tr.T("newsletter.editor.new")}))
}

// newsForm reads the issue form: the missing fields all at once, then the domain's rules.
func newsForm(c echo.Context) (views.Form, newsletter.Text) {
	f := web.FormOf(c, newsFields...)
	web.Require(&f, f.Values, [2]string{"news_subject_da", newsletter.ErrSubjectRequired.MsgID},
		[2]string{"news_body_da", newsletter.ErrBodyRequired.MsgID},
		[2]string{"news_subject_en", newsletter.ErrSubjectRequired.MsgID},
		[2]string{"news_body_en", newsletter.ErrBodyRequired.MsgID})
	return f, newsletter.Text{SubjectDA: f.Values["news_subject_da"], BodyDA: f.Values["news_body_da"],
		SubjectEN: f.Values["news_subject_en"], BodyEN: f.Values["news_body_en"]}
}

// newsRuleField is the form field a rule of the issue's text is about.
func newsRuleField(err error) string {
	var fe newsletter.FieldError
	if errors.As(err, &fe) {
		return "news_" + fe.Field
	}
	return ""
}

// NewsCreate stores a draft (audited) and goes to it.
func (h *Handlers) NewsCreate(c echo.Context) error {
	f, t := newsForm(c)
	again := func() error {
		return h.renderNews(c, web.StatusInvalid, views.NewsEdit(views.NewsEditView{Form: f, New: true,
			Action: newsEditorPath, Title: web.StateOf(c).Tr.T("newsletter.editor.new")}))
	}
	if f.HasErrors() {
		return again()
	}
	is, err := h.Newsletter.Create(c.Request().Context(), staffID(c), t)
	if err != nil {
		return h.FieldOrError(c, &f, err, newsRuleField(err), again)
	}
	return h.Redirect(c, newsHref(is.ID)+"?gemt=1")
}

// NewsIssue is a draft's form, or the progress of an issue being sent or sent.
func (h *Handlers) NewsIssue(c echo.Context) error {
	id, err := issueID(c)
	if err != nil {
		return err
	}
	return h.renderIssue(c, http.StatusOK, id, nil, web.Field(c, "gemt") == "1")
}

func (h *Handlers) renderIssue(c echo.Context, status int, id int64, f *views.Form, saved bool) error {
	is, err := h.Newsletter.Issue(c.Request().Context(), id)
	if err != nil {
		return err
	}
	if f == nil {
		f = &views.Form{Values: map[string]string{"news_subject_da": is.SubjectDA, "news_body_da": is.BodyDA,
			"news_subject_en": is.SubjectEN, "news_body_en": is.BodyEN}}
	}
	tr := web.StateOf(c).Tr
	v := views.NewsEditView{Form: *f, Action: newsHref(id), Saved: saved, StatusID: is.Status.MsgID(),
		Title: tr.T("newsletter.editor.edit_title", map[string]any{"Subject": is.Subject(lang(c))}),
		Draft: is.Status == newsletter.Draft, Sending: is.Status == newsletter.Sending,
		Progress: is.Delivered, Total: is.Delivered + is.Remaining,
		Preview: newsHref(id) + "/vis?sprog=" + lang(c), SendHref: newsHref(id) + "/send"}
	if is.SentAt != nil {
		v.Sent = is.SentAt.In(h.Schedule.Location()).Format(newsDateLayout)
	}
	return h.renderNews(c, status, views.NewsEdit(v))
}

// NewsUpdate saves a draft's new text (audited).
func (h *Handlers) NewsUpdate(c echo.Context) error {
	id, err := issueID(c)
	if err != nil {
		return err
	}
	f, t := newsForm(c)
	again := func() error { return h.renderIssue(c, web.StatusInvalid, id, &f, false) }
	if f.HasErrors() {
		return again()
	}
	if err := h.Newsletter.Update(c.Request().Context(), staffID(c), id, t); err != nil {
		return h.FieldOrError(c, &f, err, newsRuleField(err), again)
	}
	return h.Redirect(c, newsHref(id)+"?gemt=1")
}

// NewsPreview shows the issue as the mail a subscriber in ?sprog= gets: the HTML the outbox
// sends, in the page itself, and the text part.
func (h *Handlers) NewsPreview(c echo.Context) error {
	id, err := issueID(c)
	if err != nil {
		return err
	}
	l := web.Field(c, "sprog")
	if l != "en" {
		l = "da"
	}
	is, r, err := h.Newsletter.Preview(c.Request().Context(), id, l)
	if err != nil {
		return err
	}
	href := newsHref(is.ID) + "/vis?sprog="
	return h.renderNews(c, http.StatusOK, views.NewsPreview(views.NewsPreviewView{Subject: r.Subject, Lang: l,
		LangHref: map[string]string{"da": href + "da", "en": href + "en"}, Content: r.Content, Text: r.Text,
		Back: newsHref(is.ID)}))
}

// NewsSendPage asks before sending, naming how many subscribers the issue goes to.
func (h *Handlers) NewsSendPage(c echo.Context) error {
	id, err := issueID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	is, err := h.Newsletter.Issue(ctx, id)
	if err != nil {
		return err
	}
	if is.Status != newsletter.Draft {
		return newsletter.ErrNotDraft
	}
	active, err := h.Newsletter.Active(ctx)
	if err != nil {
		return err
	}
	return h.renderNews(c, http.StatusOK, views.NewsSend(views.NewsSendView{Subject: is.Subject(lang(c)),
		Subscribers: active, Action: newsHref(id) + "/send", Back: newsHref(id)}))
}

// NewsSend starts the send (audited; the job sends in batches) and shows the progress.
func (h *Handlers) NewsSend(c echo.Context) error {
	id, err := issueID(c)
	if err != nil {
		return err
	}
	if err := h.Newsletter.Send(c.Request().Context(), staffID(c), id); err != nil {
		return err
	}
	return h.Redirect(c, newsHref(id))
}
