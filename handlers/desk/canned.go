package desk

import (
	"errors"
	"net/http"
	"slices"
	"strconv"

	"github.com/labstack/echo/v4"

	"mitidportal/fault"
	"mitidportal/handlers/web"
	"mitidportal/support"
	"mitidportal/views"
)

// cannedPath is the canned replies' list; a reply's page is cannedPath/ID.
const cannedPath = "/medarbejder/svar"

// cannedNotices are the notices a ?udfoert= value on the list may ask for.
var cannedNotices = map[string]string{
	"oprettet": "deskcanned.notice.created", "gemt": "deskcanned.notice.saved", "udfaset": "deskcanned.notice.retired",
}

// cannedFields are the text fields of the reply form, in the order shown.
var cannedFields = []string{"title_da", "body_da", "title_en", "body_en"}

// cannedEditor is the person of the request as package support judges them: supervisors and
// admins manage the shared replies.
func cannedEditor(c echo.Context) support.CannedEditor {
	sub := web.StateOf(c).Subject
	return support.CannedEditor{StaffID: sub.ID,
		ManagesShared: slices.Contains(sub.Roles, string(web.Supervisor)) || slices.Contains(sub.Roles, string(web.Admin))}
}

// CannedList lists the shared replies and the person's own, retired ones marked.
func (s *Handlers) CannedList(c echo.Context) error {
	ed := cannedEditor(c)
	replies, err := s.Cases.Canned().List(c.Request().Context(), ed, true)
	if err != nil {
		return err
	}
	v := views.CannedListView{ManagesShared: ed.ManagesShared, NoticeID: cannedNotices[c.QueryParam("udfoert")]}
	for _, r := range replies {
		row := views.CannedRow{Href: cannedPath + "/" + strconv.FormatInt(r.ID, 10), Anchor: cannedAnchor(r.ID), TitleDA: r.TitleDA, TitleEN: r.TitleEN,
			Retired: r.Retired(), Updated: s.When(r.UpdatedAt)}
		if r.Shared() {
			v.Shared = append(v.Shared, row)
		} else {
			v.Personal = append(v.Personal, row)
		}
	}
	s.staffNav(c)
	return s.Render(c, http.StatusOK, views.CannedList(v))
}

// CannedNewPage is the form for a new reply.
func (s *Handlers) CannedNewPage(c echo.Context) error {
	f := web.NewKeyedForm()
	f.Values["kind"] = "personal"
	return s.renderCannedForm(c, http.StatusOK, views.CannedFormView{Form: f, New: true})
}

// CannedCreate saves a new reply: personal, or shared when a manager chose so. The form sent
// again (its one-time key) saves nothing and goes to the reply it saved.
func (s *Handlers) CannedCreate(c echo.Context) error {
	ed := cannedEditor(c)
	f, text := cannedForm(c, "kind", web.FormKeyField)
	shared := false
	switch f.Values["kind"] {
	case "shared":
		shared = ed.ManagesShared
	case "personal":
	default:
		if ed.ManagesShared && f.ErrorFor("kind") == nil {
			f.Errors = append(f.Errors, views.FieldError{Field: "kind", MsgID: "deskcanned.err.kind_required"})
		}
	}
	again := func() error {
		return s.renderCannedForm(c, web.StatusInvalid, views.CannedFormView{Form: f, New: true})
	}
	if f.HasErrors() {
		return again()
	}
	key, err := web.FormKey(f)
	if err != nil {
		return err
	}
	r, err := s.Cases.Canned().Create(c.Request().Context(), ed, shared, text, key)
	if err != nil {
		if err := cannedError(&f, err); err != nil {
			return err
		}
		return again()
	}
	return s.Redirect(c, cannedPath+"?udfoert=oprettet#"+cannedAnchor(r.ID))
}

// cannedAnchor is the id of a reply's row in the list, where a new reply is shown.
func cannedAnchor(id int64) string { return "svar-" + strconv.FormatInt(id, 10) }

// cannedError shows a rule of the form (a stale version, a retired reply, a too-long text) in
// f; a refusal of the person (not theirs to change, not found) goes to the error page.
func cannedError(f *views.Form, err error) error {
	if k, ok := fault.KindOf(err); ok && (k == fault.Forbidden || k == fault.NotFound) {
		return err
	}
	return web.SupportError(f, err, nil, "")
}

// cannedOf loads the reply of the URL as the person may see it; anything else is 404.
func (s *Handlers) cannedOf(c echo.Context) (support.CannedReply, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return support.CannedReply{}, echo.ErrNotFound
	}
	return s.Cases.Canned().Get(c.Request().Context(), cannedEditor(c), id)
}

// CannedEditPage shows a reply: as a form to whoever may change it, read-only to the others
// and once it is retired.
func (s *Handlers) CannedEditPage(c echo.Context) error {
	r, err := s.cannedOf(c)
	if err != nil {
		return err
	}
	f := views.Form{Values: map[string]string{"title_da": r.TitleDA, "body_da": r.BodyDA, "title_en": r.TitleEN,
		"body_en": r.BodyEN, "version": strconv.Itoa(r.Version)}}
	return s.renderCannedForm(c, http.StatusOK, s.cannedView(c, r, f))
}

