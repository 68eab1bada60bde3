package handlers_test

import (
	"slices"

	"mitidportal/handlers"
)

// expect is what one route must admit, written out by hand: the test compares the portal's
// behaviour with this table, never with the Access value the middleware itself reads, so a
// staff route declared public (or a citizen change that forgot its recent-login rule) fails.
type expect struct {
	roles []handlers.Role // who is let through; nil with public for everyone
	// public: everyone, logged in or not.
	public bool
	// level: a citizen's login must be at least substantial; recent: and made within
	// handlers.RecentLogin.
	level, recent bool
}

func (e expect) admits(role handlers.Role) bool {
	return e.public || slices.Contains(e.roles, role)
}

// The role sets the table uses.
var (
	anyone    = expect{public: true}
	citizen   = expect{roles: []handlers.Role{handlers.Citizen, handlers.OrgMember, handlers.OrgAdmin}, level: true}
	citRecent = expect{roles: []handlers.Role{handlers.Citizen, handlers.OrgMember, handlers.OrgAdmin}, level: true, recent: true}
	loggedIn  = expect{roles: []handlers.Role{handlers.Citizen, handlers.OrgMember, handlers.OrgAdmin,
		handlers.Agent, handlers.Supervisor, handlers.RAOfficer, handlers.Fulfilment, handlers.CampaignEditor,
		handlers.Auditor, handlers.Admin}}
	anyStaff = expect{roles: []handlers.Role{handlers.Agent, handlers.Supervisor, handlers.RAOfficer,
		handlers.Fulfilment, handlers.CampaignEditor, handlers.Auditor, handlers.Admin}}
	deskStaff   = expect{roles: []handlers.Role{handlers.Agent, handlers.Supervisor}}
	supervisors = expect{roles: []handlers.Role{handlers.Supervisor, handlers.Admin}}
	adminOnly   = expect{roles: []handlers.Role{handlers.Admin}}
	cannedStaff = expect{roles: []handlers.Role{handlers.Agent, handlers.Supervisor, handlers.Admin}}
	raOfficers  = expect{roles: []handlers.Role{handlers.RAOfficer}}
	fulfilment  = expect{roles: []handlers.Role{handlers.Fulfilment}}
	editorsOnly = expect{roles: []handlers.Role{handlers.CampaignEditor}}
	forumPeople = expect{roles: []handlers.Role{handlers.Citizen, handlers.OrgMember, handlers.OrgAdmin,
		handlers.CampaignEditor}, level: true}
	forumMembers = expect{roles: []handlers.Role{handlers.Citizen, handlers.OrgMember, handlers.OrgAdmin},
		level: true}
)

