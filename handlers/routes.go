package handlers

import (
	"net/http"
	"slices"

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

		// Login (DESIGN.md §3.2): username, then a means. Chip and app routes are in chip.go
		// and app.go.
		{http.MethodGet, "/log-ind", Public, s.loginPage},
		{http.MethodPost, "/log-ind", Public, s.loginSubmit},
		{http.MethodGet, "/log-ind/metode", Public, s.loginMethod},
		{http.MethodGet, "/log-ind/kode", Public, s.loginCodePage},
		{http.MethodPost, "/log-ind/kode", Public, s.loginCodeSubmit},

		// Creating a MitID by activation letter (§3.4 path 1).
		{http.MethodGet, "/opret", Public, s.createStart},
		{http.MethodPost, "/opret", Public, s.createStartSubmit},
		{http.MethodGet, "/opret/kode", Public, s.createCode},
		{http.MethodPost, "/opret/kode", Public, s.createCodeSubmit},
		{http.MethodGet, "/opret/bruger", Public, s.createUser},
		{http.MethodPost, "/opret/bruger", Public, s.createUserSubmit},
		{http.MethodGet, "/opret/middel", Public, s.createMeans},
		{http.MethodGet, "/opret/kodeviser", Public, s.createToken},
		{http.MethodPost, "/opret/kodeviser", Public, s.createTokenSubmit},
		{http.MethodGet, "/opret/faerdig", Public, s.createDone},

		// Blocking for anyone (§3.6).
		{http.MethodGet, "/spaer", Public, s.publicBlockPage},
		{http.MethodPost, "/spaer", Public, s.publicBlockSubmit},

		// Self-service (§3.3): pages need a substantial login, changes a recent one.
		{http.MethodGet, "/mitid", CitizenPages, s.overview},
		{http.MethodGet, "/mitid/middel/:id/omdoeb", CitizenRecent, s.renamePage},
		{http.MethodPost, "/mitid/middel/:id/omdoeb", CitizenRecent, s.renameSubmit},
		{http.MethodGet, "/mitid/middel/:id/spaer", CitizenPages, s.blockMeansPage},
		{http.MethodPost, "/mitid/middel/:id/spaer", CitizenPages, s.blockMeansSubmit},
		{http.MethodGet, "/mitid/middel/:id/fjern", CitizenRecent, s.removeMeansPage},
		{http.MethodPost, "/mitid/middel/:id/fjern", CitizenRecent, s.removeMeansSubmit},
		{http.MethodGet, "/mitid/kodeviser/tilfoej", CitizenRecent, s.addTokenPage},
		{http.MethodPost, "/mitid/kodeviser/tilfoej", CitizenRecent, s.addTokenSubmit},
		{http.MethodGet, "/mitid/adgangskode", CitizenRecent, s.passwordPage},
		{http.MethodPost, "/mitid/adgangskode", CitizenRecent, s.passwordSubmit},
		{http.MethodGet, "/mitid/brugernavn", CitizenRecent, s.usernamePage},
		{http.MethodPost, "/mitid/brugernavn", CitizenRecent, s.usernameSubmit},
		{http.MethodGet, "/mitid/aktivitet", CitizenPages, s.activityPage},
		{http.MethodGet, "/mitid/sessioner", CitizenPages, s.sessionsPage},
		{http.MethodPost, "/mitid/sessioner/log-ud-alle", CitizenPages, s.logoutEverywhere},
		// Blocking protects, so it asks for no recent login: a stolen phone must be stoppable
		// from a session that is an hour old.
		{http.MethodGet, "/mitid/spaer", CitizenPages, s.blockMitIDPage},
		{http.MethodPost, "/mitid/spaer", CitizenPages, s.blockMitIDSubmit},
		{http.MethodGet, "/mitid/post", CitizenPages, s.lettersPage},
		{http.MethodGet, "/mitid/post/:id", CitizenPages, s.letterPDF},

		// Demo only: what the portal has "sent" (404 outside demo mode).
		{http.MethodGet, "/demo/post", Public, s.demoMailbox},
		{http.MethodGet, "/demo/post/brev/:id", Public, s.demoLetterPDF},
	}
}

// table is the whole route table: the routes above and those of the areas with files of
// their own.
func (s *Server) allRoutes() []Route {
	return slices.Concat(s.routes(), s.chipRoutes(), s.appRoutes(), s.staffRoutes(), s.deskRoutes(),
		s.deskCitizenRoutes(), s.contactRoutes(), s.myCasesRoutes(), s.dashboardRoutes(), s.auditRoutes())
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
