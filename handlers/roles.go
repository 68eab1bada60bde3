package handlers

import "mitidportal/handlers/web"

// The roles and access rules live in package web, beside the middleware that checks them;
// these names keep them reachable from package handlers for app/, cmd/ and the tests.

// Role is what a request may act as (web.Role).
type Role = web.Role

// Access is the set of roles a route admits (web.Access).
type Access = web.Access

// The portal's roles.
const (
	Anonymous      = web.Anonymous
	Citizen        = web.Citizen
	OrgMember      = web.OrgMember
	OrgAdmin       = web.OrgAdmin
	Agent          = web.Agent
	Supervisor     = web.Supervisor
	RAOfficer      = web.RAOfficer
	Fulfilment     = web.Fulfilment
	CampaignEditor = web.CampaignEditor
	Auditor        = web.Auditor
	Admin          = web.Admin
)

// RecentLogin is how recent a login must be to change means, password or username.
const RecentLogin = web.RecentLogin

// AllRoles lists every role; the route test walks each route with each of them.
var AllRoles = web.AllRoles
