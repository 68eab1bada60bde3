package desk

import (
	"context"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"mitidportal/handlers/web"
	"mitidportal/support"
	"mitidportal/views"
)

// Finding and linking the caller (issue 9 item 1): the search box's citizens and snippets,
// the jump to a case by its reference code, and linking a case to a citizen's MitID.

// deskGo sends the browser to url: a 303, or for htmx (whose request would follow a redirect
// and swap the whole page into the list) HX-Redirect.
func (s *Handlers) deskGo(c echo.Context, url string) error {
	if isHTMX(c) {
		if err := s.SaveSession(c); err != nil {
			return err
		}
		c.Response().Header().Set("HX-Redirect", url)
		return c.NoContent(http.StatusOK)
	}
	return s.Redirect(c, url)
}

// deskCitizenHits are the citizens a search listed, each linking to their card (which a GET
// shows: the search recorded the look-up).
func deskCitizenHits(cs []support.Citizen) []views.DeskCitizenHit {
	out := make([]views.DeskCitizenHit, 0, len(cs))
	for _, c := range cs {
		out = append(out, views.DeskCitizenHit{Name: c.Name, CPR: c.CPR.String(), Username: c.Username,
			StatusID: c.Status.MsgID(), MatchID: c.Match.MsgID(),
			Href: deskCitizenPath + strconv.FormatInt(c.MitIDID, 10)})
	}
	return out
}

// deskSnippet is a search hit's snippet for the view, which escapes every part and marks the
// matched ones.
func deskSnippet(sn support.Snippet) []views.Marked {
	out := make([]views.Marked, 0, len(sn))
	for _, p := range sn {
		out = append(out, views.Marked{Text: p.Text, Mark: p.Mark})
	}
	return out
}

// deskLinkAction is where the case page's form that links the case to a citizen posts.
func deskLinkAction(ref string) string { return deskPath + "/" + ref + "/borger" }

// deskCaseCitizen is the case page's citizen part: the form that links or relinks the case.
func deskCaseCitizen(cs support.Case, f views.Form, active string) views.DeskCaseCitizenView {
	v := views.DeskCaseCitizenView{Action: deskLinkAction(cs.Ref), Linked: cs.MitIDID != 0,
		Closed: cs.Status == support.StatusClosed, Version: cs.Version, Form: views.Form{Values: f.Values}}
	if active == "link" {
		v.Form = f
	}
	return v
}

// LinkCitizen links the case to the citizen whose CPR number or username was typed, or to
// another citizen (a relink): the case, its timeline entry and the look-up (activity and audit
// log) in one transaction. A number or name that finds nobody is a field error.
func (s *Handlers) LinkCitizen(c echo.Context) error {
	cs, err := s.deskCaseOf(c)
	if err != nil {
		return err
	}
	f := web.FormOf(c, "citizen")
	web.Require(&f, f.Values, [2]string{"citizen", support.ErrCitizenNotFound.MsgID})
	if f.HasErrors() {
		return s.renderDeskCase(c, web.StatusInvalid, cs, f, "link", "")
	}
	_, err = s.Cases.LinkCitizen(c.Request().Context(), cs.ID, web.StateOf(c).Subject.ID, f.Values["citizen"], version(c))
	return s.deskChanged(c, cs, f, "link", "citizen", "borger", err)
}

// deskLinkFromCard links the case an action on the card is done from to the card's citizen
// when the case has none yet (opened before the caller was known), so that blocking from the
// card leaves the case linked. Like the timeline entry that follows, the action is done and
// audited by then: a case that refuses the link is logged, not shown as a failure.
func (s *Handlers) deskLinkFromCard(ctx context.Context, t deskTarget) {
	if t.cs.MitIDID != 0 {
		return
	}
	if _, err := s.Cases.LinkMitID(ctx, t.cs.ID, t.me, t.m.ID, t.cs.Version); err != nil {
		s.Log.WarnContext(ctx, "case not linked to the citizen", "case", t.cs.Ref, "error", err.Error())
	}
}
