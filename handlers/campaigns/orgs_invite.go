package campaigns

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"mitidportal/campaign"
	"mitidportal/handlers/web"
	"mitidportal/session"
	"mitidportal/views"
)

func invitationHref(token string) string {
	return "/organisationer/invitation/" + url.PathEscape(token)
}

// InvitationPage is where the mailed link leads: the organisation and the role it offers, a
// MitID login that comes back here, and then the "Accept" button. The GET spends nothing, so
// a mail scanner that follows the link accepts nothing.
func (s *Handlers) InvitationPage(c echo.Context) error {
	token := c.Param("token")
	org, role, err := s.Orgs.InvitationOf(c.Request().Context(), token)
	if errors.Is(err, campaign.ErrInvitationInvalid) || errors.Is(err, campaign.ErrNotFound) {
		return s.Render(c, http.StatusNotFound, views.OrgInvitationInvalid())
	}
	if err != nil {
		return err
	}
	sub := web.StateOf(c).Subject
	here := invitationHref(token)
	return s.Render(c, http.StatusOK, views.OrgInvitation(views.OrgInvitationView{
		OrgName: org.Name, KindID: org.Kind.MsgID(), RoleID: "campaignorgs.role_as." + string(role), Action: here,
		LoginURL: "/log-ind?next=" + url.QueryEscape(here),
		LoggedIn: sub.Kind == session.KindCitizen, Staff: sub.Kind == session.KindStaff}))
}

// InvitationAccept spends the invitation for the logged-in citizen. The session gets the
// organisation roles at once (under a new session ID, as a login does): the citizen has just
// proved who they are with MitID and pressed "Accept", so being asked to log in again before
// the organisation's page opens would only be in the way.
func (s *Handlers) InvitationAccept(c echo.Context) error {
	m, err := s.Orgs.Accept(c.Request().Context(), c.Param("token"), web.StateOf(c).Subject.ID)
	if errors.Is(err, campaign.ErrInvitationInvalid) {
		return s.Render(c, http.StatusNotFound, views.OrgInvitationInvalid())
	}
	if err != nil {
		return err
	}
	if err := s.refreshRoles(c); err != nil {
		return err
	}
	return s.Redirect(c, orgHref(m.Org.ID)+"?done=joined")
}

// refreshRoles gives the logged-in citizen's session the organisation roles their memberships
// carry now (as the login does, handlers/citizen/login.go), under a new session ID and CSRF
// token, since the session's rights change.
func (s *Handlers) refreshRoles(c echo.Context) error {
	sub := web.StateOf(c).Subject
	ms, err := s.Orgs.MembershipsOf(c.Request().Context(), sub.ID)
	if err != nil {
		return err
	}
	roles := []string{string(web.Citizen)}
	admin := false
	for _, m := range ms {
		admin = admin || m.Role == campaign.RoleAdmin
	}
	if len(ms) > 0 {
		roles = append(roles, string(web.OrgMember))
	}
	if admin {
		roles = append(roles, string(web.OrgAdmin))
	}
	sub.Roles = roles
	return s.LogIn(c, sub)
}
