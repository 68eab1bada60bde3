package campaigns

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"mitidportal/campaign"
	"mitidportal/handlers/web"
	"mitidportal/views"
)

// The roles a session gets at login are a snapshot; what a member may do in one organisation
// is read from the database on every request (campaign.Orgs.RoleIn), so a role handed on
// works at once and a removed member loses access at once. A citizen who is no member of the
// organisation asked for gets "not found", never a hint that it exists.

// memberNotices are the notices a ?done= value on an organisation's page may ask for.
var memberNotices = map[string]string{
	"joined":  "campaignorgs.notice.joined",
	"invited": "campaignorgs.notice.invited",
	"role":    "campaignorgs.notice.role",
	"removed": "campaignorgs.notice.removed",
}

func orgHref(id int64) string { return "/organisationer/" + strconv.FormatInt(id, 10) }

func memberHref(orgID, mitidID int64, action string) string {
	return orgHref(orgID) + "/medlemmer/" + strconv.FormatInt(mitidID, 10) + "/" + action
}

func roleOptions() []views.Option {
	return []views.Option{
		{Value: string(campaign.RoleMember), LabelID: campaign.RoleMember.MsgID(), HintID: "campaignorgs.org.role_member_hint"},
		{Value: string(campaign.RoleAdmin), LabelID: campaign.RoleAdmin.MsgID(), HintID: "campaignorgs.org.role_admin_hint"},
	}
}

// MyOrgs lists the logged-in citizen's organisations.
func (s *Handlers) MyOrgs(c echo.Context) error {
	ms, err := s.Orgs.MembershipsOf(c.Request().Context(), web.StateOf(c).Subject.ID)
	if err != nil {
		return err
	}
	var v views.MyOrgsView
	for _, m := range ms {
		v.Orgs = append(v.Orgs, views.MyOrgRow{Href: orgHref(m.Org.ID), Name: m.Org.Name,
			KindID: m.Org.Kind.MsgID(), RoleID: m.Role.MsgID()})
	}
	return s.Render(c, http.StatusOK, views.MyOrgs(v))
}

// memberOf returns the organisation of the route's :id and the requester's role in it; a
// citizen who is no member of it gets "not found".
func (s *Handlers) memberOf(c echo.Context) (campaign.Organisation, campaign.MemberRole, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return campaign.Organisation{}, "", err
	}
	role, err := s.Orgs.RoleIn(c.Request().Context(), id, web.StateOf(c).Subject.ID)
	if err != nil {
		return campaign.Organisation{}, "", err
	}
	org, err := s.Orgs.ByID(c.Request().Context(), id)
	return org, role, err
}

// renderOrgPage shows the organisation to a member, with the form state f.
func (s *Handlers) renderOrgPage(c echo.Context, status int, org campaign.Organisation, role campaign.MemberRole, f views.Form) error {
	me := web.StateOf(c).Subject.ID
	members, err := s.Orgs.Members(c.Request().Context(), org.ID)
	if err != nil {
		return err
	}
	admin := role == campaign.RoleAdmin
	if f.Values == nil {
		f.Values = map[string]string{}
	}
	if f.Values["role"] == "" {
		f.Values["role"] = string(campaign.RoleMember)
	}
	if f.Values["lang"] == "" {
		f.Values["lang"] = web.StateOf(c).Lang
	}
	v := views.OrgPageView{Name: org.Name, CVR: org.CVR, KindID: org.Kind.MsgID(), RoleID: role.MsgID(),
		Admin: admin, Form: f, InviteURL: orgHref(org.ID) + "/inviter", SubsURL: orgHref(org.ID) + "/abonnementer", Roles: roleOptions(), Langs: langOptions(),
		Forum: org.ForumMember && org.Status == campaign.OrgApproved}
	if n, ok := memberNotices[c.QueryParam("done")]; ok && status == http.StatusOK {
		v.NoticeID = n
	}
	for _, m := range members {
		row := views.OrgMemberRow{Name: m.Name, Email: m.Email, RoleID: m.Role.MsgID(), Joined: s.When(m.JoinedAt),
			Self: m.MitIDID == me}
		if admin {
			row.RoleURL = memberHref(org.ID, m.MitIDID, "rolle")
			row.NewRole, row.RoleButtonID = string(campaign.RoleAdmin), "campaignorgs.org.make_admin"
			if m.Role == campaign.RoleAdmin {
				row.NewRole, row.RoleButtonID = string(campaign.RoleMember), "campaignorgs.org.make_member"
			}
		}
		if admin || row.Self {
			row.RemoveURL, row.RemoveButtonID = memberHref(org.ID, m.MitIDID, "fjern"), "campaignorgs.org.remove"
			if row.Self {
				row.RemoveButtonID = "campaignorgs.org.leave"
			}
		}
		v.Members = append(v.Members, row)
	}
	return s.Render(c, status, views.OrgPage(v))
}

