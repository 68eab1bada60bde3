package handlers

import (
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"

	"mitidportal/handlers/web"
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
		{http.MethodGet, "/healthz", web.Public, s.healthz},
		{http.MethodGet, "/readyz", web.Public, s.readyz},
		{http.MethodGet, "/metrics", web.Public, s.metricsPage},

		// Public pages.
		{http.MethodGet, "/", web.Public, s.home},
		{http.MethodGet, "/kontakt", web.Public, s.contact},
		{http.MethodGet, "/tilgaengelighed", web.Public, s.accessibility},
		{http.MethodGet, "/privatliv", web.Public, s.privacy},
		{http.MethodGet, "/cookies", web.Public, s.cookies},

		// Session.
		{http.MethodPost, "/log-ud", web.LoggedIn, s.logout},

		// Login (DESIGN.md §3.2): username, then a means. Chip and app routes are in chip.go
		// and app.go.
		{http.MethodGet, "/log-ind", web.Public, s.loginPage},
		{http.MethodPost, "/log-ind", web.Public, s.loginSubmit},
		{http.MethodGet, "/log-ind/metode", web.Public, s.loginMethod},
		{http.MethodGet, "/log-ind/kode", web.Public, s.loginCodePage},
		{http.MethodPost, "/log-ind/kode", web.Public, s.loginCodeSubmit},

		// Creating a MitID by activation letter (§3.4 path 1).
		{http.MethodGet, "/opret", web.Public, s.createStart},
		{http.MethodPost, "/opret", web.Public, s.createStartSubmit},
		{http.MethodGet, "/opret/kode", web.Public, s.createCode},
		{http.MethodPost, "/opret/kode", web.Public, s.createCodeSubmit},
		{http.MethodGet, "/opret/bruger", web.Public, s.createUser},
		{http.MethodPost, "/opret/bruger", web.Public, s.createUserSubmit},
		{http.MethodGet, "/opret/middel", web.Public, s.createMeans},
		{http.MethodGet, "/opret/kodeviser", web.Public, s.createToken},
		{http.MethodPost, "/opret/kodeviser", web.Public, s.createTokenSubmit},
		{http.MethodGet, "/opret/faerdig", web.Public, s.createDone},

		// Blocking for anyone (§3.6).
		{http.MethodGet, "/spaer", web.Public, s.publicBlockPage},
		{http.MethodPost, "/spaer", web.Public, s.publicBlockSubmit},

		// Self-service (§3.3): pages need a substantial login, changes a recent one.
		{http.MethodGet, "/mitid", web.CitizenPages, s.overview},
		{http.MethodGet, "/mitid/middel/:id/omdoeb", web.CitizenRecent, s.renamePage},
		{http.MethodPost, "/mitid/middel/:id/omdoeb", web.CitizenRecent, s.renameSubmit},
		{http.MethodGet, "/mitid/middel/:id/spaer", web.CitizenPages, s.blockMeansPage},
		{http.MethodPost, "/mitid/middel/:id/spaer", web.CitizenPages, s.blockMeansSubmit},
		{http.MethodGet, "/mitid/middel/:id/fjern", web.CitizenRecent, s.removeMeansPage},
		{http.MethodPost, "/mitid/middel/:id/fjern", web.CitizenRecent, s.removeMeansSubmit},
		{http.MethodGet, "/mitid/kodeviser/tilfoej", web.CitizenRecent, s.addTokenPage},
		{http.MethodPost, "/mitid/kodeviser/tilfoej", web.CitizenRecent, s.addTokenSubmit},
		{http.MethodGet, "/mitid/adgangskode", web.CitizenRecent, s.passwordPage},
		{http.MethodPost, "/mitid/adgangskode", web.CitizenRecent, s.passwordSubmit},
		{http.MethodGet, "/mitid/brugernavn", web.CitizenRecent, s.usernamePage},
		{http.MethodPost, "/mitid/brugernavn", web.CitizenRecent, s.usernameSubmit},
		{http.MethodGet, "/mitid/aktivitet", web.CitizenPages, s.activityPage},
		{http.MethodGet, "/mitid/sessioner", web.CitizenPages, s.sessionsPage},
		{http.MethodPost, "/mitid/sessioner/log-ud-alle", web.CitizenPages, s.logoutEverywhere},
		// Blocking protects, so it asks for no recent login: a stolen phone must be stoppable
		// from a session that is an hour old.
		{http.MethodGet, "/mitid/spaer", web.CitizenPages, s.blockMitIDPage},
		{http.MethodPost, "/mitid/spaer", web.CitizenPages, s.blockMitIDSubmit},
		{http.MethodGet, "/mitid/post", web.CitizenPages, s.lettersPage},
		{http.MethodGet, "/mitid/post/:id", web.CitizenPages, s.letterPDF},

		// Demo only: what the portal has "sent" (404 outside demo mode).
		{http.MethodGet, "/demo/post", web.Public, s.demoMailbox},
		{http.MethodGet, "/demo/post/brev/:id", web.Public, s.demoLetterPDF},
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
	e, w := s.echo, s.site
	e.Pre(w.RequestID)
	e.Use(w.AccessLog, w.RecoverPanic, w.SecurityHeaders)
	e.GET("/static/*", echo.WrapHandler(http.StripPrefix("/static/", s.Assets.Handler())))
	for _, r := range s.table {
		e.Add(r.Method, r.Path, r.Handler, w.PageContext, w.Authorize(r.Access), w.CSRF)
		w.Declare(r.Method, r.Path, r.Access)
	}
	// Unknown paths still get the language, session and layout of a normal page.
	e.RouteNotFound("/*", func(c echo.Context) error { return echo.ErrNotFound }, w.PageContext)
}
