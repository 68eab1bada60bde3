package campaigns

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"mitidportal/campaign/forum"
	"mitidportal/fault"
	"mitidportal/handlers/web"
	"mitidportal/views"
)

// answerFields map the rules of an answer to the form's fields.
var answerFields = map[*fault.Error]string{forum.ErrAnswerRequired: "answer", forum.ErrAnswerTooLong: "answer",
	forum.ErrQuestionClosed: "answer"}

// ForumQuestion is an input question with the answer of the member's organisation, which any of
// its members may edit while the question is open. A member of several forum organisations
// answers for one at a time (?org=id).
func (h *Handlers) ForumQuestion(c echo.Context) error {
	v, err := h.forumGate(c)
	if err != nil {
		return gateDone(err)
	}
	id, err := forumID(c)
	if err != nil {
		return err
	}
	org, err := answerOrg(v, web.Field(c, "org"))
	if err != nil {
		return err
	}
	return h.renderQuestion(c, http.StatusOK, v, id, org, views.Form{}, forumNotices[c.QueryParam("udfoert")])
}

// answerOrg is the forum organisation the member answers for: the one named (by id), or their
// first. An editor answers for none.
func answerOrg(v forum.Viewer, s string) (forum.Org, error) {
	if len(v.Orgs) == 0 {
		return forum.Org{}, nil
	}
	if s == "" {
		return v.Orgs[0], nil
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return forum.Org{}, echo.NewHTTPError(http.StatusBadRequest, "org is an organisation id")
	}
	for _, o := range v.Orgs {
		if o.ID == id {
			return o, nil
		}
	}
	return forum.Org{}, echo.ErrNotFound
}

func (h *Handlers) renderQuestion(c echo.Context, status int, v forum.Viewer, id int64, org forum.Org, f views.Form, notice string) error {
	ctx := c.Request().Context()
	q, err := h.Forum.Question(ctx, v, id)
	if err != nil {
		return err
	}
	answers, err := h.Forum.AnswersOf(ctx, v, id)
	if err != nil {
		return err
	}
	qv := views.ForumQuestionView{Row: h.questionRow(q, lang(c)), Action: questionHref(id), OrgName: org.Name,
		OrgID: strconv.FormatInt(org.ID, 10), NoticeID: notice}
	if len(v.Orgs) > 1 {
		for _, o := range v.Orgs {
			qv.OtherOrgs = append(qv.OtherOrgs, views.ForumOrgLink{Name: o.Name, Current: o.ID == org.ID,
				Href: questionHref(id) + "?org=" + strconv.FormatInt(o.ID, 10)})
		}
	}
	a, has := answers[org.ID]
	if has {
		qv.EditedBy, qv.EditedAt, qv.Answer = a.EditedBy, h.dayTime(a.EditedAt), a.Body
	}
	if f.Values == nil {
		f.Values = map[string]string{"answer": a.Body}
	}
	qv.Form = f
	qv.CanAnswer = org.ID != 0
	return h.Render(c, status, views.ForumQuestionPage(qv))
}

// ForumAnswer saves the answer of the member's organisation (the hidden org field).
func (h *Handlers) ForumAnswer(c echo.Context) error {
	v, err := h.forumGate(c)
	if err != nil {
		return gateDone(err)
	}
	id, err := forumID(c)
	if err != nil {
		return err
	}
	f := web.FormOf(c, "answer")
	org, err := answerOrg(v, web.Field(c, "org")) // hidden: a forged one is a 400 or 404
	if err != nil {
		return err
	}
	if org.ID == 0 {
		return echo.NewHTTPError(http.StatusForbidden, "only members of forum organisations answer")
	}
	if !f.HasErrors() {
		err := h.Forum.SaveAnswer(c.Request().Context(), v, id, org.ID, f.Values["answer"])
		if err == nil {
			return h.Redirect(c, questionHref(id)+"?org="+strconv.FormatInt(org.ID, 10)+"&udfoert=svar")
		}
		if err := fieldError(&f, err, answerFields, "answer"); err != nil {
			return err
		}
	}
	return h.renderQuestion(c, web.StatusInvalid, v, id, org, f, "")
}
