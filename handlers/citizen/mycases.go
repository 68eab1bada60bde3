package citizen

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"mitidportal/handlers/web"
	"mitidportal/support"
	"mitidportal/views"
)

// MyCases lists the citizen's cases, newest first.
func (s *Handlers) MyCases(c echo.Context) error {
	cases, err := s.Cases.ForCitizen(c.Request().Context(), web.StateOf(c).Subject.ID)
	if err != nil {
		return err
	}
	v := views.MyCasesView{}
	for _, cs := range cases {
		v.Cases = append(v.Cases, views.MyCaseRow{Ref: cs.Ref, Subject: cs.Subject,
			StatusID: cs.Status.MsgID(), Updated: s.When(cs.UpdatedAt)})
	}
	return s.Render(c, http.StatusOK, views.MyCases(v))
}

// ownCase returns the case of the path's reference code when it is the citizen's; another
// citizen's case is as unknown as a code that does not exist (404).
func (s *Handlers) ownCase(c echo.Context) (support.Case, error) {
	cs, err := s.Cases.ByRef(c.Request().Context(), c.Param("ref"))
	if errors.Is(err, support.ErrNotFound) || (err == nil && cs.MitIDID != web.StateOf(c).Subject.ID) {
		return support.Case{}, echo.ErrNotFound
	}
	return cs, err
}

// MyCase shows one case: the messages, replies and status changes, never internal notes.
func (s *Handlers) MyCase(c echo.Context) error {
	cs, err := s.ownCase(c)
	if err != nil {
		return err
	}
	return s.renderMyCase(c, http.StatusOK, cs, views.Form{}, c.QueryParam("done") == "reply")
}

func (s *Handlers) renderMyCase(c echo.Context, status int, cs support.Case, f views.Form, sent bool) error {
	entries, err := s.Cases.Timeline(c.Request().Context(), cs.ID, false)
	if err != nil {
		return err
	}
	v := views.MyCaseView{Ref: cs.Ref, Subject: cs.Subject, StatusID: cs.Status.MsgID(),
		SystemID: cs.System.MsgID(), CategoryID: cs.Category.MsgID(), Created: s.When(cs.CreatedAt),
		CanReply: cs.Status != support.StatusClosed, Form: f, Sent: sent}
	for _, e := range entries {
		if !e.Kind.Public() {
			continue // Timeline(false) already leaves them out; this keeps it so if it changes
		}
		item := views.MyCaseEntry{When: s.When(e.At), KindID: "citizencases.entry." + string(e.Kind),
			Body: e.Body, FromCitizen: e.Kind == support.EntryMessage}
		if e.Kind == support.EntryStatus {
			item.StatusID = support.CaseStatus(e.To).MsgID()
		}
		v.Entries = append(v.Entries, item)
	}
	return s.Render(c, status, views.MyCase(v))
}

// MyCaseReply adds the citizen's message; a case waiting for them opens again.
func (s *Handlers) MyCaseReply(c echo.Context) error {
	cs, err := s.ownCase(c)
	if err != nil {
		return err
	}
	f := web.FormOf(c, "message")
	web.Require(&f, f.Values, [2]string{"message", support.ErrBodyRequired.MsgID})
	if !f.HasErrors() {
		_, err = s.Cases.AddMessage(c.Request().Context(), support.NewMessage{CaseID: cs.ID, Body: f.Values["message"]})
		if err := supportFieldError(&f, err, "message"); err != nil {
			return err
		}
	}
	if f.HasErrors() {
		if cs, err = s.Cases.Get(c.Request().Context(), cs.ID); err != nil {
			return err
		}
		return s.renderMyCase(c, web.StatusInvalid, cs, f, false)
	}
	return s.Redirect(c, "/mitid/sager/"+cs.Ref+"?done=reply")
}
