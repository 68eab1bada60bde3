// Package campaigns is the campaign side of the portal (DESIGN.md §6): stakeholder
// organisations applying and managing their members, the communication packs and their
// downloads, and the campaign editors' pages. Its routes are listed, with their roles, in
// handlers/routes.go; the rules live in package campaign.
package campaigns

import (
	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"
	"mitidportal/campaign"
	"mitidportal/campaign/forum"
	"mitidportal/campaign/newsletter"
	"mitidportal/campaign/site"
	"mitidportal/campaign/sitedata"
	"mitidportal/handlers/web"
	"mitidportal/mail"
)

// Handlers are the campaign's pages, with only what they use.
type Handlers struct {
	*web.Site
	Orgs   *campaign.Orgs
	Packs  *campaign.Packs
	Outbox *mail.Outbox
	// Downloads counts pack downloads in memory, so that a download writes nothing.
	Downloads *campaign.Downloads
	// Notices and Stats: unsubscribe links of pack notices, download statistics (subs*.go,
	// stats*.go).
	Notices *campaign.Notices
	Stats   *campaign.Stats
	// SiteData: the Q&A, brokers and timeline pages and their editors (sitedata*.go).
	SiteData *sitedata.Store
	// Pages are the campaign site's pages (site*.go).
	Pages *site.Pages
	// Newsletter: subscribing, confirming, unsubscribing and the editors' issues (news*.go).
	Newsletter *newsletter.Newsletter
	// Forum is the stakeholder forum (forum*.go).
	Forum *forum.Forum
	// PageBox gives a campaign page a box for the person reading it, or nil: the how-to page
	// shows a selected citizen their NemID deadline (set by the server from the citizen
	// handlers, which own that box).
	PageBox func(c echo.Context, slug string) (templ.Component, error)
	// Rounds: the forum's feedback rounds (rounds*.go).
	Rounds *campaign.Rounds
}

// New returns the campaign's handlers.
func New(h Handlers) *Handlers {
	return &h
}
