package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// Route is one entry of the route table: every route declares the roles it admits.
type Route struct {
	Method  string
	Path    string
	Access  Access
	Handler echo.HandlerFunc
}

// routes is the whole route table of the portal, in one place.
func (s *Server) routes() []Route {
	return []Route{
		// Operations.
		{http.MethodGet, "/healthz", Public, s.healthz},
		{http.MethodGet, "/readyz", Public, s.readyz},
		{http.MethodGet, "/metrics", Public, s.metricsPage},

		// Public pages.
		{http.MethodGet, "/", Public, s.home},
		{http.MethodGet, "/kontakt", Public, s.contact},
		{http.MethodGet, "/tilgaengelighed", Public, s.accessibility},
		{http.MethodGet, "/privatliv", Public, s.privacy},
		{http.MethodGet, "/cookies", Public, s.cookies},

		// Session.
		{http.MethodPost, "/log-ud", LoggedIn, s.logout},
	}
}

// register adds the middleware chain and every route with its access check.
func (s *Server) register() {
	e := s.echo
	e.Pre(s.requestID)
	e.Use(s.accessLog, s.recoverPanic, s.securityHeaders)
	e.GET("/static/*", echo.WrapHandler(http.StripPrefix("/static/", s.Assets.Handler())))
	for _, r := range s.table {
		e.Add(r.Method, r.Path, r.Handler, s.pageContext, s.authorize(r.Access), s.csrf)
	}
	// Unknown paths still get the language, session and layout of a normal page.
	e.RouteNotFound("/*", func(c echo.Context) error { return echo.ErrNotFound }, s.pageContext)
}

// routeAllowed reports whether there is a route for method and path; the front page uses it to
// show only the ways in that exist.
func (s *Server) routeAllowed(method, path string) bool {
	for _, r := range s.table {
		if r.Method == method && r.Path == path {
			return true
		}
	}
	return false
}
