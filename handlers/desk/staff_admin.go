package desk

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"mitidportal/handlers/web"
	"mitidportal/staff"
	"mitidportal/views"
)

// staffRoleText names each staff role and says what it is for (message IDs).
var staffRoleText = map[string]views.StaffRole{
	"agent":           {NameID: "staffweb.role.agent", TextID: "staffweb.role_text.agent"},
	"supervisor":      {NameID: "staffweb.role.supervisor", TextID: "staffweb.role_text.supervisor"},
	"ra_officer":      {NameID: "staffweb.role.ra_officer", TextID: "staffweb.role_text.ra_officer"},
	"fulfilment":      {NameID: "staffweb.role.fulfilment", TextID: "staffweb.role_text.fulfilment"},
	"campaign_editor": {NameID: "staffweb.role.campaign_editor", TextID: "staffweb.role_text.campaign_editor"},
	"auditor":         {NameID: "deskaudit.role.auditor", TextID: "deskaudit.role_text.auditor"},
	"admin":           {NameID: "staffweb.role.admin", TextID: "staffweb.role_text.admin"},
}

// staffStatusText is the message ID of each account state.
var staffStatusText = map[string]string{
	staff.StatusActive:   "staffweb.status.active",
	staff.StatusPending:  "staffweb.status.pending",
	staff.StatusLocked:   "staffweb.status.locked",
	staff.StatusDisabled: "staffweb.status.disabled",
}

// staffEntries are the staff pages the start page and the staff navigation offer. Each is shown
// only when its route exists and admits one of the person's roles; the areas of other pages
// (the agent workspace, the supervisor dashboard) add theirs here.
var staffEntries = []views.Entry{
	{TitleID: "staffweb.home.users_title", TextID: "staffweb.home.users_text", Href: "/medarbejder/admin/brugere", TestID: "staff-entry-users"},
	{TitleID: "desk.home.title", TextID: "desk.home.text", Href: "/medarbejder/sager", TestID: "staff-entry-desk"},
	{TitleID: "deskcanned.list.title", TextID: "deskcanned.entry_text", Href: "/medarbejder/svar", TestID: "staff-entry-canned"},
	{TitleID: "dashboard.entry_title", TextID: "dashboard.entry_text", Href: "/medarbejder/overblik", TestID: "staff-entry-dashboard"},
	{TitleID: "auditlog.home.title", TextID: "auditlog.home.text", Href: "/medarbejder/revision", TestID: "staff-entry-audit"},
	{TitleID: "borgerservice.home.title", TextID: "borgerservice.home.text", Href: bsPath, TestID: "staff-entry-borgerservice"},
	{TitleID: "fulfilment.home.title", TextID: "fulfilment.home.text", Href: "/medarbejder/forsendelse", TestID: "staff-entry-fulfilment"},
	{TitleID: "campaignorgs.queue.title", TextID: "campaignorgs.editor.entry_text", Href: "/redaktion/organisationer", TestID: "staff-entry-orgs"},
	{TitleID: "rounds.editor.title", TextID: "rounds.editor.entry_text", Href: "/redaktion/feedback", TestID: "staff-entry-rounds"},
	{TitleID: "jobqueue.entry_title", TextID: "jobqueue.entry_text", Href: "/medarbejder/admin/jobkoe", TestID: "staff-entry-jobqueue"},
}

// staffUserNotices are the notices a ?done= value on an account's page may ask for.
var staffUserNotices = map[string]string{
	"roles":    "staffweb.notice.roles",
	"disabled": "staffweb.notice.disabled",
	"enabled":  "staffweb.notice.enabled",
}

// staffNav fills the header's navigation of a staff page: the start page and the entries the
// person's roles reach.
func (s *Handlers) staffNav(c echo.Context) []views.Entry {
	st := web.StateOf(c)
	roles := web.RolesOf(st.Subject)
	var entries []views.Entry
	for _, e := range staffEntries {
		if s.PageAllows(e.Href, roles) {
			entries = append(entries, e)
		}
	}
	path := c.Request().URL.Path
	st.Page.Nav = []views.NavItem{{Label: st.Tr.T("staffweb.nav.home"), Href: staffHomePath, Active: path == staffHomePath}}
	for _, e := range entries {
		st.Page.Nav = append(st.Page.Nav, views.NavItem{Label: st.Tr.T(e.TitleID), Href: e.Href,
			Active: path == e.Href || strings.HasPrefix(path, e.Href+"/")})
	}
	return entries
}

