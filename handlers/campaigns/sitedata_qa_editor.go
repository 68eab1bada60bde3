package campaigns

import (
	"net/http"
	"strconv"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"mitidportal/campaign/sitedata"
	"mitidportal/fault"
	"mitidportal/handlers/web"
	"mitidportal/views"
)

// The campaign editors' pages of the structured content (role campaign editor): questions and
// answers with their categories, brokers and the timeline. Every change is audited by package
// campaign/sitedata in its own transaction.

const qaEditorPath = "/redaktion/spoergsmaal"

// siteDataNotices are the notices a ?udfoert= value may ask for.
var siteDataNotices = map[string]string{"gemt": "sitedata.notice.saved", "udgivet": "sitedata.notice.published",
	"skjult": "sitedata.notice.unpublished", "slettet": "sitedata.notice.deleted"}

// siteDataRender shows an editor's page with the staff menu and the structured pages.
func (h *Handlers) siteDataRender(c echo.Context, status int, active string, comp templ.Component) error {
	st := web.StateOf(c)
	st.Page.Nav = []views.NavItem{{Label: st.Tr.T("staffweb.nav.home"), Href: "/medarbejder"}}
	for _, n := range []struct{ href, id string }{{qaEditorPath, "sitedata.editor.qa_heading"},
		{"/redaktion/brokere", "sitedata.editor.brokers_heading"}, {"/redaktion/tidsplan", "sitedata.editor.timeline_heading"}} {
		st.Page.Nav = append(st.Page.Nav, views.NavItem{Label: st.Tr.T(n.id), Href: n.href, Active: n.href == active})
	}
	return h.Render(c, status, comp)
}

// rowID is the :id of the URL; anything but a positive number is 404.
func rowID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, echo.ErrNotFound
	}
	return id, nil
}

// moveDelta is the hidden dir of a move button; anything else is a 400.
func moveDelta(c echo.Context) (int, error) {
	d := map[string]int{"op": -1, "ned": 1}[c.FormValue("dir")]
	if d == 0 {
		return 0, echo.NewHTTPError(http.StatusBadRequest, "dir")
	}
	return d, nil
}

// EditorQA lists the categories with their questions.
func (h *Handlers) EditorQA(c echo.Context) error {
	return h.renderQA(c, http.StatusOK, views.Form{}, siteDataNotices[c.QueryParam("udfoert")])
}

func (h *Handlers) renderQA(c echo.Context, status int, f views.Form, notice string) error {
	ctx := c.Request().Context()
	cats, err := h.SiteData.Categories(ctx)
	if err != nil {
		return err
	}
	entries, err := h.SiteData.Entries(ctx)
	if err != nil {
		return err
	}
	v := views.EditorQAView{CatForm: f, NoticeID: notice}
	for i, ct := range cats {
		href := qaEditorPath + "/kategorier/" + strconv.FormatInt(ct.ID, 10)
		row := views.EditorQACategory{Name: ct.Name(lang(c)), Href: href, MoveHref: href + "/flyt",
			First: i == 0, Last: i == len(cats)-1}
		var mine []sitedata.Entry
		for _, e := range entries {
			if e.CategoryID == ct.ID {
				mine = append(mine, e)
			}
		}
		for j, e := range mine {
			href := qaEditorPath + "/" + strconv.FormatInt(e.ID, 10)
			row.Entries = append(row.Entries, views.EditorQARow{ID: strconv.FormatInt(e.ID, 10), Question: e.Question(lang(c)),
				Href: href, VisibilityHref: href + "/synlighed", MoveHref: href + "/flyt", Published: e.Published,
				First: j == 0, Last: j == len(mine)-1})
		}
		v.Categories = append(v.Categories, row)
	}
	return h.siteDataRender(c, status, qaEditorPath, views.EditorQA(v))
}

var catFieldNames = []string{"cat_name_da", "cat_name_en"}

