// Package desk is the staff side of the portal: the staff login with password and security
// key, enrolment by one-time link, the support desk's queues and cases, the citizen card with
// its audited look-ups and actions, the supervisor dashboard, the audit log and the admin
// pages for staff accounts. Its routes are listed, with their roles, in handlers/routes.go.
package desk

import (
	"github.com/go-webauthn/webauthn/webauthn"

	"mitidportal/audit"
	"mitidportal/blob"
	"mitidportal/handlers/web"
	"mitidportal/identity"
	"mitidportal/jobqueue"
	"mitidportal/mail"
	"mitidportal/staff"
	"mitidportal/support"
)

// Handlers are the desk's pages, with only what they use.
type Handlers struct {
	*web.Site
	Identity    *identity.Store
	Persons     *identity.Persons
	Activations *identity.Activations
	// Registrations is registration in person (borgerservice.go).
	Registrations *identity.Registrations
	Throttle      *identity.AddressThrottle
	Staff         *staff.Store
	Cases         *support.Cases
	Audit         *audit.Log
	Outbox        *mail.Outbox
	Orders        *identity.Orders
	// Files holds the files citizens sent (attachments.go); nil when none are kept.
	Files blob.Store
	// JobQueue reads the job queue and the mail outbox for the admins' page (jobqueue.go).
	JobQueue *jobqueue.Reader

	keys *web.Ceremonies
}

// New returns the desk's handlers; wa runs the staff key ceremonies.
func New(h Handlers, wa *webauthn.WebAuthn) *Handlers {
	h.keys = h.Ceremonies(wa, web.KeyStaffCeremony)
	return &h
}
