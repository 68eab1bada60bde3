package citizen

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"mitidportal/handlers/web"
	"mitidportal/identity"
	"mitidportal/views"
)

// LoginPage is the first step of a login: the username. A person sent here to log in again
// finds their username filled in.
func (s *Handlers) LoginPage(c echo.Context) error {
	v := views.LoginView{Next: web.SafeNext(c.QueryParam("next")), Reauth: c.QueryParam("reauth") == "1"}
	if ls, ok := s.PendingLogin(c); ok && v.Reauth {
		v.Form.Values = map[string]string{"username": ls.Username}
	}
	return s.Render(c, http.StatusOK, views.Login(v))
}

// LoginSubmit keeps the username in the session and goes on to the choice of means. Whether
// the username exists is not looked up here: every username gets the same next page.
func (s *Handlers) LoginSubmit(c echo.Context) error {
	f := web.FormOf(c, "username")
	next := web.SafeNext(c.FormValue("next"))
	web.Require(&f, f.Values, [2]string{"username", "form.err.username_required"})
	if f.HasErrors() {
		return s.Render(c, web.StatusInvalid, views.Login(views.LoginView{Form: f, Next: next}))
	}
	s.SetPendingLogin(c, web.LoginState{Username: f.Values["username"], Next: next, Service: web.PortalService})
	return s.Redirect(c, "/log-ind/metode")
}

// LoginMethod offers the means. It shows all of them to everybody, so it tells nothing about
// which means a username has.
func (s *Handlers) LoginMethod(c echo.Context) error {
	ls, ok := s.PendingLogin(c)
	if !ok {
		return s.Redirect(c, "/log-ind")
	}
	return s.Render(c, http.StatusOK, views.LoginMethod(views.LoginMethodView{Username: ls.Username}))
}

// LoginCodePage asks for the password and the code of a code display or audio code reader.
func (s *Handlers) LoginCodePage(c echo.Context) error {
	ls, ok := s.PendingLogin(c)
	if !ok {
		return s.Redirect(c, "/log-ind")
	}
	return s.Render(c, http.StatusOK, views.LoginCode(views.LoginCodeView{Username: ls.Username}))
}

// LoginCodeSubmit checks password and code together. The answer to anything wrong is the same
// (identity.ErrLoginFailed): it never says whether the username, the password or the code was.
func (s *Handlers) LoginCodeSubmit(c echo.Context) error {
	ls, ok := s.PendingLogin(c)
	if !ok {
		return s.Redirect(c, "/log-ind")
	}
	password, code := web.SecretField(c, "password"), web.Field(c, "code")
	var f views.Form
	web.InputErrors(c, &f)
	web.Require(&f, map[string]string{"password": password, "code": code},
		[2]string{"password", "form.err.password_required"}, [2]string{"code", "form.err.code_required"})
	if !f.HasErrors() {
		l, err := s.Identity.LoginWithCode(c.Request().Context(), identity.LoginInput{
			Username: ls.Username, Password: password, Code: code, Service: ls.Service,
			ClientAddr: s.ClientAddr(c),
		})
		if err == nil {
			return s.completeLogin(c, l)
		}
		if errors.Is(err, identity.ErrMitIDBlocked) {
			return s.RenderIdentityError(c, err)
		}
		web.MarkThrottled(c, err)
		fe, err := web.RuleError(err, "password")
		if err != nil {
			return err
		}
		f.Errors = append(f.Errors, fe)
	}
	return s.Render(c, web.StatusInvalid, views.LoginCode(views.LoginCodeView{Username: ls.Username, Form: f}))
}