// EditorQACategoryCreate adds a category at the end.
func (h *Handlers) EditorQACategoryCreate(c echo.Context) error {
	f := web.FormOf(c, catFieldNames...)
	web.Require(&f, f.Values, [2]string{"cat_name_da", sitedata.ErrNameRequired.MsgID}, [2]string{"cat_name_en", sitedata.ErrNameRequired.MsgID})
	if !f.HasErrors() {
		_, err := h.SiteData.SaveCategory(c.Request().Context(), staffID(c), sitedata.Category{NameDA: f.Values["cat_name_da"], NameEN: f.Values["cat_name_en"]})
		if err == nil {
			return h.Redirect(c, qaEditorPath+"?udfoert=gemt")
		}
		if err := fieldError(&f, err, nil, "cat_name_da"); err != nil {
			return err
		}
	}
	return h.renderQA(c, web.StatusInvalid, f, "")
}

// EditorQACategory shows the form that renames a category.
func (h *Handlers) EditorQACategory(c echo.Context) error {
	ct, err := h.category(c)
	if err != nil {
		return err
	}
	f := views.Form{Values: map[string]string{"cat_name_da": ct.NameDA, "cat_name_en": ct.NameEN}}
	return h.siteDataRender(c, http.StatusOK, qaEditorPath, views.EditorName(views.EditorNameView{Action: c.Request().URL.Path, Form: f}))
}

func (h *Handlers) category(c echo.Context) (sitedata.Category, error) {
	id, err := rowID(c)
	if err != nil {
		return sitedata.Category{}, err
	}
	cats, err := h.SiteData.Categories(c.Request().Context())
	if err != nil {
		return sitedata.Category{}, err
	}
	for _, ct := range cats {
		if ct.ID == id {
			return ct, nil
		}
	}
	return sitedata.Category{}, sitedata.ErrNotFound
}

// EditorQACategorySave renames a category.
func (h *Handlers) EditorQACategorySave(c echo.Context) error {
	ct, err := h.category(c)
	if err != nil {
		return err
	}
	f := web.FormOf(c, catFieldNames...)
	web.Require(&f, f.Values, [2]string{"cat_name_da", sitedata.ErrNameRequired.MsgID}, [2]string{"cat_name_en", sitedata.ErrNameRequired.MsgID})
	if !f.HasErrors() {
		ct.NameDA, ct.NameEN = f.Values["cat_name_da"], f.Values["cat_name_en"]
		if _, err = h.SiteData.SaveCategory(c.Request().Context(), staffID(c), ct); err == nil {
			return h.Redirect(c, qaEditorPath+"?udfoert=gemt")
		}
		if err := fieldError(&f, err, nil, "cat_name_da"); err != nil {
			return err
		}
	}
	return h.siteDataRender(c, web.StatusInvalid, qaEditorPath, views.EditorName(views.EditorNameView{Action: c.Request().URL.Path, Form: f}))
}

// EditorQACategoryMove and EditorQAMove move a category, or a question within its category.
func (h *Handlers) EditorQACategoryMove(c echo.Context) error {
	return h.moveRow(c, "qa_category", qaEditorPath)
}

// EditorQAMove moves a question one place within its category.
func (h *Handlers) EditorQAMove(c echo.Context) error { return h.moveRow(c, "qa_entry", qaEditorPath) }

func (h *Handlers) moveRow(c echo.Context, table, back string) error {
	id, err := rowID(c)
	if err != nil {
		return err
	}
	delta, err := moveDelta(c)
	if err != nil {
		return err
	}
	if err := h.SiteData.Move(c.Request().Context(), staffID(c), table, id, delta); err != nil {
		return err
	}
	return h.Redirect(c, back)
}

var qaFieldNames = []string{"qa_category", "qa_question_da", "qa_question_en", "qa_answer_da", "qa_answer_en"}

// qaFields name the field a rule of the question form belongs to.
var qaFields = map[*fault.Error]string{sitedata.ErrCategoryInvalid: "qa_category", sitedata.ErrAnswerRequired: "qa_answer_da"}

// EditorQANew shows the form of a new question.
func (h *Handlers) EditorQANew(c echo.Context) error {
	return h.renderEntry(c, http.StatusOK, views.EditorQAEntryView{HeadingID: "sitedata.editor.qa_new",
		Action: qaEditorPath + "/ny", Form: views.Form{Values: map[string]string{"qa_category": c.QueryParam("kategori")}}})
}

