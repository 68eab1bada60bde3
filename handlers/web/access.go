package web

import (
	"slices"
	"time"

	"mitidportal/identity"
	"mitidportal/session"
)

// Role is what a request may act as. A request has the roles of its session's subject;
// a request without one is Anonymous.
type Role string

// The portal's roles (DESIGN.md §4).
const (
	Anonymous      Role = "anonymous"
	Citizen        Role = "citizen"
	OrgMember      Role = "org_member"
	OrgAdmin       Role = "org_admin"
	Agent          Role = "agent"
	Supervisor     Role = "supervisor"
	RAOfficer      Role = "ra_officer"
	Fulfilment     Role = "fulfilment"
	CampaignEditor Role = "campaign_editor"
	Auditor        Role = "auditor" // reads the whole audit log (DESIGN.md §4)
	Admin          Role = "admin"
)

// AllRoles lists every role; the route test walks each route with each of them.
var AllRoles = []Role{Anonymous, Citizen, OrgMember, OrgAdmin, Agent, Supervisor, RAOfficer, Fulfilment, CampaignEditor, Auditor, Admin}

// StaffRoles are the roles a staff account can hold.
var StaffRoles = []Role{Agent, Supervisor, RAOfficer, Fulfilment, CampaignEditor, Auditor, Admin}

// AuditReaders read the whole audit log; every other staff role reads only its own actions there.
var AuditReaders = []Role{Supervisor, Auditor, Admin}

// Access is the set of roles a route admits and, for citizens, how strong and how recent
// their login must be (DESIGN.md §3.2): self-service pages need a substantial login, changes of
// means or password one made within the last minutes.
type Access struct {
	roles  []Role
	public bool
	level  identity.Level
	recent time.Duration
	// duringChange admits a session that must set a new password first (see
	// DuringPasswordChange); every other route sends it to PasswordChangePath.
	duringChange bool
	// upload is the body a route that streams an upload takes (Upload), 0 for the others.
	upload int64
	// tokenInURL: see TokenInURL.
	tokenInURL bool
	// preload is the page's reads sent with the session's (Preload), nil for most routes.
	preload Preloader
}

// Upload lets the route take a multipart body of up to max bytes, which it streams part by part
// (UploadParts) instead of parsing: its CSRF token is read from the form's first part, so the
// form must put csrf_token first. Every other route keeps LimitUploads' bound. The bound is
// raised only after the request's roles are checked.
func (a Access) Upload(max int64) Access { a.upload = max; return a }

// TokenInURL marks a POST whose URL carries its own unguessable, single-purpose token, so it
// needs no CSRF token: RFC 8058's one-click unsubscribe is POSTed by the mail provider, without
// the portal's cookie or form. Whoever holds the URL may do what it does anyway.
func (a Access) TokenInURL() Access { a.tokenInURL = true; return a }

// NeedsCSRF reports whether the route's unsafe requests must carry a CSRF token.
func (a Access) NeedsCSRF() bool { return !a.tokenInURL }

// AtLevel asks a citizen's login for at least level l; a weaker login is asked to log in again.
func (a Access) AtLevel(l identity.Level) Access { a.level = l; return a }

// Within asks a citizen's login to be at most d old; an older one is asked to log in again and
// then comes back to the page.
func (a Access) Within(d time.Duration) Access { a.recent = d; return a }

// DuringPasswordChange lets the route answer a session whose login was made with a temporary
// password from support (session.Subject.MustChangePassword). Such a session reaches only the
// routes marked so: setting the new password, logging out, logging in again and the operational
// endpoints; every other route sends it to PasswordChangePath (Site.Authorize).
func (a Access) DuringPasswordChange() Access { a.duringChange = true; return a }

// PasswordChangePath is the page that sets a new password, where a session with a temporary
// password is sent from every other route.
const PasswordChangePath = "/mitid/adgangskode"

// RecentLogin is how recent a login must be to change means, password or username.
const RecentLogin = 15 * time.Minute

// CitizenPages admits citizens logged in at substantial or high: the self-service pages.
var CitizenPages = Only(Citizen).AtLevel(identity.LevelSubstantial)

// CitizenRecent is CitizenPages for changes: the login must also be recent.
var CitizenRecent = CitizenPages.Within(RecentLogin)

// PasswordChange admits the page that sets a new password: CitizenRecent, and also during a
// login with a temporary password, which exists to reach it.
var PasswordChange = CitizenRecent.DuringPasswordChange()

// loginFresh reports whether a citizen's login meets the route's level and recency; it holds
// for everyone else, since staff log in with a security key every time.
func (a Access) loginFresh(sub session.Subject, now time.Time) bool {
	if sub.Kind != session.KindCitizen {
		return true
	}
	if a.level != "" && !identity.Level(sub.Level).AtLeast(a.level) {
		return false
	}
	if a.recent > 0 && now.Sub(sub.AuthenticatedAt) > a.recent {
		return false
	}
	return true
}

// Public admits everyone, logged in or not.
var Public = Access{public: true}

// Only admits the listed roles.
func Only(roles ...Role) Access { return Access{roles: roles} }

// LoggedIn admits every authenticated person, citizen or staff.
var LoggedIn = Only(append([]Role{Citizen, OrgMember, OrgAdmin}, StaffRoles...)...)

// AnyStaff admits every staff role.
var AnyStaff = Only(StaffRoles...)

// Allows reports whether a request holding roles may use the route.
func (a Access) Allows(roles []Role) bool {
	if a.public {
		return true
	}
	for _, r := range roles {
		if slices.Contains(a.roles, r) {
			return true
		}
	}
	return false
}

// RolesOf returns the roles a session subject holds.
func RolesOf(sub session.Subject) []Role {
	if sub.Anonymous() {
		return []Role{Anonymous}
	}
	roles := make([]Role, 0, len(sub.Roles))
	for _, r := range sub.Roles {
		roles = append(roles, Role(r))
	}
	return roles
}
