package campaigns

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"mitidportal/handlers/web"
	"mitidportal/views"
)

func editorQuestionHref(id int64) string {
	return forumEditorPath + "/spoergsmaal/" + strconv.FormatInt(id, 10)
}

// ForumEditorQuestion shows a question with every organisation's answer, and opens or closes it.
func (h *Handlers) ForumEditorQuestion(c echo.Context) error {
	id, err := forumID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	q, err := h.Forum.Question(ctx, forumEditorViewer, id)
	if err != nil {
		return err
	}
	answers, err := h.Forum.Answers(ctx, forumEditorViewer, id)
	if err != nil {
		return err
	}
	href := editorQuestionHref(id)
	qv := views.ForumEditorQuestionView{TextDA: q.TextDA, TextEN: q.TextEN, Open: q.Open, Takes: q.Takes(h.Now()),
		StatusHref: href + "/status", CSVHref: href + "/svar.csv", PublicHref: questionHref(id),
		NoticeID: forumEditorNotices[c.QueryParam("udfoert")]}
	if q.Deadline != nil {
		qv.Deadline = h.dayTime(*q.Deadline)
	}
	for _, a := range answers {
		qv.Answers = append(qv.Answers, views.ForumAnswerRow{Organisation: a.Organisation, Body: a.Body,
			EditedBy: a.EditedBy, EditedAt: h.dayTime(a.EditedAt)})
	}
	return h.forumRender(c, http.StatusOK, views.ForumEditorQuestion(qv))
}

// ForumQuestionStatus opens (open=ja) or closes (open=nej) a question for answers.
func (h *Handlers) ForumQuestionStatus(c echo.Context) error {
	id, err := forumID(c)
	if err != nil {
		return err
	}
	var open bool
	switch web.Field(c, "open") {
	case "ja":
		open = true
	case "nej":
	default:
		return echo.NewHTTPError(http.StatusBadRequest, "open is ja or nej")
	}
	if err := h.Forum.SetOpen(c.Request().Context(), staffID(c), id, open); err != nil {
		return err
	}
	return h.Redirect(c, editorQuestionHref(id)+"?udfoert=status")
}

// ForumAnswersCSV sends every organisation's answer to the question for Excel (web.CSV:
// UTF-8 with a byte order mark, semicolons, cells safe against formulas).
func (h *Handlers) ForumAnswersCSV(c echo.Context) error {
	id, err := forumID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	q, err := h.Forum.Question(ctx, forumEditorViewer, id)
	if err != nil {
		return err
	}
	answers, err := h.Forum.Answers(ctx, forumEditorViewer, id)
	if err != nil {
		return err
	}
	tr := web.StateOf(c).Tr
	rows := [][]string{{tr.T("forum.csv.question"), q.Text(lang(c))},
		{tr.T("forum.csv.organisation"), tr.T("forum.csv.answer"), tr.T("forum.csv.edited_by"), tr.T("forum.csv.edited_at")}}
	for _, a := range answers {
		rows = append(rows, []string{a.Organisation, a.Body, a.EditedBy, h.dayTime(a.EditedAt)})
	}
	return web.SendCSV(c, tr.T("forum.csv.answers_file")+"-"+strconv.FormatInt(id, 10)+".csv", rows)
}