// EditorQAEntry shows the form of an existing question.
func (h *Handlers) EditorQAEntry(c echo.Context) error {
	id, err := rowID(c)
	if err != nil {
		return err
	}
	e, err := h.SiteData.Entry(c.Request().Context(), id)
	if err != nil {
		return err
	}
	f := views.Form{Values: map[string]string{"qa_category": strconv.FormatInt(e.CategoryID, 10),
		"qa_question_da": e.QuestionDA, "qa_question_en": e.QuestionEN, "qa_answer_da": e.AnswerDA, "qa_answer_en": e.AnswerEN}}
	return h.renderEntry(c, http.StatusOK, views.EditorQAEntryView{HeadingID: "sitedata.editor.qa_edit",
		Action: c.Request().URL.Path, Form: f, Published: e.Published, NoticeID: siteDataNotices[c.QueryParam("udfoert")]})
}

func (h *Handlers) renderEntry(c echo.Context, status int, v views.EditorQAEntryView) error {
	cats, err := h.SiteData.Categories(c.Request().Context())
	if err != nil {
		return err
	}
	for _, ct := range cats {
		v.Categories = append(v.Categories, views.RawOption{Value: strconv.FormatInt(ct.ID, 10), Label: ct.Name(lang(c))})
	}
	return h.siteDataRender(c, status, qaEditorPath, views.EditorQAEntry(v))
}

// EditorQACreate adds a question as a draft at the end of its category.
func (h *Handlers) EditorQACreate(c echo.Context) error {
	return h.saveEntry(c, 0, views.EditorQAEntryView{HeadingID: "sitedata.editor.qa_new", Action: qaEditorPath + "/ny"})
}

// EditorQASave changes a question.
func (h *Handlers) EditorQASave(c echo.Context) error {
	id, err := rowID(c)
	if err != nil {
		return err
	}
	if _, err := h.SiteData.Entry(c.Request().Context(), id); err != nil {
		return err
	}
	return h.saveEntry(c, id, views.EditorQAEntryView{HeadingID: "sitedata.editor.qa_edit", Action: c.Request().URL.Path})
}

func (h *Handlers) saveEntry(c echo.Context, id int64, v views.EditorQAEntryView) error {
	f := web.FormOf(c, qaFieldNames...)
	web.Require(&f, f.Values, [2]string{"qa_category", sitedata.ErrCategoryInvalid.MsgID},
		[2]string{"qa_question_da", sitedata.ErrQuestionRequired.MsgID}, [2]string{"qa_answer_da", sitedata.ErrAnswerRequired.MsgID},
		[2]string{"qa_question_en", sitedata.ErrQuestionRequired.MsgID}, [2]string{"qa_answer_en", sitedata.ErrAnswerRequired.MsgID})
	cat, err := strconv.ParseInt(f.Values["qa_category"], 10, 64)
	if err != nil && f.ErrorFor("qa_category") == nil {
		f.Errors = append(f.Errors, views.FieldError{Field: "qa_category", MsgID: sitedata.ErrCategoryInvalid.MsgID})
	}
	if !f.HasErrors() {
		e, err := h.SiteData.SaveEntry(c.Request().Context(), staffID(c), sitedata.Entry{ID: id, CategoryID: cat,
			QuestionDA: f.Values["qa_question_da"], QuestionEN: f.Values["qa_question_en"],
			AnswerDA: f.Values["qa_answer_da"], AnswerEN: f.Values["qa_answer_en"]})
		if err == nil {
			return h.Redirect(c, qaEditorPath+"/"+strconv.FormatInt(e.ID, 10)+"?udfoert=gemt")
		}
		if err := fieldError(&f, err, qaFields, "qa_question_da"); err != nil {
			return err
		}
	}
	v.Form = f
	return h.renderEntry(c, web.StatusInvalid, v)
}

// EditorQAVisibility publishes a question (vis=ja) or hides it again (vis=nej); any other
// value is a 400.
func (h *Handlers) EditorQAVisibility(c echo.Context) error {
	id, err := rowID(c)
	if err != nil {
		return err
	}
	show, ok := map[string]bool{"ja": true, "nej": false}[c.FormValue("vis")]
	if !ok {
		return echo.NewHTTPError(http.StatusBadRequest, "vis")
	}
	if err := h.SiteData.SetPublished(c.Request().Context(), staffID(c), id, show); err != nil {
		return err
	}
	done := "skjult"
	if show {
		done = "udgivet"
	}
	return h.Redirect(c, qaEditorPath+"?udfoert="+done)
}
