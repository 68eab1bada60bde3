package handlers

import (
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"

	"mitidportal/handlers/desk"
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
func (s *Server) routes(dk *desk.Handlers) []Route {
	deskStaff := web.Only(web.Agent, web.Supervisor)
	admin := web.Only(web.Admin)
	dash := web.Only(web.Supervisor, web.Admin)
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

		// auditRoutes: every staff member may read the audit log (DESIGN.md §5); nobody can change it
		// through the application — there is no route that writes to it but the actions themselves.
		{http.MethodGet, "/medarbejder/revision", web.AnyStaff, dk.AuditLogPage},

		// dashboardRoutes are the supervisor dashboard's pages: the figures of the desk over a period
		// (?fra=YYYY-MM-DD&til=YYYY-MM-DD) and the same figures as CSV.
		{http.MethodGet, "/medarbejder/overblik", dash, dk.Dashboard},
		{http.MethodGet, "/medarbejder/overblik.csv", dash, dk.DashboardCSV},

		// deskRoutes are the workspace's routes.
		{http.MethodGet, "/medarbejder/sager", deskStaff, dk.Queues},
		// A search by CPR number or username is an audited look-up, so it takes a POST.
		{http.MethodPost, "/medarbejder/sager/soeg", deskStaff, dk.Queues},
		{http.MethodGet, "/medarbejder/sager/ny", deskStaff, dk.NewPage},
		{http.MethodPost, "/medarbejder/sager/ny", deskStaff, dk.NewSubmit},
		{http.MethodGet, "/medarbejder/sager/:ref", deskStaff, dk.CasePage},
		{http.MethodPost, "/medarbejder/sager/:ref/svar", deskStaff, dk.Reply},
		{http.MethodPost, "/medarbejder/sager/:ref/note", deskStaff, dk.Note},
		{http.MethodPost, "/medarbejder/sager/:ref/opkald", deskStaff, dk.Call},
		{http.MethodPost, "/medarbejder/sager/:ref/status", deskStaff, dk.SetStatus},
		{http.MethodPost, "/medarbejder/sager/:ref/tildel", deskStaff, dk.SetAssignee},
		{http.MethodPost, "/medarbejder/sager/:ref/tags", deskStaff, dk.SetTags},

		{http.MethodGet, "/medarbejder/borger/:id", deskStaff, dk.CitizenCard},
		{http.MethodPost, "/medarbejder/borger/:id/aabn", deskStaff, dk.CitizenOpen},
		{http.MethodPost, "/medarbejder/borger/:id/bekraeft", deskStaff, dk.VerifyStart},
		{http.MethodGet, "/medarbejder/borger/:id/bekraeft/:req/status", deskStaff, dk.VerifyStatus},
		{http.MethodPost, "/medarbejder/borger/:id/bekraeft/:req/svar", deskStaff, dk.VerifyRecord},
		{http.MethodPost, "/medarbejder/borger/:id/spaer", deskStaff, dk.BlockMitID},
		{http.MethodPost, "/medarbejder/borger/:id/middel/spaer", deskStaff, dk.BlockMeans},
		{http.MethodPost, "/medarbejder/borger/:id/midlertidig-adgangskode", deskStaff, dk.TemporaryPassword},
		{http.MethodPost, "/medarbejder/borger/:id/aktiveringskode", deskStaff, dk.ActivationCode},

		// staffRoutes are the staff login, enrolment, start and admin pages.
		{http.MethodGet, "/medarbejder/log-ind", web.Public, dk.LoginPage},
		{http.MethodPost, "/medarbejder/log-ind", web.Public, dk.LoginSubmit},
		{http.MethodGet, "/medarbejder/log-ind/noegle", web.Public, dk.KeyPage},
		{http.MethodPost, "/medarbejder/log-ind/noegle/begin", web.Public, dk.KeyBegin},
		{http.MethodPost, "/medarbejder/log-ind/noegle/finish", web.Public, dk.KeyFinish},
		// The one-time link from `portal staff create` and the admin page.
		{http.MethodGet, "/medarbejder/tilmeld/:token", web.Public, dk.EnrolLink},
		{http.MethodGet, "/medarbejder/tilmeld", web.Public, dk.EnrolPage},
		{http.MethodPost, "/medarbejder/tilmeld", web.Public, dk.EnrolSubmit},
		{http.MethodGet, "/medarbejder/tilmeld/noegle", web.Public, dk.EnrolKeyPage},
		{http.MethodPost, "/medarbejder/tilmeld/noegle/begin", web.Public, dk.EnrolBegin},
		{http.MethodPost, "/medarbejder/tilmeld/noegle/finish", web.Public, dk.EnrolFinish},

		{http.MethodGet, "/medarbejder", web.AnyStaff, dk.Home},
		{http.MethodGet, "/medarbejder/admin/brugere", admin, dk.UsersPage},
		{http.MethodPost, "/medarbejder/admin/brugere", admin, dk.CreateUser},
		{http.MethodGet, "/medarbejder/admin/brugere/:id", admin, dk.UserPage},
		{http.MethodPost, "/medarbejder/admin/brugere/:id/roller", admin, dk.SetRoles},
		{http.MethodPost, "/medarbejder/admin/brugere/:id/deaktiver", admin, dk.Disable},
		{http.MethodPost, "/medarbejder/admin/brugere/:id/aktiver", admin, dk.Enable},

		// Demo only: what the portal has "sent" (404 outside demo mode).
		{http.MethodGet, "/demo/post", web.Public, s.demoMailbox},
		{http.MethodGet, "/demo/post/brev/:id", web.Public, s.demoLetterPDF},
	}
}

// table is the whole route table: the routes above and those of the areas with files of
// their own.
func (s *Server) allRoutes(dk *desk.Handlers) []Route {
	return slices.Concat(s.routes(dk), s.chipRoutes(), s.appRoutes(),
		s.contactRoutes(), s.myCasesRoutes())
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