// CannedUpdate saves a reply's new text, refusing it when someone saved in between.
func (s *Handlers) CannedUpdate(c echo.Context) error {
	r, err := s.cannedOf(c)
	if err != nil {
		return err
	}
	f, text := cannedForm(c)
	version := cannedVersion(c, &f)
	again := func() error { return s.renderCannedForm(c, web.StatusInvalid, s.cannedView(c, r, f)) }
	if f.HasErrors() {
		return again()
	}
	_, err = s.Cases.Canned().Update(c.Request().Context(), cannedEditor(c), r.ID, version, text)
	if errors.Is(err, support.ErrCannedStale) {
		// Keep what was typed and offer to save it over the newer version, knowingly.
		if cur, err := s.cannedOf(c); err == nil {
			r, f.Values["version"] = cur, strconv.Itoa(cur.Version)
		}
	}
	if err != nil {
		if err := cannedError(&f, err); err != nil {
			return err
		}
		return again()
	}
	return s.Redirect(c, cannedPath+"?udfoert=gemt")
}

// CannedRetire stops offering a reply.
func (s *Handlers) CannedRetire(c echo.Context) error {
	r, err := s.cannedOf(c)
	if err != nil {
		return err
	}
	f := views.Form{Values: map[string]string{"title_da": r.TitleDA, "body_da": r.BodyDA, "title_en": r.TitleEN,
		"body_en": r.BodyEN}}
	version := cannedVersion(c, &f)
	f.Values["version"] = strconv.Itoa(r.Version)
	again := func() error { return s.renderCannedForm(c, web.StatusInvalid, s.cannedView(c, r, f)) }
	if f.HasErrors() {
		return again()
	}
	if _, err := s.Cases.Canned().Retire(c.Request().Context(), cannedEditor(c), r.ID, version); err != nil {
		if err := cannedError(&f, err); err != nil {
			return err
		}
		return again()
	}
	return s.Redirect(c, cannedPath+"?udfoert=udfaset")
}

// cannedForm reads the text fields (and extra ones) with the input rules, and the domain's
// rules as field errors.
func cannedForm(c echo.Context, extra ...string) (views.Form, support.CannedText) {
	f := web.FormOf(c, append(extra, cannedFields...)...)
	t := support.CannedText{TitleDA: f.Values["title_da"], BodyDA: f.Values["body_da"],
		TitleEN: f.Values["title_en"], BodyEN: f.Values["body_en"]}
	t, problems := support.CheckCannedText(t)
	for _, p := range problems {
		if f.ErrorFor(p.Field) == nil {
			f.Errors = append(f.Errors, views.FieldError{Field: p.Field, MsgID: p.Err.MsgID, Data: p.Data})
		}
	}
	return f, t
}

// cannedVersion reads the hidden version the form was shown with; a missing or garbled one
// is the form's error, not the person's field.
func cannedVersion(c echo.Context, f *views.Form) int {
	v, err := strconv.Atoi(web.Field(c, "version"))
	if err != nil || v < 1 {
		f.Errors = append(f.Errors, views.FieldError{MsgID: support.ErrCannedStale.MsgID})
		return 0
	}
	f.Values["version"] = strconv.Itoa(v)
	return v
}

// cannedView is the page of an existing reply in form state f.
func (s *Handlers) cannedView(c echo.Context, r support.CannedReply, f views.Form) views.CannedFormView {
	ed := cannedEditor(c)
	id := strconv.FormatInt(r.ID, 10)
	return views.CannedFormView{Form: f, Href: cannedPath + "/" + id, RetireHref: cannedPath + "/" + id + "/udfas",
		Shared: r.Shared(), Retired: r.Retired(), ReadOnly: r.Retired() || r.Shared() && !ed.ManagesShared,
		Updated: s.When(r.UpdatedAt), Version: r.Version}
}

func (s *Handlers) renderCannedForm(c echo.Context, status int, v views.CannedFormView) error {
	v.ManagesShared = cannedEditor(c).ManagesShared
	s.staffNav(c)
	return s.Render(c, status, views.CannedForm(v))
}

// cannedPicker gives the case page's canned-reply picker its choices (the live replies the
// person may use, titled in the case's language) and, for ?svar=ID, the reply's body filled
// in for the case.
func (s *Handlers) cannedPicker(c echo.Context, cs support.Case) (opts []views.Option, chosen, body string, err error) {
	ed := cannedEditor(c)
	replies, err := s.Cases.Canned().List(c.Request().Context(), ed, false)
	if err != nil {
		return nil, "", "", err
	}
	want := c.QueryParam("svar")
	for _, r := range replies {
		id := strconv.FormatInt(r.ID, 10)
		// The picker translates LabelID; a title is no message ID, so it is shown as it is.
		opts = append(opts, views.Option{Value: id, LabelID: r.Title(cs.Lang)})
		if id == want {
			chosen = id
			body = support.FillCanned(r.Body(cs.Lang), support.CannedValues{Name: cs.Name, Ref: cs.Ref, Phone: s.Config.SupportPhone})
		}
	}
	return opts, chosen, body, nil
}
