package web

import (
	"github.com/gorilla/sessions"
	"github.com/jackc/pgx/v5"
	"github.com/labstack/echo/v4"

	"mitidportal/session"
)

// Preloader queues a page's reads into the round trip that loads the request's session
// (session.Preload) and returns what the page reads back after it (Preloaded), filled in once
// the batch has run. The page must check that the results belong to the request's subject.
type Preloader func(b *pgx.Batch, ref session.Ref) any

// Preload makes the route read its data together with the session (the route table declares
// it): a logged-in page that would wait for PostgreSQL twice (the session, then the page) waits
// once.
func (a Access) Preload(p Preloader) Access { a.preload = p; return a }

// Preloaded is what the route's Preloader returned for this request, or nil when it has none
// or the request carried no session cookie.
func Preloaded(c echo.Context) any { return c.Get(keyPreloaded) }

// loadSession loads the request's session, with the route's preload when it has one.
func (s *Site) loadSession(c echo.Context) (*sessions.Session, error) {
	p := s.routes[c.Request().Method+" "+c.Path()].preload
	if p == nil {
		return s.Sessions.New(c.Request(), sessionName)
	}
	return s.Sessions.NewWith(c.Request(), sessionName, func(b *pgx.Batch, ref session.Ref) {
		c.Set(keyPreloaded, p(b, ref))
	})
}
