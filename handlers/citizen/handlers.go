// Package citizen is the citizen's side of the portal: the login with password, code display,
// chip or app, creating a MitID from the activation letter, the self-service pages, blocking,
// the MitID app's endpoints, the letter box, the contact form and "my cases". Its routes are
// listed, with their roles, in handlers/routes.go.
package citizen

import (
	"github.com/go-webauthn/webauthn/webauthn"

	"mitidportal/blob"
	"mitidportal/campaign"
	"mitidportal/handlers/web"
	"mitidportal/identity"
	"mitidportal/identity/idapp"
	"mitidportal/inbound"
	"mitidportal/mail"
	"mitidportal/mail/demobox"
	"mitidportal/support"
)

// Handlers are the citizen's pages, with only what they use.
type Handlers struct {
	*web.Site
	Identity    *identity.Store
	Persons     *identity.Persons
	Activations *identity.Activations
	Throttle    *identity.AddressThrottle
	Letters     *identity.Letters
	Orders      *identity.Orders
	Cases       *support.Cases
	Contacts    *inbound.Contacts
	Outbox      *mail.Outbox
	// DemoMail is the demo mode's in-process mail server, or nil; without one the demo mailbox
	// reads the outbox through Archive.
	DemoMail *demobox.Box
	Archive  *mail.Archive
	// Files keeps the contact form's files (package blob); nil refuses them.
	Files blob.Store
	// Orgs tells which organisations a citizen belongs to: a login carries the roles
	// organisation member and admin (package campaign stays the authority on each organisation).
	Orgs *campaign.Orgs
	// IDApp is the identification app's flow, or nil when no key of the identification
	// service is configured (its pages are then 404).
	IDApp *idapp.Flow

	chips *web.Ceremonies
}

// New returns the citizen's handlers; wa runs the chip ceremonies.
func New(h Handlers, wa *webauthn.WebAuthn) *Handlers {
	h.chips = h.Ceremonies(wa, web.KeyChipCeremony)
	return &h
}