// Home is the staff start page: the person's roles and where they lead.
func (s *Handlers) Home(c echo.Context) error {
	sub := web.StateOf(c).Subject
	v := views.StaffHomeView{Name: sub.Name, Entries: s.staffNav(c)}
	for _, r := range staff.Roles {
		if slices.Contains(sub.Roles, r) {
			v.Roles = append(v.Roles, staffRoleText[r])
		}
	}
	return s.Render(c, http.StatusOK, views.StaffHome(v))
}

func (s *Handlers) staffRow(c echo.Context, u staff.User) views.StaffRow {
	row := views.StaffRow{ID: u.ID, Name: u.Name, Email: u.Email, StatusID: staffStatusText[u.Status()],
		Keys: u.Keys, Self: u.ID == web.StateOf(c).Subject.ID}
	for _, r := range staff.Roles {
		if u.HasRole(r) {
			row.RoleIDs = append(row.RoleIDs, staffRoleText[r].NameID)
		}
	}
	if u.LastLoginAt != nil {
		row.LastSeen = s.When(*u.LastLoginAt)
	}
	return row
}

func roleOptions() []views.Option {
	opts := make([]views.Option, 0, len(staff.Roles))
	for _, r := range staff.Roles {
		opts = append(opts, views.Option{Value: r, LabelID: staffRoleText[r].NameID})
	}
	return opts
}

// renderStaffUsers shows the staff list with the create form in state f.
func (s *Handlers) renderStaffUsers(c echo.Context, status int, v views.StaffUsersView) error {
	users, err := s.Staff.List(c.Request().Context())
	if err != nil {
		return err
	}
	for _, u := range users {
		v.Users = append(v.Users, s.staffRow(c, u))
	}
	v.Roles = roleOptions()
	s.staffNav(c)
	return s.Render(c, status, views.StaffUsers(v))
}

// UsersPage lists the staff accounts with the form that creates one.
func (s *Handlers) UsersPage(c echo.Context) error {
	return s.renderStaffUsers(c, http.StatusOK, views.StaffUsersView{})
}

// CreateUser creates an account and shows its one-time enrolment link, this once.
func (s *Handlers) CreateUser(c echo.Context) error {
	f := web.FormOf(c, "name", "email")
	params, err := c.FormParams()
	if err != nil {
		return echo.ErrBadRequest
	}
	roles := params["roles"]
	web.Require(&f, f.Values, [2]string{"name", "staff.err.name_required"}, [2]string{"email", "staff.err.email_required"})
	if len(roles) == 0 {
		f.Errors = append(f.Errors, views.FieldError{Field: "roles", MsgID: staff.ErrInvalidRole.MsgID})
	}
	again := func() error {
		return s.renderStaffUsers(c, web.StatusInvalid, views.StaffUsersView{Form: f, Checked: roles})
	}
	if f.HasErrors() {
		return again()
	}
	u, token, err := s.Staff.CreateBy(c.Request().Context(), web.StateOf(c).Subject.ID, f.Values["email"], f.Values["name"], roles)
	if rule, ok := staff.IsRule(err); ok {
		field := map[string]string{staff.ErrNameRequired.MsgID: "name", staff.ErrInvalidRole.MsgID: "roles"}[rule.MsgID]
		if field == "" {
			field = "email"
		}
		f.Errors = append(f.Errors, views.FieldError{Field: field, MsgID: rule.MsgID})
		return again()
	}
	if err != nil {
		return err
	}
	return s.renderStaffUsers(c, http.StatusOK, views.StaffUsersView{Created: s.enrolmentLink(u, token)})
}

