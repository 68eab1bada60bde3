package web

import (
	"bytes"
	"net/http"
	"strconv"
	"sync"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"
)

// Render writes comp as the whole answer. It renders into a buffer first, so a failing
// component becomes an error page and never half a page, then saves a changed session (a
// form rendered for the first time creates one for its CSRF token), then writes.
//
// A form shown again (StatusInvalid) whose answer carries Retry-After (markThrottled) goes out
// as 429 Too Many Requests.
func (s *Site) Render(c echo.Context, status int, comp templ.Component) error {
	if status == StatusInvalid && c.Response().Header().Get("Retry-After") != "" {
		status = http.StatusTooManyRequests
	}
	buf := pageBuffers.Get().(*bytes.Buffer)
	defer putPageBuffer(buf)
	if err := comp.Render(c.Request().Context(), buf); err != nil {
		return err
	}
	if err := s.SaveSession(c); err != nil {
		return err
	}
	// With its length known, net/http sends the page in one piece instead of in chunks.
	c.Response().Header().Set(echo.HeaderContentLength, strconv.Itoa(buf.Len()))
	return c.HTMLBlob(status, buf.Bytes())
}

// pageBuffers are reused between requests: a page grows its buffer to a few kilobytes, which
// otherwise is allocated and copied again several times on every request.
var pageBuffers = sync.Pool{New: func() any { return bytes.NewBuffer(make([]byte, 0, 16<<10)) }}

// putPageBuffer returns buf to the pool unless an unusually large page grew it: keeping that
// would hold its memory for the life of the process.
func putPageBuffer(buf *bytes.Buffer) {
	if buf.Cap() > 256<<10 {
		return
	}
	buf.Reset()
	pageBuffers.Put(buf)
}

// Redirect answers a form with 303 See Other after saving a changed session.
func (s *Site) Redirect(c echo.Context, url string) error {
	if err := s.SaveSession(c); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, url)
}

// ScriptJSON answers a ceremony step after saving the session that holds the ceremony.
func (s *Site) ScriptJSON(c echo.Context, v any) error {
	if err := s.SaveSession(c); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

// ScriptRedirect tells the page where to go: the script follows it.
func (s *Site) ScriptRedirect(c echo.Context, url string) error {
	return s.ScriptJSON(c, map[string]string{"redirect": url})
}

// ScriptFail answers with a message in the request's language, which the script shows in the
// form's status region.
func (s *Site) ScriptFail(c echo.Context, status int, msgID string, data ...map[string]any) error {
	if err := s.SaveSession(c); err != nil {
		return err
	}
	return c.JSON(status, map[string]string{"error": StateOf(c).Tr.T(msgID, data...)})
}
