package citizen

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"mitidportal/handlers/web"
	"mitidportal/identity"
	"mitidportal/session"
	"mitidportal/views"
)

// The move from NemID to MitID (identity/nemid.go): the box on the overview, the page
// /mitid/nemid and the one extension of the deadline.

// danishDate is how a page shows a day: dd-mm-åååå.
const danishDate = "02-01-2006"

// NemIDStatusFor returns the box of the logged-in citizen's move from NemID, for any page that
// shows it (the overview; the campaign's "how to get MitID"): nil when nobody or no citizen is
// logged in, or the citizen is not selected (no deadline applies).
func NemIDStatusFor(c echo.Context, ids *identity.Store) (*views.NemIDStatusView, error) {
	sub := web.StateOf(c).Subject
	if sub.Anonymous() || sub.Kind != session.KindCitizen {
		return nil, nil
	}
	st, err := ids.NemIDStatusOf(c.Request().Context(), sub.ID)
	if errors.Is(err, identity.ErrNotFound) {
		return nil, nil
	}
	if err != nil || st.State != identity.NemIDSelected {
		return nil, err
	}
	return nemidBox(st, ids.NemIDExtensionDays()), nil
}

// nemidBox is the view of a selected citizen's status.
func nemidBox(st identity.NemIDStatus, extensionDays int) *views.NemIDStatusView {
	v := &views.NemIDStatusView{
		// The deadline is a date (midnight UTC): formatted as it is, not moved into a zone.
		Deadline: st.Deadline.UTC().Format(danishDate), DaysLeft: st.DaysLeft, Past: st.Past,
		Extended: st.Extended, ExtendedDays: st.ExtensionDays,
		CanExtend: st.CanExtend(), ExtensionDays: extensionDays,
	}
	if st.Extended {
		v.ExtendedOn = identity.CopenhagenDate(st.ExtendedAt).Format(danishDate)
	}
	return v
}

// nemidStateIDs explain the states without a deadline.
var nemidStateIDs = map[identity.NemIDState]string{
	identity.NemIDNone: "nemid.state.none", identity.NemIDNotSelected: "nemid.state.not_selected",
	identity.NemIDDone: "nemid.state.done",
}

// nemidPage renders /mitid/nemid with status (a refusal's form errors in f).
func (s *Handlers) nemidPage(c echo.Context, status int, f views.Form, extended bool) error {
	st, err := s.Identity.NemIDStatusOf(c.Request().Context(), web.StateOf(c).Subject.ID)
	if err != nil {
		return err
	}
	v := views.NemIDPageView{StateID: nemidStateIDs[st.State], ExtensionDays: s.Identity.NemIDExtensionDays(),
		Form: f, Extended: extended && st.Extended}
	if st.State == identity.NemIDSelected {
		v.Status = nemidBox(st, v.ExtensionDays)
		v.Status.OnNemIDPage = true
	}
	return s.Render(c, status, views.NemIDPage(v))
}

// NemIDPage shows the citizen's move from NemID to MitID; ?done=forlaenget adds the receipt of
// the extension just granted.
func (s *Handlers) NemIDPage(c echo.Context) error {
	return s.nemidPage(c, http.StatusOK, views.Form{}, c.QueryParam("done") == "forlaenget")
}

// NemIDExtend grants the one extension of the deadline and shows the receipt; a refusal (the
// second request, after the deadline, not selected) shows the page with the error summary.
func (s *Handlers) NemIDExtend(c echo.Context) error {
	f := web.FormOf(c)
	_, err := s.Identity.ExtendNemID(c.Request().Context(), web.StateOf(c).Subject.ID, identity.ActorCitizen)
	if err != nil {
		return s.FieldOrError(c, &f, err, "", func() error { return s.nemidPage(c, http.StatusConflict, f, false) })
	}
	return s.Redirect(c, "/mitid/nemid?done=forlaenget")
}