// OrgPage is an organisation for its members: who is in it with which role, and for admins the
// invitation form and the members' buttons.
func (s *Handlers) OrgPage(c echo.Context) error {
	org, role, err := s.memberOf(c)
	if err != nil {
		return err
	}
	return s.renderOrgPage(c, http.StatusOK, org, role, views.Form{})
}

// requireAdmin refuses a member who is no admin of the organisation (403: they know it exists).
func requireAdmin(role campaign.MemberRole) error {
	if role != campaign.RoleAdmin {
		return campaign.ErrNotAdmin
	}
	return nil
}

// OrgInvite mails an invitation with a single-use link in the language chosen for the invitee.
func (s *Handlers) OrgInvite(c echo.Context) error {
	org, role, err := s.memberOf(c)
	if err != nil {
		return err
	}
	if err := requireAdmin(role); err != nil {
		return err
	}
	f := web.FormOf(c, "email", "role", "lang")
	again := func() error { return s.renderOrgPage(c, web.StatusInvalid, org, role, f) }
	web.Require(&f, f.Values, [2]string{"email", "campaignorgs.err.email_required"},
		[2]string{"role", campaign.ErrRoleInvalid.MsgID}, [2]string{"lang", campaign.ErrLangInvalid.MsgID})
	if f.HasErrors() {
		return again()
	}
	email := f.Values["email"]
	err = s.Orgs.Invite(c.Request().Context(), org.ID, web.StateOf(c).Subject.ID, email,
		campaign.MemberRole(f.Values["role"]), f.Values["lang"])
	if err != nil {
		field := "email"
		switch {
		case errors.Is(err, campaign.ErrRoleInvalid):
			field = "role"
		case errors.Is(err, campaign.ErrLangInvalid):
			field = "lang"
		}
		return s.FieldOrError(c, &f, err, field, again)
	}
	return s.Redirect(c, orgHref(org.ID)+"?done=invited")
}

// memberTarget reads the route's :mitid, the member an action is about.
func memberTarget(c echo.Context) (int64, error) { return pathID(c, "mitid") }

// OrgSetRole gives a member another role (admins only): handing the admin role on, or taking
// it back. The organisation never goes without an admin: the domain's rule is shown.
func (s *Handlers) OrgSetRole(c echo.Context) error {
	org, role, err := s.memberOf(c)
	if err != nil {
		return err
	}
	target, err := memberTarget(c)
	if err != nil {
		return err
	}
	if err := requireAdmin(role); err != nil {
		return err
	}
	f := web.FormOf(c, "new_role")
	f.Values = map[string]string{} // the invitation form starts empty again
	if f.HasErrors() {
		return s.renderOrgPage(c, web.StatusInvalid, org, role, f)
	}
	me := web.StateOf(c).Subject.ID
	err = s.Orgs.SetRole(c.Request().Context(), org.ID, me, target, campaign.MemberRole(web.Field(c, "new_role")))
	if err != nil {
		return s.memberActionError(c, org, role, f, err)
	}
	if target == me {
		if err := s.refreshRoles(c); err != nil {
			return err
		}
	}
	return s.Redirect(c, orgHref(org.ID)+"?done=role")
}

// OrgRemove ends a membership: an admin removes a member, or a member leaves. The last admin
// can do neither: the domain's rule is shown.
func (s *Handlers) OrgRemove(c echo.Context) error {
	org, role, err := s.memberOf(c)
	if err != nil {
		return err
	}
	target, err := memberTarget(c)
	if err != nil {
		return err
	}
	me := web.StateOf(c).Subject.ID
	if target != me {
		if err := requireAdmin(role); err != nil {
			return err
		}
	}
	err = s.Orgs.Remove(c.Request().Context(), org.ID, me, target)
	if err != nil {
		return s.memberActionError(c, org, role, views.Form{}, err)
	}
	if target == me {
		if err := s.refreshRoles(c); err != nil {
			return err
		}
		return s.Redirect(c, "/organisationer")
	}
	return s.Redirect(c, orgHref(org.ID)+"?done=removed")
}

// memberActionError shows a refused member action (the last admin, a role that does not
// exist) in the error summary of the organisation's page with 409 or 422; a member that is not
// there is "not found".
func (s *Handlers) memberActionError(c echo.Context, org campaign.Organisation, role campaign.MemberRole, f views.Form, err error) error {
	field := ""
	status := http.StatusConflict
	if errors.Is(err, campaign.ErrRoleInvalid) {
		field, status = "new_role", web.StatusInvalid
	}
	fe, err := web.RuleError(err, field)
	if err != nil {
		return err
	}
	f.Errors = append(f.Errors, fe)
	return s.renderOrgPage(c, status, org, role, f)
}