// enrolmentLink is the one-time enrolment link token of account u, made just now, as shown.
func (s *Handlers) enrolmentLink(u staff.User, token string) *views.StaffCreated {
	return &views.StaffCreated{Name: u.Name, Email: u.Email, Link: s.Config.BaseURL + "/medarbejder/tilmeld/" + token,
		Expires: s.When(s.Now().Add(staff.EnrolmentLifetime))}
}

// staffTarget is the account of the page's :id.
func (s *Handlers) staffTarget(c echo.Context) (staff.User, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return staff.User{}, echo.ErrNotFound
	}
	u, err := s.Staff.ByID(c.Request().Context(), id)
	if errors.Is(err, staff.ErrNotFound) {
		return staff.User{}, echo.ErrNotFound
	}
	return u, err
}

// renderStaffUser shows account u's page with v's form state (Form, Checked: nil means the
// account's own roles) and the enrolment link just made (Enrolment).
func (s *Handlers) renderStaffUser(c echo.Context, status int, u staff.User, v views.StaffUserView) error {
	if v.Checked == nil {
		v.Checked = u.Roles
	}
	v.User, v.Roles = s.staffRow(c, u), roleOptions()
	v.NoticeID = staffUserNotices[c.QueryParam("done")]
	v.Disabled, v.Locked = u.DisabledAt != nil, u.LockedAt != nil
	s.staffNav(c)
	return s.Render(c, status, views.StaffUser(v))
}

// UserPage shows one staff account and the forms that change it.
func (s *Handlers) UserPage(c echo.Context) error {
	u, err := s.staffTarget(c)
	if err != nil {
		return err
	}
	return s.renderStaffUser(c, http.StatusOK, u, views.StaffUserView{})
}

// SetRoles gives the account the ticked roles and ends its sessions, so the new roles
// hold from its next request on. An admin changing their own roles stays logged in, with the
// new roles, under a new session ID.
func (s *Handlers) SetRoles(c echo.Context) error {
	u, err := s.staffTarget(c)
	if err != nil {
		return err
	}
	params, err := c.FormParams()
	if err != nil {
		return echo.ErrBadRequest
	}
	roles := params["roles"]
	ctx := c.Request().Context()
	me := web.StateOf(c).Subject.ID
	changed, err := s.Staff.SetRoles(ctx, me, u.ID, roles)
	if rule, ok := staff.IsRule(err); ok {
		f := views.Form{Errors: []views.FieldError{{Field: "roles", MsgID: rule.MsgID}}}
		return s.renderStaffUser(c, web.StatusInvalid, u, views.StaffUserView{Form: f, Checked: append([]string{}, roles...)})
	}
	if err != nil {
		return err
	}
	if changed.ID == me {
		if err := s.establishStaffLogin(c, changed); err != nil {
			return err
		}
	}
	return s.Redirect(c, staffUserHref(u.ID)+"?done=roles")
}

// Disable disables the account and ends all its sessions in the same transaction.
func (s *Handlers) Disable(c echo.Context) error {
	u, err := s.staffTarget(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	err = s.Staff.Disable(ctx, web.StateOf(c).Subject.ID, u.ID)
	if rule, ok := staff.IsRule(err); ok {
		return s.renderStaffUser(c, web.StatusInvalid, u, views.StaffUserView{Form: views.Form{Errors: []views.FieldError{{MsgID: rule.MsgID}}}})
	}
	if err != nil {
		return err
	}
	return s.Redirect(c, staffUserHref(u.ID)+"?done=disabled")
}

// Enable enables a disabled account, or unlocks one locked after failed logins.
func (s *Handlers) Enable(c echo.Context) error {
	u, err := s.staffTarget(c)
	if err != nil {
		return err
	}
	if err := s.Staff.Enable(c.Request().Context(), web.StateOf(c).Subject.ID, u.ID); err != nil {
		return err
	}
	return s.Redirect(c, staffUserHref(u.ID)+"?done=enabled")
}

func staffUserHref(id int64) string {
	return "/medarbejder/admin/brugere/" + strconv.FormatInt(id, 10)
}
