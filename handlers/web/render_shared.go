package web

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"strconv"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"mitidportal/views"
)

// RenderShared renders a public page whose HTML, for a visitor without a session, depends only
// on its route, the language and the minute (the footer's support status): the front page,
// the contact page. Such a visitor gets the page rendered once per route, language and minute,
// with this response's own CSP nonce put in; the render was most of these pages' CPU. A page
// with a form (it asks for a CSRF token), a request with a session, a query string or a path
// other than the route's pattern is rendered as Render does. The page must not show anything
// else of the request: TestSharedPagesAsRendered compares them byte for byte.
func (s *Site) RenderShared(c echo.Context, comp templ.Component) error {
	st := StateOf(c)
	r := c.Request()
	if s.shared == nil || !st.Sess.IsNew || st.Dirty || st.Page.User != nil || len(st.Page.Nav) > 0 || r.URL.RawQuery != "" ||
		r.URL.Path != c.Path() || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
		return s.Render(c, http.StatusOK, comp)
	}
	key := st.Lang + " " + c.Path()
	p, ok := s.shared.Lookup(key, st.minute)
	if !ok {
		var err error
		if p, err = s.renderShared(c, st, comp); err != nil {
			return err
		}
		s.shared.Put(key, st.minute, p)
	}
	if p.perRequest {
		return s.Render(c, http.StatusOK, comp)
	}
	buf := pageBuffers.Get().(*bytes.Buffer)
	defer putPageBuffer(buf)
	p.writeTo(buf, st.Page.Nonce)
	c.Response().Header().Set(echo.HeaderContentLength, strconv.Itoa(buf.Len()))
	return c.HTMLBlob(http.StatusOK, buf.Bytes())
}

// renderShared renders comp as every visitor without a session sees it, with a stand-in for
// the nonce; a page that asks for a CSRF token is marked to be rendered per request.
func (s *Site) renderShared(c echo.Context, st *State, comp templ.Component) (sharedPage, error) {
	page := *st.Page
	page.Nonce = s.nonceStandIn
	page.Request = ""
	asked := false
	page.CSRF = func() string { asked = true; return "" }
	buf := pageBuffers.Get().(*bytes.Buffer)
	defer putPageBuffer(buf)
	if err := comp.Render(views.WithPage(c.Request().Context(), &page), buf); err != nil {
		return sharedPage{}, err
	}
	if asked {
		return sharedPage{perRequest: true}, nil
	}
	return sharedPage{parts: bytes.Split(bytes.Clone(buf.Bytes()), []byte(s.nonceStandIn))}, nil
}

// sharedPage is a page split where the nonce goes, or perRequest for one that has a form.
type sharedPage struct {
	parts      [][]byte
	perRequest bool
}

func (p sharedPage) writeTo(buf *bytes.Buffer, nonce string) {
	for i, part := range p.parts {
		if i > 0 {
			buf.WriteString(nonce)
		}
		buf.Write(part)
	}
}

// newNonceStandIn is a random stand-in for the nonce, of a nonce's length and alphabet, that
// no page holds otherwise.
func newNonceStandIn() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}
