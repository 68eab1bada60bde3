package handlers

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"mitidportal/identity"
	"mitidportal/views"
)

// loginPage is the first step of a login: the username. A person sent here to log in again
// finds their username filled in.
func (s *Server) loginPage(c echo.Context) error {
	v := views.LoginView{Next: safeNext(c.QueryParam("next")), Reauth: c.QueryParam("reauth") == "1"}
	if ls, ok := s.pendingLogin(c); ok && v.Reauth {
		v.Form.Values = map[string]string{"username": ls.Username}
	}
	return s.render(c, http.StatusOK, views.Login(v))
}

// loginSubmit keeps the username in the session and goes on to the choice of means. Whether
// the username exists is not looked up here: every username gets the same next page.
func (s *Server) loginSubmit(c echo.Context) error {
	f := formOf(c, "username")
	next := safeNext(c.FormValue("next"))
	require(&f, f.Values, [2]string{"username", "form.err.username_required"})
	if f.HasErrors() {
		return s.render(c, statusInvalid, views.Login(views.LoginView{Form: f, Next: next}))
	}
	s.setPendingLogin(c, loginState{Username: f.Values["username"], Next: next, Service: portalService})
	return s.redirect(c, "/log-ind/metode")
}

// loginMethod offers the means. It shows all of them to everybody, so it tells nothing about
// which means a username has.
func (s *Server) loginMethod(c echo.Context) error {
	ls, ok := s.pendingLogin(c)
	if !ok {
		return s.redirect(c, "/log-ind")
	}
	return s.render(c, http.StatusOK, views.LoginMethod(views.LoginMethodView{Username: ls.Username}))
}

// loginCodePage asks for the password and the code of a code display or audio code reader.
func (s *Server) loginCodePage(c echo.Context) error {
	ls, ok := s.pendingLogin(c)
	if !ok {
		return s.redirect(c, "/log-ind")
	}
	return s.render(c, http.StatusOK, views.LoginCode(views.LoginCodeView{Username: ls.Username}))
}

// loginCodeSubmit checks password and code together. The answer to anything wrong is the same
// (identity.ErrLoginFailed): it never says whether the username, the password or the code was.
func (s *Server) loginCodeSubmit(c echo.Context) error {
	ls, ok := s.pendingLogin(c)
	if !ok {
		return s.redirect(c, "/log-ind")
	}
	password, code := secretField(c, "password"), field(c, "code")
	var f views.Form
	inputErrors(c, &f)
	require(&f, map[string]string{"password": password, "code": code},
		[2]string{"password", "form.err.password_required"}, [2]string{"code", "form.err.code_required"})
	if !f.HasErrors() {
		l, err := s.Identity.LoginWithCode(c.Request().Context(), identity.LoginInput{
			Username: ls.Username, Password: password, Code: code, Service: ls.Service,
			ClientAddr: s.clientAddr(c),
		})
		if err == nil {
			return s.finishLogin(c, l)
		}
		if errors.Is(err, identity.ErrMitIDBlocked) {
			return s.renderIdentityError(c, err)
		}
		markThrottled(c, err)
		fe, err := ruleError(err, "password")
		if err != nil {
			return err
		}
		f.Errors = append(f.Errors, fe)
	}
	return s.render(c, statusInvalid, views.LoginCode(views.LoginCodeView{Username: ls.Username, Form: f}))
}

// finishLogin completes a login; a temporary password issued by support must be changed first,
// so the login then goes to the change-password page whatever the person asked for.
func (s *Server) finishLogin(c echo.Context, l identity.Login) error {
	if l.MustChangePassword {
		s.setPendingLogin(c, loginState{Username: l.MitID.Username, Next: "/mitid/adgangskode", Service: portalService})
	}
	return s.completeLogin(c, l)
}