// expectedAccess is every route of the portal ("METHOD path" as registered) and who may call
// it. A new route fails the test until it is added here.
var expectedAccess = map[string]expect{
	// Operations.
	"GET /healthz": anyone,
	"GET /readyz":  anyone,
	"GET /metrics": anyone, // guarded by its own bearer token, not by a role

	// Public pages.
	"GET /":                anyone,
	"GET /kontakt":         anyone,
	"GET /tilgaengelighed": anyone,
	"GET /privatliv":       anyone,
	"GET /cookies":         anyone,
	"POST /log-ud":         loggedIn,

	// Citizen login.
	"GET /log-ind":                  anyone,
	"POST /log-ind":                 anyone,
	"GET /log-ind/metode":           anyone,
	"GET /log-ind/kode":             anyone,
	"POST /log-ind/kode":            anyone,
	"GET /log-ind/chip":             anyone,
	"POST /log-ind/chip/begin":      anyone,
	"POST /log-ind/chip/finish":     anyone,
	"GET /log-ind/chip/spaerret":    anyone,
	"GET /log-ind/app":              anyone,
	"POST /log-ind/app":             anyone,
	"GET /log-ind/app/status":       anyone,
	"POST /log-ind/app/fuldfoer":    anyone,
	"GET /app":                      anyone,
	"POST /app/par":                 anyone,
	"POST /app/anmodninger":         anyone,
	"POST /app/svar":                anyone,
	"GET /spaer":                    anyone,
	"POST /spaer":                   anyone,
	"GET /demo/post":                anyone, // 404 outside demo mode
	"GET /demo/post/brev/:id":       anyone,
	"GET /kontakt/skriv":            anyone,
	"POST /kontakt/skriv":           anyone,
	"GET /kontakt/bekraeft/:token":  anyone,
	"POST /kontakt/bekraeft/:token": anyone,

	// Creating a MitID.
	"GET /opret":              anyone,
	"POST /opret":             anyone,
	"GET /opret/kode":         anyone,
	"POST /opret/kode":        anyone,
	"GET /opret/bruger":       anyone,
	"POST /opret/bruger":      anyone,
	"GET /opret/middel":       anyone,
	"GET /opret/kodeviser":    anyone,
	"POST /opret/kodeviser":   anyone,
	"GET /opret/app":          anyone,
	"POST /opret/app":         anyone,
	"GET /opret/app/status":   anyone,
	"GET /opret/chip":         anyone,
	"POST /opret/chip/begin":  anyone,
	"POST /opret/chip/finish": anyone,
	"GET /opret/faerdig":      anyone,

	// The identification app: public (the nonce is bound to the session); 404 without keys.
	"GET /idapp":           anyone,
	"POST /idapp/start":    anyone,
	"GET /idapp/vent":      anyone,
	"POST /idapp/resultat": anyone,
	"GET /demo/idapp":      anyone, // 404 outside demo mode
	"POST /demo/idapp":     anyone,
	// Recovery and lifting a block with a checked activation code (the grant decides inside).
	"GET /aktiver/gendan":         anyone,
	"POST /aktiver/gendan":        anyone,
	"GET /aktiver/gendan/faerdig": anyone,
	"GET /aktiver/ophaev":         anyone,
	"POST /aktiver/ophaev":        anyone,
	"GET /aktiver/ophaev/faerdig": anyone,
	// Activation letters and "Glemt eller mistet".
	"GET /aktiver":             anyone,
	"POST /aktiver":            anyone,
	"GET /aktiver/videre":      anyone,
	"GET /glemt":               anyone,
	"GET /glemt/brev":          anyone,
	"POST /glemt/brev":         anyone,
	"GET /glemt/borgerservice": anyone,

	// Self-service.
	"GET /mitid":                    citizen,
	"GET /mitid/middel/:id/omdoeb":  citRecent,
	"POST /mitid/middel/:id/omdoeb": citRecent,
	"GET /mitid/middel/:id/spaer":   citizen,
	"POST /mitid/middel/:id/spaer":  citizen,
	"GET /mitid/middel/:id/fjern":   citRecent,
	"POST /mitid/middel/:id/fjern":  citRecent,
	"GET /mitid/middel/:id/ophaev":  citRecent,
	"POST /mitid/middel/:id/ophaev": citRecent,
	"GET /mitid/kodeviser/tilfoej":  citRecent,
	// Ordering a code device and the fulfilment queue.
	"GET /mitid/bestil":                       citRecent,
	"POST /mitid/bestil":                      citRecent,
	"POST /mitid/bestil/:id/annuller":         citRecent,
	"GET /medarbejder/forsendelse":            fulfilment,
	"GET /medarbejder/forsendelse/:id":        fulfilment,
	"POST /medarbejder/forsendelse/:id/send":  fulfilment,
	"POST /mitid/kodeviser/tilfoej":           citRecent,
	"GET /mitid/app/tilfoej":                  citRecent,
	"POST /mitid/app/tilfoej":                 citRecent,
	"GET /mitid/app/tilfoej/status":           citRecent,
	"GET /mitid/chip/tilfoej":                 citRecent,
	"POST /mitid/chip/tilfoej/begin":          citRecent,
	"POST /mitid/chip/tilfoej/finish":         citRecent,
	"GET /mitid/adgangskode":                  citRecent,
	"POST /mitid/adgangskode":                 citRecent,
	"GET /mitid/brugernavn":                   citRecent,
	"POST /mitid/brugernavn":                  citRecent,
	"GET /mitid/aktivitet":                    citizen,
	"GET /mitid/sessioner":                    citizen,
	"POST /mitid/sessioner/log-ud-alle":       citizen,
	"GET /mitid/spaer":                        citizen, // blocking protects: no recent login asked
	"POST /mitid/spaer":                       citizen,
	"GET /mitid/post":                         citizen,
	"GET /mitid/post/:id":                     citizen,
	"POST /mitid/post/:id/aabn":               citizen,
	"GET /mitid/sager":                        citizen,
	"GET /mitid/sager/:ref":                   citizen,
	"POST /mitid/sager/:ref/svar":             citizen,
	"GET /medarbejder/log-ind":                anyone,
	"POST /medarbejder/log-ind":               anyone,
	"GET /medarbejder/log-ind/noegle":         anyone,
	"POST /medarbejder/log-ind/noegle/begin":  anyone,
	"POST /medarbejder/log-ind/noegle/finish": anyone,
	"GET /medarbejder/tilmeld/:token":         anyone,
	"POST /medarbejder/tilmeld/:token":        anyone,
	"GET /medarbejder/tilmeld":                anyone,
	"POST /medarbejder/tilmeld":               anyone,
	"GET /medarbejder/tilmeld/noegle":         anyone,
	"POST /medarbejder/tilmeld/noegle/begin":  anyone,
	"POST /medarbejder/tilmeld/noegle/finish": anyone,

	// Staff.
	"GET /medarbejder":                                     anyStaff,
	"GET /medarbejder/revision":                            anyStaff,
	"GET /medarbejder/overblik":                            supervisors,
	"GET /medarbejder/overblik.csv":                        supervisors,
	"GET /medarbejder/overblik/sager.csv":                  supervisors,
	"GET /medarbejder/svar":                                cannedStaff,
	"GET /medarbejder/svar/ny":                             cannedStaff,
	"POST /medarbejder/svar/ny":                            cannedStaff,
	"GET /medarbejder/svar/:id":                            cannedStaff,
	"POST /medarbejder/svar/:id":                           cannedStaff,
	"POST /medarbejder/svar/:id/udfas":                     cannedStaff,
	"GET /medarbejder/admin/brugere":                       adminOnly,
	"POST /medarbejder/admin/brugere":                      adminOnly,
	"GET /medarbejder/admin/brugere/:id":                   adminOnly,
	"POST /medarbejder/admin/brugere/:id/roller":           adminOnly,
	"POST /medarbejder/admin/brugere/:id/deaktiver":        adminOnly,
	"POST /medarbejder/admin/brugere/:id/aktiver":          adminOnly,
	"POST /medarbejder/admin/brugere/:id/tilmelding":       adminOnly,
	"GET /medarbejder/admin/jobkoe":                        adminOnly,
	"GET /medarbejder/sager":                               deskStaff,
	"POST /medarbejder/sager/soeg":                         deskStaff,
	"GET /medarbejder/sager/ny":                            deskStaff,
	"POST /medarbejder/sager/ny":                           deskStaff,
	"GET /medarbejder/sager/:ref":                          deskStaff,
	"POST /medarbejder/sager/:ref/svar":                    deskStaff,
	"POST /medarbejder/sager/:ref/note":                    deskStaff,
	"POST /medarbejder/sager/:ref/opkald":                  deskStaff,
	"POST /medarbejder/sager/:ref/status":                  deskStaff,
	"POST /medarbejder/sager/:ref/tildel":                  deskStaff,
	"POST /medarbejder/sager/:ref/tags":                    deskStaff,
	"POST /medarbejder/sager/masse":                        deskStaff,
	"POST /medarbejder/sager/:ref/flet":                    deskStaff,
	"POST /medarbejder/sager/:ref/relateret":               deskStaff,
	"POST /medarbejder/sager/:ref/relateret/fjern":         deskStaff,
	"GET /medarbejder/sager/:ref/fil/:id":                  deskStaff,
	"POST /medarbejder/sager/:ref/laest":                   deskStaff,
	"POST /medarbejder/sager/:ref/egenskaber":              deskStaff,
	"POST /medarbejder/sager/:ref/borger":                  deskStaff,
	"GET /medarbejder/borger/:id":                          deskStaff,
	"POST /medarbejder/borger/:id/aabn":                    deskStaff,
	"POST /medarbejder/borger/:id/bekraeft/:req/svar":      deskStaff,
	"POST /medarbejder/borger/:id/bekraeft":                deskStaff,
	"GET /medarbejder/borger/:id/bekraeft/:req/status":     deskStaff,
	"POST /medarbejder/borger/:id/spaer":                   deskStaff,
	"POST /medarbejder/borger/:id/middel/spaer":            deskStaff,
	"POST /medarbejder/borger/:id/midlertidig-adgangskode": deskStaff,
	"POST /medarbejder/borger/:id/aktiveringskode":         deskStaff,

	// Registration in person at borgerservice: registration officers only.
	"GET /medarbejder/borgerservice":            raOfficers,
	"POST /medarbejder/borgerservice":           raOfficers,
	"POST /medarbejder/borgerservice/pas":       raOfficers,
	"POST /medarbejder/borgerservice/koerekort": raOfficers,

	// Organisations: applying is public; editors decide; members and admins of an organisation
	// (which organisation is checked per request); the invitation's page is public, accepting
	// it needs a citizen's MitID login.
	"GET /organisationer/ansoeg":                      anyone,
	"POST /organisationer/ansoeg":                     anyone,
	"GET /redaktion/organisationer":                   editorsOnly,
	"GET /redaktion/organisationer/:id":               editorsOnly,
	"POST /redaktion/organisationer/:id/afgoer":       editorsOnly,
	"POST /redaktion/organisationer/:id/forum":        editorsOnly,
	"GET /organisationer":                             citizen,
	"GET /organisationer/:id":                         orgPeople,
	"POST /organisationer/:id/inviter":                orgPeople,
	"POST /organisationer/:id/medlemmer/:mitid/rolle": orgPeople,
	"POST /organisationer/:id/medlemmer/:mitid/fjern": orgPeople,
	"GET /organisationer/invitation/:token":           anyone,
	"POST /organisationer/invitation/:token":          citizen,
	// Campaign editors: packs and items (campaign editors only; not admins, who manage accounts).
	"GET /redaktion/pakker":                      editorsOnly,
	"POST /redaktion/pakker":                     editorsOnly,
	"GET /redaktion/pakker/:slug":                editorsOnly,
	"GET /redaktion/pakker/:slug/nyt-materiale":  editorsOnly,
	"POST /redaktion/pakker/:slug/nyt-materiale": editorsOnly,
	"GET /redaktion/materiale/:id":               editorsOnly,
	"POST /redaktion/materiale/:id/version":      editorsOnly,
	"POST /redaktion/materiale/:id/udgiv":        editorsOnly,
	"POST /redaktion/materiale/:id/tilbagetraek": editorsOnly,
	"POST /redaktion/materiale/:id/flyt":         editorsOnly,
	// Communication packs: public pages and downloads (what they show follows the visitor).
	"GET /kommunikation":               anyone,
	"GET /kommunikation/:slug":         anyone,
	"GET /kommunikation/:slug/zip":     anyone,
	"GET /kommunikation/fil/:id":       anyone,
	"GET /kommunikation/fil/:id/v/:n":  anyone,
	"GET /kommunikation/miniature/:id": anyone,
	// Subscriptions and statistics (handlers/campaigns/subs.go, stats.go): an organisation's
	// admin chooses its packs; the unsubscribe link works for anyone holding it (its token
	// authorises it); campaign editors see the statistics.
	"GET /organisationer/:id/abonnementer":  {roles: []handlers.Role{handlers.OrgAdmin}, level: true},
	"POST /organisationer/:id/abonnementer": {roles: []handlers.Role{handlers.OrgAdmin}, level: true},
	"GET /abonnement/afmeld/:token":         anyone,
	"POST /abonnement/afmeld/:token":        anyone,
	"GET /redaktion/statistik":              {roles: []handlers.Role{handlers.CampaignEditor}},
	"GET /redaktion/statistik.csv":          {roles: []handlers.Role{handlers.CampaignEditor}},

	// The move from NemID to MitID (issue 11).
	"GET /mitid/nemid":           citizen,
	"POST /mitid/nemid/forlaeng": citizen,
	// The campaign site's structured pages (sitedata_test.go): public to read, campaign editors
	// change them.
	"GET /kampagne/spoergsmaal":                       anyone,
	"GET /kampagne/tjenesteudbydere":                  anyone,
	"GET /kampagne/tidsplan":                          anyone,
	"GET /redaktion/spoergsmaal":                      editorsOnly,
	"GET /redaktion/spoergsmaal/ny":                   editorsOnly,
	"POST /redaktion/spoergsmaal/ny":                  editorsOnly,
	"GET /redaktion/spoergsmaal/:id":                  editorsOnly,
	"POST /redaktion/spoergsmaal/:id":                 editorsOnly,
	"POST /redaktion/spoergsmaal/:id/synlighed":       editorsOnly,
	"POST /redaktion/spoergsmaal/:id/flyt":            editorsOnly,
	"POST /redaktion/spoergsmaal/kategorier":          editorsOnly,
	"GET /redaktion/spoergsmaal/kategorier/:id":       editorsOnly,
	"POST /redaktion/spoergsmaal/kategorier/:id":      editorsOnly,
	"POST /redaktion/spoergsmaal/kategorier/:id/flyt": editorsOnly,
	"GET /redaktion/brokere":                          editorsOnly,
	"POST /redaktion/brokere":                         editorsOnly,
	"POST /redaktion/brokere/introduktion":            editorsOnly,
	"GET /redaktion/brokere/:id":                      editorsOnly,
	"POST /redaktion/brokere/:id":                     editorsOnly,
	"POST /redaktion/brokere/:id/flyt":                editorsOnly,
	"GET /redaktion/tidsplan":                         editorsOnly,
	"POST /redaktion/tidsplan":                        editorsOnly,
	"GET /redaktion/tidsplan/:id":                     editorsOnly,
	"POST /redaktion/tidsplan/:id":                    editorsOnly,
	"POST /redaktion/tidsplan/:id/slet":               editorsOnly,
	// The campaign site's pages (handlers/campaigns/site*.go): public pages and images; campaign
	// editors write, preview, compare, publish and upload.
	"GET /kampagne":                               anyone,
	"GET /kampagne/:slug":                         anyone,
	"GET /kampagne/billede/:id":                   anyone,
	"GET /redaktion/sider":                        editorsOnly,
	"POST /redaktion/sider":                       editorsOnly,
	"GET /redaktion/sider/:slug":                  editorsOnly,
	"GET /redaktion/sider/:slug/tekst/:lang":      editorsOnly,
	"POST /redaktion/sider/:slug/tekst/:lang":     editorsOnly,
	"GET /redaktion/sider/:slug/forhaandsvisning": editorsOnly,
	"GET /redaktion/sider/:slug/versioner":        editorsOnly,
	"POST /redaktion/sider/:slug/udgiv":           editorsOnly,
	"POST /redaktion/sider/:slug/afpublicer":      editorsOnly,
	"POST /redaktion/sider/:slug/billede":         editorsOnly,
	// The newsletter (handlers/campaigns/news*.go): subscribing and the mailed links are for
	// anyone (a link's token authorises its POST); only campaign editors write and send issues.
	"GET /nyhedsbrev":                      anyone,
	"POST /nyhedsbrev":                     anyone,
	"POST /nyhedsbrev/afmeld":              anyone,
	"GET /nyhedsbrev/bekraeft/:token":      anyone,
	"POST /nyhedsbrev/bekraeft/:token":     anyone,
	"GET /nyhedsbrev/afmeld/:token":        anyone,
	"POST /nyhedsbrev/afmeld/:token":       anyone,
	"GET /redaktion/nyhedsbreve":           editorsOnly,
	"POST /redaktion/nyhedsbreve":          editorsOnly,
	"GET /redaktion/nyhedsbreve/ny":        editorsOnly,
	"GET /redaktion/nyhedsbreve/:id":       editorsOnly,
	"POST /redaktion/nyhedsbreve/:id":      editorsOnly,
	"GET /redaktion/nyhedsbreve/:id/vis":   editorsOnly,
	"GET /redaktion/nyhedsbreve/:id/send":  editorsOnly,
	"POST /redaktion/nyhedsbreve/:id/send": editorsOnly,
	// The stakeholder forum (handlers/campaigns/forum*.go): citizens (members of forum
	// organisations, checked by the handler) and campaign editors; editors manage it.
	"GET /forum":                                    forumPeople,
	"GET /forum/plan":                               forumPeople,
	"GET /forum/moeder/:id":                         forumPeople,
	"POST /forum/moeder/:id/tilmeld":                forumMembers,
	"POST /forum/moeder/:id/afmeld":                 forumMembers,
	"GET /forum/filer/:id":                          forumPeople,
	"GET /forum/spoergsmaal/:id":                    forumPeople,
	"POST /forum/spoergsmaal/:id":                   forumMembers,
	"GET /redaktion/forum":                          editorsOnly,
	"POST /redaktion/forum/moeder":                  editorsOnly,
	"GET /redaktion/forum/moeder/:id":               editorsOnly,
	"POST /redaktion/forum/moeder/:id/rediger":      editorsOnly,
	"POST /redaktion/forum/moeder/:id/status":       editorsOnly,
	"POST /redaktion/forum/moeder/:id/filer":        editorsOnly,
	"GET /redaktion/forum/moeder/:id/deltagere.csv": editorsOnly,
	"POST /redaktion/forum/aktiviteter":             editorsOnly,
	"POST /redaktion/forum/aktiviteter/:id/slet":    editorsOnly,
	"POST /redaktion/forum/spoergsmaal":             editorsOnly,
	"GET /redaktion/forum/spoergsmaal/:id":          editorsOnly,
	"POST /redaktion/forum/spoergsmaal/:id/status":  editorsOnly,
	"GET /redaktion/forum/spoergsmaal/:id/svar.csv": editorsOnly,
	// Feedback rounds of the forum: editors run them; citizens reach the forum's pages, which
	// answer 403 to anyone who is not a member of a forum organisation (rounds_test.go).
	"GET /redaktion/feedback":                            editorsOnly,
	"POST /redaktion/feedback":                           editorsOnly,
	"GET /redaktion/feedback/:id":                        editorsOnly,
	"GET /redaktion/feedback/:id/kommentarer.csv":        editorsOnly,
	"POST /redaktion/feedback/:id/frist":                 editorsOnly,
	"POST /redaktion/feedback/:id/materiale":             editorsOnly,
	"POST /redaktion/feedback/:id/materiale/:item/fjern": editorsOnly,
	"POST /redaktion/feedback/:id/kommentar/:cid":        editorsOnly,
	"POST /redaktion/feedback/:id/luk":                   editorsOnly,
	"GET /forum/feedback":                                citizen,
	"GET /forum/feedback/:id":                            citizen,
	"POST /forum/feedback/:id/materiale/:item/kommentar": citizen,
}

