package handlers

import (
	"slices"

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
	CampaignEditor Role = "campaign_editor"
	Admin          Role = "admin"
)

// AllRoles lists every role; the route test walks each route with each of them.
var AllRoles = []Role{Anonymous, Citizen, OrgMember, OrgAdmin, Agent, Supervisor, RAOfficer, CampaignEditor, Admin}

// StaffRoles are the roles a staff account can hold.
var StaffRoles = []Role{Agent, Supervisor, RAOfficer, CampaignEditor, Admin}

// Access is the set of roles a route admits.
type Access struct {
	roles  []Role
	public bool
}

// Public admits everyone, logged in or not.
var Public = Access{public: true}

// Only admits the listed roles.
func Only(roles ...Role) Access { return Access{roles: roles} }

// LoggedIn admits every authenticated person, citizen or staff.
var LoggedIn = Only(Citizen, OrgMember, OrgAdmin, Agent, Supervisor, RAOfficer, CampaignEditor, Admin)

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

// rolesOf returns the roles a session subject holds.
func rolesOf(sub session.Subject) []Role {
	if sub.Anonymous() {
		return []Role{Anonymous}
	}
	roles := make([]Role, 0, len(sub.Roles))
	for _, r := range sub.Roles {
		roles = append(roles, Role(r))
	}
	return roles
}
