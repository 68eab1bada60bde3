package citizen

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"mitidportal/handlers/web"
	"mitidportal/identity"
	"mitidportal/views"
)

// Unblocking one means (DESIGN.md §3.6): a means the citizen blocked can be unblocked by the
// citizen, logged in recently (web.CitizenRecent) with another means of the MitID; the identity
// domain decides (identity.CheckUnblock), the page only asks it.

// unblockCheck asks the domain whether this session may unblock the means.
func (s *Handlers) unblockCheck(c echo.Context, a identity.Authenticator) error {
	ctx, sub := c.Request().Context(), web.StateOf(c).Subject
	m, err := s.Identity.MitID(ctx, sub.ID)
	if err != nil {
		return err
	}
	means, err := s.Identity.Means(ctx, m.ID)
	if err != nil {
		return err
	}
	return identity.CheckUnblock(m, means, a.ID, sub.MeansID)
}

// UnblockMeansPage asks to confirm lifting the block of a means, or says why it cannot be done
// with this login.
func (s *Handlers) UnblockMeansPage(c echo.Context) error {
	a, err := s.meansOf(c)
	if err != nil {
		return err
	}
	var f views.Form
	if err := s.unblockCheck(c, a); err != nil {
		fe, err := web.RuleError(err, "")
		if err != nil {
			return err
		}
		f.Errors = append(f.Errors, fe)
	}
	v := meansView(a, f)
	return s.Render(c, http.StatusOK, views.UnblockMeans(views.UnblockMeansView{Means: v, Refused: f.HasErrors()}))
}

// UnblockMeansSubmit lifts the block.
func (s *Handlers) UnblockMeansSubmit(c echo.Context) error {
	a, err := s.meansOf(c)
	if err != nil {
		return err
	}
	sub := web.StateOf(c).Subject
	var f views.Form
	if err := s.Identity.UnblockAuthenticator(c.Request().Context(), sub.ID, a.ID, sub.MeansID, identity.ActorCitizen); err != nil {
		return s.FieldOrError(c, &f, err, "", func() error {
			return s.Render(c, web.StatusInvalid, views.UnblockMeans(views.UnblockMeansView{Means: meansView(a, f), Refused: true}))
		})
	}
	return s.Redirect(c, "/mitid?done=means_unblocked")
}