// refusedByRule are the routes whose handler refuses some callers the route admits, by a rule
// a route cannot state (membership of a forum organisation), with the mark of the 403 page it
// answers them: TestEveryRouteAdmitsExactlyItsRoles takes a 403 of an admitted role only with
// that page (rounds_test.go checks that forum members get in).
var refusedByRule = map[string]string{
	"GET /forum":                                         forumForbidden,
	"GET /forum/plan":                                    forumForbidden,
	"GET /forum/moeder/:id":                              forumForbidden,
	"POST /forum/moeder/:id/tilmeld":                     forumForbidden,
	"POST /forum/moeder/:id/afmeld":                      forumForbidden,
	"GET /forum/filer/:id":                               forumForbidden,
	"GET /forum/spoergsmaal/:id":                         forumForbidden,
	"POST /forum/spoergsmaal/:id":                        forumForbidden,
	"GET /forum/feedback":                                forumForbidden,
	"GET /forum/feedback/:id":                            forumForbidden,
	"POST /forum/feedback/:id/materiale/:item/kommentar": forumForbidden,
}

// forumForbidden marks the forum's 403 page for a citizen outside the forum (views.ForumForbidden).
const forumForbidden = `data-testid="forum-forbidden"`

// The role sets of the organisations' routes.
var (
	orgPeople = expect{roles: []handlers.Role{handlers.OrgMember, handlers.OrgAdmin}, level: true}
)
