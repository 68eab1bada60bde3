package handlers

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"mitidportal/handlers/web"
	"mitidportal/support"
	"mitidportal/views"
)

// myCasesRoutes are "Mine sager": a logged-in citizen's support cases, the public part of
// each timeline and a reply form (DESIGN.md §3.3, §5).
func (s *Server) myCasesRoutes() []Route {
	return []Route{
		{http.MethodGet, "/mitid/sager", web.CitizenPages, s.myCases},
		{http.MethodGet, "/mitid/sager/:ref", web.CitizenPages, s.myCase},
		{http.MethodPost, "/mitid/sager/:ref/svar", web.CitizenPages, s.myCaseReply},
	}
}

// myCases lists the citizen's cases, newest first.
func (s *Server) myCases(c echo.Context) error {
	cases, err := s.Cases.ForCitizen(c.Request().Context(), web.StateOf(c).Subject.ID)
	if err != nil {
		return err
	}
	v := views.MyCasesView{}
	for _, cs := range cases {
		v.Cases = append(v.Cases, views.MyCaseRow{Ref: cs.Ref, Subject: cs.Subject,
			StatusID: cs.Status.MsgID(), Updated: s.site.When(cs.UpdatedAt)})
	}
	return s.site.Render(c, http.StatusOK, views.MyCases(v))
}

// ownCase returns the case of the path's reference code when it is the citizen's; another
// citizen's case is as unknown as a code that does not exist (404).
func (s *Server) ownCase(c echo.Context) (support.Case, error) {
	cs, err := s.Cases.ByRef(c.Request().Context(), c.Param("ref"))
	if errors.Is(err, support.ErrNotFound) || (err == nil && cs.MitIDID != web.StateOf(c).Subject.ID) {
		return support.Case{}, echo.ErrNotFound
	}
	return cs, err
}

// myCase shows one case: the messages, replies and status changes, never internal notes.
func (s *Server) myCase(c echo.Context) error {
	cs, err := s.ownCase(c)
	if err != nil {
		return err
	}
	return s.renderMyCase(c, http.StatusOK, cs, views.Form{}, c.QueryParam("done") == "reply")
}

func (s *Server) renderMyCase(c echo.Context, status int, cs support.Case, f views.Form, sent bool) error {
	entries, err := s.Cases.Timeline(c.Request().Context(), cs.ID, false)
	if err != nil {
		return err
	}
	v := views.MyCaseView{Ref: cs.Ref, Subject: cs.Subject, StatusID: cs.Status.MsgID(),
		SystemID: cs.System.MsgID(), CategoryID: cs.Category.MsgID(), Created: s.site.When(cs.CreatedAt),
		CanReply: cs.Status != support.StatusClosed, Form: f, Sent: sent}
	for _, e := range entries {
		if !e.Kind.Public() {
			continue // Timeline(false) already leaves them out; this keeps it so if it changes
		}
		item := views.MyCaseEntry{When: s.site.When(e.At), KindID: "citizencases.entry." + string(e.Kind),
			Body: e.Body, FromCitizen: e.Kind == support.EntryMessage}
		if e.Kind == support.EntryStatus {
			item.StatusID = support.CaseStatus(e.To).MsgID()
		}
		v.Entries = append(v.Entries, item)
	}
	return s.site.Render(c, status, views.MyCase(v))
}

// myCaseReply adds the citizen's message; a case waiting for them opens again.
func (s *Server) myCaseReply(c echo.Context) error {
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
	return s.site.Redirect(c, "/mitid/sager/"+cs.Ref+"?done=reply")
}
