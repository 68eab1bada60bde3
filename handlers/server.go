// Package handlers is the portal's HTTP layer: it builds the areas of pages (handlers/citizen,
// handlers/desk) over the shared core (handlers/web: page state, middleware, CSRF, errors,
// roles), lists every route with the roles it admits in one table (routes.go), and serves the
// operational endpoints and the public information pages. Handlers parse, validate, call a
// domain package, build a view model and render; they never hold SQL.
package handlers

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/a-h/templ"
	"github.com/go-webauthn/webauthn/webauthn"
	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"

	"mitidportal/assets"
	"mitidportal/audit"
	"mitidportal/blob"
	"mitidportal/campaign"
	"mitidportal/campaign/forum"
	"mitidportal/campaign/newsletter"
	"mitidportal/campaign/site"
	"mitidportal/campaign/sitedata"
	"mitidportal/handlers/campaigns"
	"mitidportal/handlers/citizen"
	"mitidportal/handlers/desk"
	"mitidportal/handlers/web"
	"mitidportal/identity"
	"mitidportal/identity/idapp"
	"mitidportal/inbound"
	"mitidportal/jobqueue"
	"mitidportal/locales"
	"mitidportal/mail"
	"mitidportal/mail/demobox"
	"mitidportal/session"
	"mitidportal/staff"
	"mitidportal/support"
	"mitidportal/views"
)

// Config is the part of the portal's configuration the HTTP layer needs (web.Config).
type Config = web.Config

// Deps are the handlers' collaborators, built once in cmd/portal (or a test) and passed in.
type Deps struct {
	Config Config
	Log    *slog.Logger
	// Ready reports whether the database answers (/readyz).
	Ready    func(ctx context.Context) error
	Sessions *session.Store
	Catalog  *locales.Catalog
	Assets   *assets.Assets
	Schedule support.Schedule
	Metrics  *prometheus.Registry
	Outbox   *mail.Outbox
	// Archive reads the outbox, for the demo mailbox when no demo mail server runs.
	Archive *mail.Archive
	// DemoMail is the demo mode's in-process mail server, or nil.
	DemoMail *demobox.Box

	// The MitID domain (package identity).
	Identity    *identity.Store
	Persons     *identity.Persons
	Tokens      *identity.Tokens
	Activations *identity.Activations
	Throttle    *identity.AddressThrottle
	Letters     *identity.Letters
	// Registrations is registration in person at borgerservice.
	Registrations *identity.Registrations
	// IDApp is the identification app's flow, or nil when it is not offered.
	IDApp *idapp.Flow
	// Orders are the orders of code devices and their fulfilment.
	Orders *identity.Orders
	// WebAuthn runs the chip (security key) ceremonies; its relying party is BaseURL's host.
	WebAuthn *webauthn.WebAuthn
	// Staff are the accounts of support staff and admins, with their login (package staff).
	Staff *staff.Store
	// The support desk: cases (package support) and the hash-chained audit log.
	Cases *support.Cases
	// Contacts is the contact form's confirm-then-open flow (package inbound).
	Contacts *inbound.Contacts
	Audit    *audit.Log
	// Files holds the files citizens send the desk (package blob); nil when none are kept.
	Files blob.Store
	// JobQueue reads the job queue and the mail outbox for the admins' page.
	JobQueue *jobqueue.Reader
	// The campaign: stakeholder organisations and communication packs (package campaign).
	Orgs  *campaign.Orgs
	Packs *campaign.Packs
	// Downloads counts pack downloads (in memory; app flushes them).
	Downloads *campaign.Downloads
	// Notices and Stats: pack subscriptions' unsubscribe links and download statistics.
	Notices *campaign.Notices
	Stats   *campaign.Stats
	// SiteData is the campaign site's Q&A, brokers and timeline.
	SiteData *sitedata.Store
	// Pages are the campaign site's pages (package campaign/site).
	Pages *site.Pages
	// Newsletter: subscriptions and the editors' issues.
	Newsletter *newsletter.Newsletter
	// Forum is the stakeholder forum (package campaign/forum).
	Forum *forum.Forum
	// Rounds are the forum's feedback rounds (handlers/campaigns/rounds*.go).
	Rounds *campaign.Rounds

	// Now is the clock; tests set it to see the footer at a chosen moment.
	Now func() time.Time
}

// Server holds the handlers and the echo instance they are registered on.
type Server struct {
	Deps
	site  *web.Site
	echo  *echo.Echo
	table []Route
	// contactDays keeps the contact page's hours and closures per language and day (pages.go).
	contactDays web.PeriodCache[views.ContactView]
}

// New builds the server and registers every route of the table.
func New(d Deps) *Server {
	if d.Now == nil {
		d.Now = time.Now
	}
	s := &Server{Deps: d, echo: echo.New()}
	s.site = web.NewSite(web.Site{
		Config: d.Config, Log: d.Log, Sessions: d.Sessions, Catalog: d.Catalog, Assets: d.Assets,
		Schedule: d.Schedule,
		// The clock is read through the server on every call: tests set Server.Now after New.
		Now: func() time.Time { return s.Now() },
	}, d.Metrics)
	s.echo.HideBanner = true
	s.echo.HidePort = true
	s.echo.HTTPErrorHandler = s.site.HandleError
	s.echo.IPExtractor = echo.ExtractIPDirect()
	if d.Config.TrustProxy {
		s.echo.IPExtractor = echo.ExtractIPFromXFFHeader()
	}
	dk := desk.New(desk.Handlers{Site: s.site, Identity: d.Identity, Persons: d.Persons,
		Activations: d.Activations, Throttle: d.Throttle, Staff: d.Staff, Cases: d.Cases, Audit: d.Audit,
		Registrations: d.Registrations,
		Outbox:        d.Outbox, Orders: d.Orders, Files: d.Files, JobQueue: d.JobQueue}, d.WebAuthn)
	cit := citizen.New(citizen.Handlers{Site: s.site, Identity: d.Identity, Persons: d.Persons,
		Activations: d.Activations, Throttle: d.Throttle, Letters: d.Letters, Cases: d.Cases, Outbox: d.Outbox,
		DemoMail: d.DemoMail, Archive: d.Archive, Contacts: d.Contacts, IDApp: d.IDApp, Orders: d.Orders,
		Files: d.Files, Orgs: d.Orgs}, d.WebAuthn)
	cg := campaigns.New(campaigns.Handlers{Site: s.site, Orgs: d.Orgs, Packs: d.Packs, Outbox: d.Outbox,
		Downloads: d.Downloads, Notices: d.Notices, Stats: d.Stats, SiteData: d.SiteData, Pages: d.Pages,
		Newsletter: d.Newsletter, Forum: d.Forum, Rounds: d.Rounds,
		PageBox: func(c echo.Context, slug string) (templ.Component, error) {
			if slug != howToGetMitID {
				return nil, nil
			}
			v, err := citizen.NemIDStatusFor(c, d.Identity)
			if v == nil || err != nil {
				return nil, err
			}
			return views.NemIDStatus(v), nil
		}})
	s.site.Reauth = cit.AskReauth
	s.table = s.routes(cit, dk, cg)
	s.register()
	return s
}

// Handler is the portal as an http.Handler.
func (s *Server) Handler() http.Handler { return s.echo }

// Routes returns the route table, for the authorisation test.
func (s *Server) Routes() []Route { return s.table }

// howToGetMitID is the campaign page on getting MitID, where a selected citizen also sees
// their deadline (the box the overview shows).
const howToGetMitID = "saadan-faar-du-mitid"
