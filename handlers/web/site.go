// Package web is the shared core of the portal's HTTP layer, which every area of pages
// (handlers/citizen, handlers/desk) builds on: the request's page state and session values,
// rendering and redirects, form fields and their input rules, CSRF, the middleware, the
// error page, the roles a route admits, the footer, and the WebAuthn ceremony plumbing of the
// citizen chip and the staff key. It holds no pages of its own.
package web

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"

	"mitidportal/assets"
	"mitidportal/locales"
	"mitidportal/session"
	"mitidportal/support"
)

// Config is the part of the portal's configuration the HTTP layer needs.
type Config struct {
	// Secure is true when the portal is served over https: cookies get the Secure flag and
	// the __Host- prefix, and HSTS is sent.
	Secure       bool
	SupportPhone string
	BlockPhone   string
	// Demo shows the demo notice and enables demo-only pages.
	Demo bool
	// MetricsToken, when set, is required as a bearer token on /metrics. Outside demo mode
	// /metrics is refused without one.
	MetricsToken string
	// MetricsOwnAddr says metrics are served on a separate address (MetricsHandler); the
	// portal's own /metrics is then not found.
	MetricsOwnAddr bool
	// BaseURL is where people reach the portal, for links in pages (the app's pairing QR code).
	BaseURL string
	// TrustProxy takes the client address from X-Forwarded-For, set by the load balancer in
	// front; without it the peer address counts, so a client cannot choose its own address to
	// escape throttling.
	TrustProxy bool
	// CSRFKey is the 32-byte HMAC key that signs the CSRF cookie of visitors without a
	// session (csrf.go), so a form costs no database write until it is sent.
	CSRFKey []byte
}

// Site is what every page needs, whatever its area: the configuration, the log, sessions,
// translations, assets and the support schedule of the footer.
type Site struct {
	Config   Config
	Log      *slog.Logger
	Sessions *session.Store
	Catalog  *locales.Catalog
	Assets   *assets.Assets
	Schedule support.Schedule
	// Now is the clock.
	Now func() time.Time
	// Reauth answers a citizen whose login is too weak or too old for the route (the citizen
	// area's login decides how to ask again).
	Reauth echo.HandlerFunc

	metrics *httpMetrics
	routes  map[string]Access // "METHOD path" of every route
	footers *PeriodCache[pageFooter]
	// shared are public pages as a visitor without a session sees them, per route and
	// language, for the current minute (RenderShared); nonceStandIn marks their nonce.
	shared       *PeriodCache[sharedPage]
	nonceStandIn string
}

// NewSite builds the core and registers its HTTP metrics in reg.
func NewSite(s Site, reg *prometheus.Registry) *Site {
	s.metrics = newHTTPMetrics(reg)
	s.footers = &PeriodCache[pageFooter]{}
	s.shared = &PeriodCache[sharedPage]{}
	s.nonceStandIn = newNonceStandIn()
	return &s
}

// Declare tells the core that a route exists and whom it admits: the front page and the
// staff navigation show only the pages that exist and that the person may open.
func (s *Site) Declare(method, path string, a Access) {
	if s.routes == nil {
		s.routes = map[string]Access{}
	}
	s.routes[method+" "+path] = a
}

// RouteExists reports whether there is a route for method and path.
func (s *Site) RouteExists(method, path string) bool {
	_, ok := s.routes[method+" "+path]
	return ok
}

// PageAllows reports whether a GET of path is a route that admits roles.
func (s *Site) PageAllows(path string, roles []Role) bool {
	a, ok := s.routes[http.MethodGet+" "+path]
	return ok && a.Allows(roles)
}
