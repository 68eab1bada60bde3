package handlers

import (
	"bytes"
	"net/http"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"
)

// render writes comp as the whole answer. It renders into a buffer first, so a failing
// component becomes an error page and never half a page, then saves a changed session (a
// form rendered for the first time creates one for its CSRF token), then writes.
//
// A form shown again (statusInvalid) whose answer carries Retry-After (markThrottled) goes out
// as 429 Too Many Requests.
func (s *Server) render(c echo.Context, status int, comp templ.Component) error {
	if status == statusInvalid && c.Response().Header().Get("Retry-After") != "" {
		status = http.StatusTooManyRequests
	}
	var buf bytes.Buffer
	if err := comp.Render(c.Request().Context(), &buf); err != nil {
		return err
	}
	if err := s.saveSession(c); err != nil {
		return err
	}
	return c.HTMLBlob(status, buf.Bytes())
}

// redirect answers a form with 303 See Other after saving a changed session.
func (s *Server) redirect(c echo.Context, url string) error {
	if err := s.saveSession(c); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, url)
}
