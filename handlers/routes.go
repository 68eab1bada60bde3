package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"mitidportal/handlers/campaigns"
	"mitidportal/handlers/citizen"
	"mitidportal/handlers/desk"
	"mitidportal/handlers/web"
	"mitidportal/identity"
)

// Route is one entry of the route table: every route declares the roles it admits.
type Route struct {
	Method  string
	Path    string
	Access  Access
	Handler echo.HandlerFunc
}

// routes is the whole route table of the portal, in one place: every URL of every area and
// the roles that may call it. The areas (handlers/citizen, handlers/desk) register nothing
// themselves.
func (s *Server) routes(cit *citizen.Handlers, dk *desk.Handlers, cg *campaigns.Handlers) []Route {
	deskStaff := web.Only(web.Agent, web.Supervisor)
	dash := web.Only(web.Supervisor, web.Admin)
	admin := web.Only(web.Admin)
	fulfil := web.Only(web.Fulfilment)
	cannedStaff := web.Only(web.Agent, web.Supervisor, web.Admin)
	editor := web.Only(web.CampaignEditor)
	editorUpload := editor.Upload(campaigns.UploadBody)
	// Members and admins of an organisation; which organisation, and whether they are its admin,
	// package campaign checks on every request.
	orgPeople := web.Only(web.OrgMember, web.OrgAdmin).AtLevel(identity.LevelSubstantial)
	orgAdmin := web.Only(web.OrgAdmin).AtLevel(identity.LevelSubstantial)
	// The forum: citizens (their forum membership is checked on every request) and editors.
	// Signing up and answering are the members' own: editors look, they take no part.
	forumPeople := web.Only(web.Citizen, web.CampaignEditor).AtLevel(identity.LevelSubstantial)
	forumMembers := web.Only(web.Citizen).AtLevel(identity.LevelSubstantial)
	// A session logged in with a temporary password from support reaches only the routes
	// marked DuringPasswordChange (web.Access): setting the new password, logging out, logging
	// in again, the operational endpoints, the phone's app (authenticated by its device key,
	// not by this session) and the legally required information pages.
	always := web.Public.DuringPasswordChange()
	return []Route{
		// Operations.
		{http.MethodGet, "/healthz", always, s.healthz},
		{http.MethodGet, "/readyz", always, s.readyz},
		{http.MethodGet, "/metrics", always, s.metricsPage},

		// Public pages.
		{http.MethodGet, "/", web.Public, s.home},
		{http.MethodGet, "/kontakt", web.Public, s.contact},
		{http.MethodGet, "/tilgaengelighed", always, s.accessibility},
		{http.MethodGet, "/privatliv", always, s.privacy},
		{http.MethodGet, "/cookies", always, s.cookies},

		// Session.
		{http.MethodPost, "/log-ud", web.LoggedIn.DuringPasswordChange(), s.logout},

		// ---- Citizens (handlers/citizen).

		// Login (DESIGN.md §3.2): username, then a means.
		{http.MethodGet, "/log-ind", always, cit.LoginPage},
		{http.MethodPost, "/log-ind", always, cit.LoginSubmit},
		{http.MethodGet, "/log-ind/metode", always, cit.LoginMethod},
		{http.MethodGet, "/log-ind/kode", always, cit.LoginCodePage},
		{http.MethodPost, "/log-ind/kode", always, cit.LoginCodeSubmit},
		// The chip: its pages and ceremony endpoints.
		{http.MethodGet, "/log-ind/chip", always, cit.ChipLoginPage},
		{http.MethodPost, "/log-ind/chip/begin", always, cit.ChipLoginBegin},
		{http.MethodPost, "/log-ind/chip/finish", always, cit.ChipLoginFinish},
		{http.MethodGet, "/log-ind/chip/spaerret", always, cit.ChipBlockedPage},
		// The app: the browser's side of a login.
		{http.MethodPost, "/log-ind/app", always, cit.AppLoginStart},
		{http.MethodGet, "/log-ind/app", always, cit.AppLoginPage},
		{http.MethodGet, "/log-ind/app/status", always, cit.AppLoginStatus},
		// POST only (htmx posts the approved status's form): a GET finishes nothing. Finishing is
		// bound to this session's secret.
		{http.MethodPost, "/log-ind/app/fuldfoer", always, cit.AppLoginFinish},

		// The phone's app page and its JSON endpoints, authenticated by the device key's
		// signatures, so the routes are public.
		{http.MethodGet, "/app", always, cit.AppPage},
		{http.MethodPost, "/app/par", always, cit.AppPair},
		{http.MethodPost, "/app/anmodninger", always, cit.AppRequests},
		{http.MethodPost, "/app/svar", always, cit.AppAnswer},

		// Creating a MitID by activation letter (§3.4 path 1).
		{http.MethodGet, "/opret", web.Public, cit.CreateStart},
		{http.MethodPost, "/opret", web.Public, cit.CreateStartSubmit},
		// The creating browser's code step is the /aktiver form (any browser may use a code).
		{http.MethodGet, "/opret/kode", web.Public, cit.ActivatePage},
		{http.MethodPost, "/opret/kode", web.Public, cit.ActivateSubmit},
		{http.MethodGet, "/opret/bruger", web.Public, cit.CreateUser},
		{http.MethodPost, "/opret/bruger", web.Public, cit.CreateUserSubmit},
		{http.MethodGet, "/opret/middel", web.Public, cit.CreateMeans},
		{http.MethodGet, "/opret/kodeviser", web.Public, cit.CreateToken},
		{http.MethodPost, "/opret/kodeviser", web.Public, cit.CreateTokenSubmit},
		{http.MethodGet, "/opret/chip", web.Public, cit.ChipCreatePage},
		{http.MethodPost, "/opret/chip/begin", web.Public, cit.ChipCreateBegin},
		{http.MethodPost, "/opret/chip/finish", web.Public, cit.ChipCreateFinish},
		{http.MethodGet, "/opret/app", web.Public, cit.AppCreatePage},
		{http.MethodPost, "/opret/app", web.Public, cit.AppCreateStart},
		{http.MethodGet, "/opret/app/status", web.Public, cit.AppCreateStatus},
		{http.MethodGet, "/opret/faerdig", web.Public, cit.CreateDone},

		// The identification app (§3.4 path 3): start with a nonce bound to this session, wait,
		// and take the signed result, which hands a checked activation code to /aktiver/videre.
		// 404 without a configured key of the identification service.
		{http.MethodGet, "/idapp", web.Public, cit.IDAppPage},
		{http.MethodPost, "/idapp/start", web.Public, cit.IDAppStart},
		{http.MethodGet, "/idapp/vent", web.Public, cit.IDAppWait},
		{http.MethodPost, "/idapp/resultat", web.Public, cit.IDAppResult},
		// Using a checked activation code (handlers/citizen/recover.go): recovery when the
		// password or every means is lost (§3.5), lifting a block (§3.6). Each needs the grant
		// /aktiver left in the session; the done pages are static.
		{http.MethodGet, "/aktiver/gendan", web.Public, cit.RecoverPage},
		{http.MethodPost, "/aktiver/gendan", web.Public, cit.RecoverSubmit},
		{http.MethodGet, "/aktiver/gendan/faerdig", web.Public, cit.RecoverDonePage},
		{http.MethodGet, "/aktiver/ophaev", web.Public, cit.LiftPage},
		{http.MethodPost, "/aktiver/ophaev", web.Public, cit.LiftSubmit},
		{http.MethodGet, "/aktiver/ophaev/faerdig", web.Public, cit.LiftDonePage},
		// Activation letters and "Glemt eller mistet" (§3.4, §3.5): the code from a letter is
		// typed in any browser within its validity, with the CPR number or the username; a right
		// code continues to what it is for. /glemt asks what was lost (a GET form: it writes
		// nothing) and leads the way back in; /glemt/brev orders a new letter.
		{http.MethodGet, "/aktiver", web.Public, cit.ActivatePage},
		{http.MethodPost, "/aktiver", web.Public, cit.ActivateSubmit},
		{http.MethodGet, "/aktiver/videre", web.Public, cit.ActivateContinue},
		{http.MethodGet, "/glemt", web.Public, cit.ForgotPage},
		{http.MethodGet, "/glemt/brev", web.Public, cit.ForgotLetterPage},
		{http.MethodPost, "/glemt/brev", web.Public, cit.ForgotLetterSubmit},
		{http.MethodGet, "/glemt/borgerservice", web.Public, cit.ForgotInPerson},

		// Blocking for anyone (§3.6).
		{http.MethodGet, "/spaer", web.Public, cit.PublicBlockPage},
		{http.MethodPost, "/spaer", web.Public, cit.PublicBlockSubmit},

		// Self-service (§3.3): pages need a substantial login, changes a recent one.
		// The overview's reads go in the round trip that loads the session.
		{http.MethodGet, "/mitid", web.CitizenPages.Preload(cit.PreloadOverview), cit.Overview},
		{http.MethodGet, "/mitid/middel/:id/omdoeb", web.CitizenRecent, cit.RenamePage},
		{http.MethodPost, "/mitid/middel/:id/omdoeb", web.CitizenRecent, cit.RenameSubmit},
		{http.MethodGet, "/mitid/middel/:id/spaer", web.CitizenPages, cit.BlockMeansPage},
		{http.MethodPost, "/mitid/middel/:id/spaer", web.CitizenPages, cit.BlockMeansSubmit},
		{http.MethodGet, "/mitid/middel/:id/fjern", web.CitizenRecent, cit.RemoveMeansPage},
		{http.MethodPost, "/mitid/middel/:id/fjern", web.CitizenRecent, cit.RemoveMeansSubmit},
		// Unblocking one means needs a recent login with another means (identity.CheckUnblock).
		{http.MethodGet, "/mitid/middel/:id/ophaev", web.CitizenRecent, cit.UnblockMeansPage},
		{http.MethodPost, "/mitid/middel/:id/ophaev", web.CitizenRecent, cit.UnblockMeansSubmit},
		{http.MethodGet, "/mitid/kodeviser/tilfoej", web.CitizenRecent, cit.AddTokenPage},
		{http.MethodPost, "/mitid/kodeviser/tilfoej", web.CitizenRecent, cit.AddTokenSubmit},
		{http.MethodGet, "/mitid/chip/tilfoej", web.CitizenRecent, cit.ChipAddPage},
		{http.MethodPost, "/mitid/chip/tilfoej/begin", web.CitizenRecent, cit.ChipAddBegin},
		{http.MethodPost, "/mitid/chip/tilfoej/finish", web.CitizenRecent, cit.ChipAddFinish},
		{http.MethodGet, "/mitid/app/tilfoej", web.CitizenRecent, cit.AppAddPage},
		{http.MethodPost, "/mitid/app/tilfoej", web.CitizenRecent, cit.AppAddStart},
		{http.MethodGet, "/mitid/app/tilfoej/status", web.CitizenRecent, cit.AppAddStatus},
		{http.MethodGet, "/mitid/adgangskode", web.PasswordChange, cit.PasswordPage},
		{http.MethodPost, "/mitid/adgangskode", web.PasswordChange, cit.PasswordSubmit},
		{http.MethodGet, "/mitid/brugernavn", web.CitizenRecent, cit.UsernamePage},
		{http.MethodPost, "/mitid/brugernavn", web.CitizenRecent, cit.UsernameSubmit},
		{http.MethodGet, "/mitid/aktivitet", web.CitizenPages, cit.ActivityPage},
		{http.MethodGet, "/mitid/sessioner", web.CitizenPages, cit.SessionsPage},
		{http.MethodPost, "/mitid/sessioner/log-ud-alle", web.CitizenPages, cit.LogoutEverywhere},
		// Blocking protects, so it asks for no recent login: a stolen phone must be stoppable
		// from a session that is an hour old.
		{http.MethodGet, "/mitid/spaer", web.CitizenPages, cit.BlockMitIDPage},
		{http.MethodPost, "/mitid/spaer", web.CitizenPages, cit.BlockMitIDSubmit},
		// Ordering a kodeviser or kodeoplæser (orders.go): an order and its cancelling change
		// means, so they ask for a recent login.
		{http.MethodGet, "/mitid/bestil", web.CitizenRecent, cit.OrderPage},
		{http.MethodPost, "/mitid/bestil", web.CitizenRecent, cit.OrderSubmit},
		{http.MethodPost, "/mitid/bestil/:id/annuller", web.CitizenRecent, cit.OrderCancel},
		{http.MethodGet, "/mitid/post", web.CitizenPages, cit.LettersPage},
		{http.MethodGet, "/mitid/post/:id", web.CitizenPages, cit.LetterPDF},
		// Opening a letter from the letter box marks it read: a POST, then the PDF's GET.
		{http.MethodPost, "/mitid/post/:id/aabn", web.CitizenPages, cit.OpenLetter},
		// "Mine sager": the citizen's support cases, the public part of each timeline and a
		// reply form (DESIGN.md §3.3, §5).
		{http.MethodGet, "/mitid/sager", web.CitizenPages, cit.MyCases},
		{http.MethodGet, "/mitid/sager/:ref", web.CitizenPages, cit.MyCase},
		{http.MethodPost, "/mitid/sager/:ref/svar", web.CitizenPages, cit.MyCaseReply},

		// The contact form that opens a support case (DESIGN.md §5): a logged-in citizen's case
		// opens at once, an anonymous one when the e-mail address is confirmed by the link in a
		// mail.
		{http.MethodGet, "/kontakt/skriv", web.Public, cit.ContactFormPage},
		{http.MethodPost, "/kontakt/skriv", web.Public, cit.ContactFormSubmit},
		// The link in the mail shows the submission with a button; only the POST spends it.
		{http.MethodGet, "/kontakt/bekraeft/:token", web.Public, cit.ContactConfirmPage},
		{http.MethodPost, "/kontakt/bekraeft/:token", web.Public, cit.ContactConfirm},

		// Demo only: what the portal has "sent" (404 outside demo mode).
		{http.MethodGet, "/demo/post", web.Public, cit.DemoMailbox},
		{http.MethodGet, "/demo/post/brev/:id", web.Public, cit.DemoLetterPDF},
		// Demo only: the identification app's stand-in, which signs with the demo key.
		{http.MethodGet, "/demo/idapp", web.Public, cit.DemoIDAppPage},
		{http.MethodPost, "/demo/idapp", web.Public, cit.DemoIDAppSubmit},

		// ---- Staff (handlers/desk).

		// Login with password and security key; there is no staff access without the key.
		{http.MethodGet, "/medarbejder/log-ind", web.Public, dk.LoginPage},
		{http.MethodPost, "/medarbejder/log-ind", web.Public, dk.LoginSubmit},
		{http.MethodGet, "/medarbejder/log-ind/noegle", web.Public, dk.KeyPage},
		{http.MethodPost, "/medarbejder/log-ind/noegle/begin", web.Public, dk.KeyBegin},
		{http.MethodPost, "/medarbejder/log-ind/noegle/finish", web.Public, dk.KeyFinish},
		// Enrolment: the one-time link from `portal staff create` and the admin page.
		{http.MethodGet, "/medarbejder/tilmeld/:token", web.Public, dk.EnrolLink},
		{http.MethodPost, "/medarbejder/tilmeld/:token", web.Public, dk.EnrolLinkSubmit},
		{http.MethodGet, "/medarbejder/tilmeld", web.Public, dk.EnrolPage},
		{http.MethodPost, "/medarbejder/tilmeld", web.Public, dk.EnrolSubmit},
		{http.MethodGet, "/medarbejder/tilmeld/noegle", web.Public, dk.EnrolKeyPage},
		{http.MethodPost, "/medarbejder/tilmeld/noegle/begin", web.Public, dk.EnrolBegin},
		{http.MethodPost, "/medarbejder/tilmeld/noegle/finish", web.Public, dk.EnrolFinish},

		{http.MethodGet, "/medarbejder", web.AnyStaff, dk.Home},

		// The support desk's queues and cases.
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
		// Merging, related cases and bulk changes (handlers/desk/merge.go, bulk.go).
		{http.MethodPost, "/medarbejder/sager/masse", deskStaff, dk.Bulk},
		{http.MethodPost, "/medarbejder/sager/:ref/flet", deskStaff, dk.Merge},
		{http.MethodPost, "/medarbejder/sager/:ref/relateret", deskStaff, dk.Link},
		{http.MethodPost, "/medarbejder/sager/:ref/relateret/fjern", deskStaff, dk.Unlink},
		// E-mail in: a message's files (a download that writes nothing) and the unread marker.
		{http.MethodGet, "/medarbejder/sager/:ref/fil/:id", deskStaff, dk.Attachment},
		{http.MethodPost, "/medarbejder/sager/:ref/laest", deskStaff, dk.MarkRead},
		{http.MethodPost, "/medarbejder/sager/:ref/egenskaber", deskStaff, dk.SetProperties},
		{http.MethodPost, "/medarbejder/sager/:ref/borger", deskStaff, dk.LinkCitizen},

		// The citizen card: the audited look-up and the desk's actions on a MitID.
		{http.MethodGet, "/medarbejder/borger/:id", deskStaff, dk.CitizenCard},
		{http.MethodPost, "/medarbejder/borger/:id/aabn", deskStaff, dk.CitizenOpen},
		{http.MethodPost, "/medarbejder/borger/:id/bekraeft", deskStaff, dk.VerifyStart},
		{http.MethodGet, "/medarbejder/borger/:id/bekraeft/:req/status", deskStaff, dk.VerifyStatus},
		{http.MethodPost, "/medarbejder/borger/:id/bekraeft/:req/svar", deskStaff, dk.VerifyRecord},
		{http.MethodPost, "/medarbejder/borger/:id/spaer", deskStaff, dk.BlockMitID},
		{http.MethodPost, "/medarbejder/borger/:id/middel/spaer", deskStaff, dk.BlockMeans},
		{http.MethodPost, "/medarbejder/borger/:id/midlertidig-adgangskode", deskStaff, dk.TemporaryPassword},
		{http.MethodPost, "/medarbejder/borger/:id/aktiveringskode", deskStaff, dk.ActivationCode},

		// Registration in person at borgerservice (DESIGN.md §3.4 path 2), for registration
		// officers only: the look-up is audited, so it takes a POST; a passed document check
		// answers with the printable code, shown once.
		{http.MethodGet, "/medarbejder/borgerservice", web.Only(web.RAOfficer), dk.BorgerservicePage},
		{http.MethodPost, "/medarbejder/borgerservice", web.Only(web.RAOfficer), dk.BorgerserviceLookup},
		{http.MethodPost, "/medarbejder/borgerservice/pas", web.Only(web.RAOfficer), dk.BorgerservicePassport},
		{http.MethodPost, "/medarbejder/borgerservice/koerekort", web.Only(web.RAOfficer), dk.BorgerserviceLicence},

		// The supervisor dashboard: the desk's figures over a period
		// (?fra=YYYY-MM-DD&til=YYYY-MM-DD) and the same figures as CSV.
		{http.MethodGet, "/medarbejder/overblik", dash, dk.Dashboard},
		{http.MethodGet, "/medarbejder/overblik.csv", dash, dk.DashboardCSV},
		// Every case opened in the period, one row each, streamed as CSV.
		{http.MethodGet, "/medarbejder/overblik/sager.csv", dash, dk.DashboardCasesCSV},

		// Canned replies (canned.go): every agent's own, and the shared ones, which supervisors
		// and admins write and retire (support decides who may change which).
		{http.MethodGet, "/medarbejder/svar", cannedStaff, dk.CannedList},
		{http.MethodGet, "/medarbejder/svar/ny", cannedStaff, dk.CannedNewPage},
		{http.MethodPost, "/medarbejder/svar/ny", cannedStaff, dk.CannedCreate},
		{http.MethodGet, "/medarbejder/svar/:id", cannedStaff, dk.CannedEditPage},
		{http.MethodPost, "/medarbejder/svar/:id", cannedStaff, dk.CannedUpdate},
		{http.MethodPost, "/medarbejder/svar/:id/udfas", cannedStaff, dk.CannedRetire},

		// Every staff member may read the audit log (DESIGN.md §5); nobody can change it through
		// the application: no route writes to it but the actions themselves.
		{http.MethodGet, "/medarbejder/revision", web.AnyStaff, dk.AuditLogPage},

		// Fulfilment of ordered code devices (fulfilment.go): the fulfilment role only, not admin.
		// Admins manage accounts; sending a unit shows citizens' names and addresses and hands
		// out a means, so an admin who must do it gives themselves the role (an audited change).
		{http.MethodGet, "/medarbejder/forsendelse", fulfil, dk.FulfilmentQueue},
		{http.MethodGet, "/medarbejder/forsendelse/:id", fulfil, dk.FulfilmentOrder},
		{http.MethodPost, "/medarbejder/forsendelse/:id/send", fulfil, dk.FulfilmentSend},

		// Staff accounts (admins only).
		{http.MethodGet, "/medarbejder/admin/brugere", admin, dk.UsersPage},
		{http.MethodPost, "/medarbejder/admin/brugere", admin, dk.CreateUser},
		{http.MethodGet, "/medarbejder/admin/brugere/:id", admin, dk.UserPage},
		{http.MethodPost, "/medarbejder/admin/brugere/:id/roller", admin, dk.SetRoles},
		{http.MethodPost, "/medarbejder/admin/brugere/:id/deaktiver", admin, dk.Disable},
		{http.MethodPost, "/medarbejder/admin/brugere/:id/aktiver", admin, dk.Enable},
		{http.MethodPost, "/medarbejder/admin/brugere/:id/tilmelding", admin, dk.NewEnrolment},
		// The job queue and mail outbox for operators (jobqueue.go): read only.
		{http.MethodGet, "/medarbejder/admin/jobkoe", admin, dk.JobQueuePage},

		// ---- The campaign (handlers/campaigns, DESIGN.md §6).

		// Organisations: applying, the editors' decisions, members and invitations.
		// Applying is public (counted per client address and contact address); the receipt is
		// the POST's answer.
		{http.MethodGet, "/organisationer/ansoeg", web.Public, cg.ApplyPage},
		{http.MethodPost, "/organisationer/ansoeg", web.Public, cg.ApplySubmit},
		// Campaign editors decide applications and forum membership (audited).
		{http.MethodGet, "/redaktion/organisationer", editor, cg.OrgQueue},
		{http.MethodGet, "/redaktion/organisationer/:id", editor, cg.OrgEditorPage},
		{http.MethodPost, "/redaktion/organisationer/:id/afgoer", editor, cg.OrgDecide},
		{http.MethodPost, "/redaktion/organisationer/:id/forum", editor, cg.OrgForum},
		// A citizen's organisations; an organisation's page and its admins' actions. The route
		// admits the organisation roles of the login; what the person may do in this one
		// organisation is read from its members on every request.
		{http.MethodGet, "/organisationer", web.CitizenPages, cg.MyOrgs},
		{http.MethodGet, "/organisationer/:id", orgPeople, cg.OrgPage},
		{http.MethodPost, "/organisationer/:id/inviter", orgPeople, cg.OrgInvite},
		{http.MethodPost, "/organisationer/:id/medlemmer/:mitid/rolle", orgPeople, cg.OrgSetRole},
		{http.MethodPost, "/organisationer/:id/medlemmer/:mitid/fjern", orgPeople, cg.OrgRemove},
		// The mailed invitation: the GET shows it (and the login that comes back to it), only
		// the POST of a logged-in citizen spends it.
		{http.MethodGet, "/organisationer/invitation/:token", web.Public, cg.InvitationPage},
		{http.MethodPost, "/organisationer/invitation/:token", web.CitizenPages, cg.InvitationAccept},

		// Communication packs: pages and downloads. Public routes: what each shows follows the
		// visitor (campaign.Viewer), and an item they may not see is 404 on every one of them.
		{http.MethodGet, "/kommunikation", web.Public, cg.PacksPage},
		{http.MethodGet, "/kommunikation/:slug", web.Public, cg.PackPage},
		{http.MethodGet, "/kommunikation/:slug/zip", web.Public, cg.PackZip},
		{http.MethodGet, "/kommunikation/fil/:id", web.Public, cg.File},
		{http.MethodGet, "/kommunikation/fil/:id/v/:n", web.Public, cg.FileVersion},
		{http.MethodGet, "/kommunikation/miniature/:id", web.Public, cg.Thumbnail},

		// Campaign editors: packs and items (handlers/campaigns/editor*.go). The two uploads
		// stream their file (Access.Upload: a larger body, the CSRF token read from the form's
		// first part, the form never parsed into memory or a temporary file).
		{http.MethodGet, "/redaktion/pakker", editor, cg.EditorPacks},
		{http.MethodPost, "/redaktion/pakker", editor, cg.EditorCreatePack},
		{http.MethodGet, "/redaktion/pakker/:slug", editor, cg.EditorPack},
		{http.MethodGet, "/redaktion/pakker/:slug/nyt-materiale", editor, cg.EditorNewItem},
		{http.MethodPost, "/redaktion/pakker/:slug/nyt-materiale", editorUpload, cg.EditorCreateItem},
		{http.MethodGet, "/redaktion/materiale/:id", editor, cg.EditorItem},
		{http.MethodPost, "/redaktion/materiale/:id/version", editorUpload, cg.EditorAddVersion},
		{http.MethodPost, "/redaktion/materiale/:id/udgiv", editor, cg.EditorPublish},
		{http.MethodPost, "/redaktion/materiale/:id/tilbagetraek", editor, cg.EditorWithdraw},
		{http.MethodPost, "/redaktion/materiale/:id/flyt", editor, cg.EditorMove},

		// Subscriptions and statistics.
		// An organisation's admin chooses its packs (campaign.Orgs checks the admin is one of
		// that organisation). A pack notice's unsubscribe link: the GET shows a button, the POST
		// (also RFC 8058's one-click POST from the mail client) unsubscribes; the token in the
		// path authorises it, so it takes no CSRF token.
		{http.MethodGet, "/organisationer/:id/abonnementer", orgAdmin, cg.SubsPage},
		{http.MethodPost, "/organisationer/:id/abonnementer", orgAdmin, cg.SubsSave},
		{http.MethodGet, "/abonnement/afmeld/:token", web.Public, cg.UnsubscribePage},
		{http.MethodPost, "/abonnement/afmeld/:token", web.Public.TokenInURL(), cg.Unsubscribe},
		// Downloads per item, pack, kind of organisation and day (?fra=dd-mm-åååå&til=...), as
		// charts with tables and as CSV.
		{http.MethodGet, "/redaktion/statistik", editor, cg.StatsPage},
		{http.MethodGet, "/redaktion/statistik.csv", editor, cg.StatsCSV},

		// The move from NemID to MitID (issue 11; handlers/citizen/nemid.go): a selected
		// citizen's deadline and its one extension. The box is also on /mitid.
		{http.MethodGet, "/mitid/nemid", web.CitizenPages, cit.NemIDPage},
		{http.MethodPost, "/mitid/nemid/forlaeng", web.CitizenPages, cit.NemIDExtend},
		// The campaign site's structured pages (handlers/campaigns/sitedata*.go): questions and
		// answers with search (a GET: ?q=, ?kategori=), the page for service providers with the
		// certified brokers, and the campaign's timeline; their editors' pages, every change
		// audited. Move buttons post dir=op|ned, the visibility button vis=ja|nej (400 otherwise).
		{http.MethodGet, "/kampagne/spoergsmaal", web.Public, cg.QAPage},
		{http.MethodGet, "/kampagne/tjenesteudbydere", web.Public, cg.BrokersPage},
		{http.MethodGet, "/kampagne/tidsplan", web.Public, cg.TimelinePage},
		{http.MethodGet, "/redaktion/spoergsmaal", editor, cg.EditorQA},
		{http.MethodGet, "/redaktion/spoergsmaal/ny", editor, cg.EditorQANew},
		{http.MethodPost, "/redaktion/spoergsmaal/ny", editor, cg.EditorQACreate},
		{http.MethodGet, "/redaktion/spoergsmaal/:id", editor, cg.EditorQAEntry},
		{http.MethodPost, "/redaktion/spoergsmaal/:id", editor, cg.EditorQASave},
		{http.MethodPost, "/redaktion/spoergsmaal/:id/synlighed", editor, cg.EditorQAVisibility},
		{http.MethodPost, "/redaktion/spoergsmaal/:id/flyt", editor, cg.EditorQAMove},
		{http.MethodPost, "/redaktion/spoergsmaal/kategorier", editor, cg.EditorQACategoryCreate},
		{http.MethodGet, "/redaktion/spoergsmaal/kategorier/:id", editor, cg.EditorQACategory},
		{http.MethodPost, "/redaktion/spoergsmaal/kategorier/:id", editor, cg.EditorQACategorySave},
		{http.MethodPost, "/redaktion/spoergsmaal/kategorier/:id/flyt", editor, cg.EditorQACategoryMove},
		{http.MethodGet, "/redaktion/brokere", editor, cg.EditorBrokers},
		{http.MethodPost, "/redaktion/brokere", editor, cg.EditorBrokerCreate},
		{http.MethodPost, "/redaktion/brokere/introduktion", editor, cg.EditorBrokersIntro},
		{http.MethodGet, "/redaktion/brokere/:id", editor, cg.EditorBroker},
		{http.MethodPost, "/redaktion/brokere/:id", editor, cg.EditorBrokerSave},
		{http.MethodPost, "/redaktion/brokere/:id/flyt", editor, cg.EditorBrokerMove},
		{http.MethodGet, "/redaktion/tidsplan", editor, cg.EditorTimeline},
		{http.MethodPost, "/redaktion/tidsplan", editor, cg.EditorTimelineCreate},
		{http.MethodGet, "/redaktion/tidsplan/:id", editor, cg.EditorActivity},
		{http.MethodPost, "/redaktion/tidsplan/:id", editor, cg.EditorActivitySave},
		{http.MethodPost, "/redaktion/tidsplan/:id/slet", editor, cg.EditorActivityDelete},
		// The campaign site's pages (handlers/campaigns/site*.go, package campaign/site). Public:
		// the front page, a page (404 until published and released) and the pages' images.
		// echo matches the site's static routes under /kampagne/ before :slug.
		{http.MethodGet, "/kampagne", web.Public, cg.SiteFront},
		{http.MethodGet, "/kampagne/:slug", web.Public, cg.SitePage},
		{http.MethodGet, "/kampagne/billede/:id", web.Public, cg.SiteImage},
		// Editors write pages per language (every save a version), preview the newest text,
		// compare versions, publish, schedule and unpublish, and upload images (streamed).
		{http.MethodGet, "/redaktion/sider", editor, cg.SiteEditorList},
		{http.MethodPost, "/redaktion/sider", editor, cg.SiteEditorCreate},
		{http.MethodGet, "/redaktion/sider/:slug", editor, cg.SiteEditorPage},
		{http.MethodGet, "/redaktion/sider/:slug/tekst/:lang", editor, cg.SiteEditorText},
		{http.MethodPost, "/redaktion/sider/:slug/tekst/:lang", editor, cg.SiteEditorSave},
		{http.MethodGet, "/redaktion/sider/:slug/forhaandsvisning", editor, cg.SitePreview},
		{http.MethodGet, "/redaktion/sider/:slug/versioner", editor, cg.SiteVersions},
		{http.MethodPost, "/redaktion/sider/:slug/udgiv", editor, cg.SitePublish},
		{http.MethodPost, "/redaktion/sider/:slug/afpublicer", editor, cg.SiteUnpublish},
		{http.MethodPost, "/redaktion/sider/:slug/billede", editor.Upload(campaigns.ImageBody), cg.SiteImageUpload},
		// The newsletter (handlers/campaigns/news*.go). Subscribing and asking for an
		// unsubscribe link are public and throttled, and answer the same whatever the address.
		// The mailed links: the GET shows a button (mail scanners follow links), the POST acts;
		// the token in the path authorises it, so the POST takes no CSRF token (also RFC 8058's
		// one-click POST from a mail client). Editors write, preview and send issues (audited).
		{http.MethodGet, "/nyhedsbrev", web.Public, cg.NewsPage},
		{http.MethodPost, "/nyhedsbrev", web.Public, cg.NewsSubscribe},
		{http.MethodPost, "/nyhedsbrev/afmeld", web.Public, cg.NewsRequestUnsubscribe},
		{http.MethodGet, "/nyhedsbrev/bekraeft/:token", web.Public, cg.NewsConfirmPage},
		{http.MethodPost, "/nyhedsbrev/bekraeft/:token", web.Public.TokenInURL(), cg.NewsConfirm},
		{http.MethodGet, "/nyhedsbrev/afmeld/:token", web.Public, cg.NewsUnsubscribePage},
		{http.MethodPost, "/nyhedsbrev/afmeld/:token", web.Public.TokenInURL(), cg.NewsUnsubscribe},
		{http.MethodGet, "/redaktion/nyhedsbreve", editor, cg.NewsIssues},
		{http.MethodPost, "/redaktion/nyhedsbreve", editor, cg.NewsCreate},
		{http.MethodGet, "/redaktion/nyhedsbreve/ny", editor, cg.NewsNew},
		{http.MethodGet, "/redaktion/nyhedsbreve/:id", editor, cg.NewsIssue},
		{http.MethodPost, "/redaktion/nyhedsbreve/:id", editor, cg.NewsUpdate},
		{http.MethodGet, "/redaktion/nyhedsbreve/:id/vis", editor, cg.NewsPreview},
		{http.MethodGet, "/redaktion/nyhedsbreve/:id/send", editor, cg.NewsSendPage},
		{http.MethodPost, "/redaktion/nyhedsbreve/:id/send", editor, cg.NewsSend},
		// The stakeholder forum (handlers/campaigns/forum*.go, package campaign/forum). The
		// routes admit citizens and editors; whether a citizen is a member of an approved forum
		// organisation is read on every request (a citizen who is not gets the forum's 403
		// page). Editors manage meetings, the plan's activities and input questions (audited).
		{http.MethodGet, "/forum", forumPeople, cg.ForumHome},
		{http.MethodGet, "/forum/plan", forumPeople, cg.ForumPlan},
		{http.MethodGet, "/forum/moeder/:id", forumPeople, cg.ForumMeeting},
		{http.MethodPost, "/forum/moeder/:id/tilmeld", forumMembers, cg.ForumSignUp},
		{http.MethodPost, "/forum/moeder/:id/afmeld", forumMembers, cg.ForumCancel},
		{http.MethodGet, "/forum/filer/:id", forumPeople, cg.ForumFile},
		{http.MethodGet, "/forum/spoergsmaal/:id", forumPeople, cg.ForumQuestion},
		{http.MethodPost, "/forum/spoergsmaal/:id", forumMembers, cg.ForumAnswer},
		{http.MethodGet, "/redaktion/forum", editor, cg.ForumEditor},
		{http.MethodPost, "/redaktion/forum/moeder", editor, cg.ForumCreateMeeting},
		{http.MethodGet, "/redaktion/forum/moeder/:id", editor, cg.ForumEditorMeeting},
		{http.MethodPost, "/redaktion/forum/moeder/:id/rediger", editor, cg.ForumEditMeeting},
		{http.MethodPost, "/redaktion/forum/moeder/:id/status", editor, cg.ForumMeetingStatus},
		{http.MethodPost, "/redaktion/forum/moeder/:id/filer", editorUpload, cg.ForumUpload},
		{http.MethodGet, "/redaktion/forum/moeder/:id/deltagere.csv", editor, cg.ForumParticipantsCSV},
		{http.MethodPost, "/redaktion/forum/aktiviteter", editor, cg.ForumCreateActivity},
		{http.MethodPost, "/redaktion/forum/aktiviteter/:id/slet", editor, cg.ForumDeleteActivity},
		{http.MethodPost, "/redaktion/forum/spoergsmaal", editor, cg.ForumCreateQuestion},
		{http.MethodGet, "/redaktion/forum/spoergsmaal/:id", editor, cg.ForumEditorQuestion},
		{http.MethodPost, "/redaktion/forum/spoergsmaal/:id/status", editor, cg.ForumQuestionStatus},
		{http.MethodGet, "/redaktion/forum/spoergsmaal/:id/svar.csv", editor, cg.ForumAnswersCSV},
		// Feedback rounds of the forum (handlers/campaigns/rounds*.go). Editors open a round on
		// drafts, move its deadline, add and remove items, mark comments handled and close it
		// (audited). Forum members take part: the route admits citizens, the handler answers
		// 403 with where to go to anyone who is not a member of a forum organisation.
		{http.MethodGet, "/redaktion/feedback", editor, cg.EditorRounds},
		{http.MethodPost, "/redaktion/feedback", editor, cg.EditorOpenRound},
		{http.MethodGet, "/redaktion/feedback/:id", editor, cg.EditorRound},
		{http.MethodGet, "/redaktion/feedback/:id/kommentarer.csv", editor, cg.EditorRoundCSV},
		{http.MethodPost, "/redaktion/feedback/:id/frist", editor, cg.EditorRoundDeadline},
		{http.MethodPost, "/redaktion/feedback/:id/materiale", editor, cg.EditorRoundAddItem},
		{http.MethodPost, "/redaktion/feedback/:id/materiale/:item/fjern", editor, cg.EditorRoundRemoveItem},
		{http.MethodPost, "/redaktion/feedback/:id/kommentar/:cid", editor, cg.EditorRoundHandle},
		{http.MethodPost, "/redaktion/feedback/:id/luk", editor, cg.EditorRoundClose},
		{http.MethodGet, "/forum/feedback", web.CitizenPages, cg.ForumRounds},
		{http.MethodGet, "/forum/feedback/:id", web.CitizenPages, cg.ForumRound},
		{http.MethodPost, "/forum/feedback/:id/materiale/:item/kommentar", web.CitizenPages, cg.ForumComment},
	}
}

// register adds the middleware chain and every route with its access check.
func (s *Server) register() {
	e, w := s.echo, s.site
	e.Pre(w.RequestID)
	e.Pre(web.LimitUploads)
	e.Use(w.AccessLog, w.RecoverPanic, w.SecurityHeaders)
	e.GET("/static/*", echo.WrapHandler(http.StripPrefix("/static/", s.Assets.Handler())))
	for _, r := range s.table {
		mw := []echo.MiddlewareFunc{w.PageContext, w.Authorize(r.Access), w.CSRF}
		if !r.Access.NeedsCSRF() {
			mw = mw[:2]
		}
		e.Add(r.Method, r.Path, r.Handler, mw...)
		w.Declare(r.Method, r.Path, r.Access)
	}
	// Unknown paths still get the language, session and layout of a normal page.
	e.RouteNotFound("/*", func(c echo.Context) error { return echo.ErrNotFound }, w.PageContext)
}
