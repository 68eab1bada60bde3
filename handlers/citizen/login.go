package citizen

import (
	"context"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"mitidportal/campaign"
	"mitidportal/handlers/web"
	"mitidportal/identity"
	"mitidportal/session"
)

// completeLogin turns a successful login into a logged-in session (establishLogin) and
// redirects to where the person was going.
func (s *Handlers) completeLogin(c echo.Context, l identity.Login) error {
	next, err := s.establishLogin(c, l)
	if err != nil {
		return err
	}
	return s.Redirect(c, next)
}

// establishLogin stores the login in the session: the subject with the level reached, the
// means used, whether a temporary password must be changed first, and the time, a new session ID (an ID planted before the login is worthless after it) and a new CSRF
// token. It returns where to go next; JSON endpoints (the chip ceremony) hand that to the page.
func (s *Handlers) establishLogin(c echo.Context, l identity.Login) (string, error) {
	ls, _ := s.PendingLogin(c)
	person, err := s.Persons.ByCPR(c.Request().Context(), l.MitID.CPR)
	if err != nil {
		return "", err
	}
	roles, err := s.citizenRoles(c.Request().Context(), l.MitID.ID)
	if err != nil {
		return "", err
	}
	sub := session.Subject{
		Kind: session.KindCitizen, ID: l.MitID.ID, Roles: roles,
		Level: string(l.Level), AuthenticatedAt: s.Now(), Name: person.FullName(),
		MeansID: l.Means.ID, MeansKind: string(l.Means.Kind), MustChangePassword: l.MustChangePassword,
	}
	if err := s.LogIn(c, sub, web.KeyLoginUsername, web.KeyLoginNext, web.KeyLoginService); err != nil {
		return "", err
	}
	next := web.SafeNext(ls.Next)
	if l.MustChangePassword {
		// A temporary password from support: the session reaches nothing else until a new
		// password is set (web.Access.DuringPasswordChange), so it is where the login goes.
		next = web.PasswordChangePath
	}
	if next == "" {
		next = "/mitid"
	}
	return next, nil
}

// citizenRoles are the roles of a citizen's login: citizen, and organisation member or admin
// for a member of an approved organisation.
func (s *Handlers) citizenRoles(ctx context.Context, mitidID int64) ([]string, error) {
	roles := []string{string(web.Citizen)}
	if s.Orgs == nil {
		return roles, nil
	}
	ms, err := s.Orgs.MembershipsOf(ctx, mitidID)
	if err != nil {
		return nil, err
	}
	member, admin := false, false
	for _, m := range ms {
		member = true
		admin = admin || m.Role == campaign.RoleAdmin
	}
	if member {
		roles = append(roles, string(web.OrgMember))
	}
	if admin {
		roles = append(roles, string(web.OrgAdmin))
	}
	return roles, nil
}

// AskReauth sends a citizen whose login is too weak or too old for the route to log in again,
// and back to the page afterwards. The username is filled in, since we know who it is.
func (s *Handlers) AskReauth(c echo.Context) error {
	st := web.StateOf(c)
	r := c.Request()
	next := r.URL.Path
	if r.Method == http.MethodGet {
		next = r.URL.RequestURI()
	}
	if m, err := s.Identity.MitID(r.Context(), st.Subject.ID); err == nil {
		s.SetPendingLogin(c, web.LoginState{Username: m.Username, Next: next, Service: web.PortalService})
	}
	target := "/log-ind?reauth=1&next=" + url.QueryEscape(web.SafeNext(next))
	if r.Header.Get("HX-Request") == "true" {
		if err := s.SaveSession(c); err != nil {
			return err
		}
		c.Response().Header().Set("HX-Redirect", target)
		return c.NoContent(http.StatusOK)
	}
	return s.Redirect(c, target)
}
