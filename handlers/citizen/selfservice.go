package citizen

import (
	"errors"
	"net/http"
	"slices"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/labstack/echo/v4"

	"mitidportal/handlers/web"
	"mitidportal/identity"
	"mitidportal/session"
	"mitidportal/views"
)

// Notices the overview shows after a change, named by ?done= (anything else shows nothing).
var notices = map[string]string{
	"renamed": "selfservice.notice.renamed", "means_blocked": "selfservice.notice.means_blocked",
	"removed": "selfservice.notice.removed", "token_added": "selfservice.notice.token_added",
	"chip_added": "selfservice.notice.chip_added", "app_added": "selfservice.notice.app_added",
	"password_changed": "selfservice.notice.password_changed", "username_changed": "selfservice.notice.username_changed",
	"ordered": "orders.notice.ordered", "order_cancelled": "orders.notice.cancelled",
	"means_unblocked": "temppw.notice.means_unblocked",
}

// mitidOf returns the logged-in citizen's MitID.
func (s *Handlers) mitidOf(c echo.Context) (identity.MitID, error) {
	return s.Identity.MitID(c.Request().Context(), web.StateOf(c).Subject.ID)
}

// PreloadOverview queues the overview's reads for the citizen of the session being loaded, so
// that the session and the page's data come in one round trip (web.Site.Preload).
func (s *Handlers) PreloadOverview(b *pgx.Batch, ref session.Ref) any {
	return s.Identity.QueueOverview(b, ref.SubjectIDSQL(session.KindCitizen), ref.Arg())
}

// overviewOf is the logged-in citizen's overview: the one read with the session when it is
// theirs, else read now. It is not theirs when the session row changed between the batch's
// statements (each reads its own snapshot): then it is read again by the subject's ID, which
// the session load proved valid.
func (s *Handlers) overviewOf(c echo.Context) (identity.Overview, error) {
	sub := web.StateOf(c).Subject
	if p, ok := web.Preloaded(c).(*identity.PendingOverview); ok && sub.Kind == session.KindCitizen {
		if ov, found := p.Result(); found && ov.MitID.ID == sub.ID {
			return ov, nil
		}
	}
	return s.Identity.Overview(c.Request().Context(), sub.ID)
}

// Overview is the self-service front page. Its data comes in the round trip that loads the
// session (PreloadOverview, identity.Store.QueueOverview).
func (s *Handlers) Overview(c echo.Context) error {
	ov, err := s.overviewOf(c)
	if err != nil {
		return err
	}
	m, means := ov.MitID, ov.Means
	v := views.OverviewView{
		Username: m.Username, StatusID: m.Status.MsgID(), AssuranceID: m.Assurance.MsgID(),
		SessionLevelID: identity.Level(web.StateOf(c).Subject.Level).MsgID(), UnreadLetters: ov.Unread,
		NoticeID: notices[c.QueryParam("done")], Orders: s.orderRowsOf(ov.Orders),
		// The organisation roles are given at login: the link costs no query.
		Organisations: slices.ContainsFunc(web.RolesOf(web.StateOf(c).Subject), func(r web.Role) bool {
			return r == web.OrgMember || r == web.OrgAdmin
		}),
	}
	if ov.HasNemID && ov.NemID.State == identity.NemIDSelected {
		v.NemID = nemidBox(ov.NemID, s.Identity.NemIDExtensionDays())
	}
	for _, a := range means {
		row := views.MeansRow{ID: a.ID, KindID: a.Kind.MsgID(), Label: a.Label, StatusID: a.Status.MsgID(),
			Created: s.When(a.CreatedAt)}
		if a.LastUsedAt != nil {
			row.LastUsed = s.When(*a.LastUsedAt)
		}
		if a.Kind != identity.KindPassword {
			row.CanRename = true
			// The domain's rules decide which actions are offered: no "remove" for the last
			// means that can log in, "unblock" only with a login made with another means.
			row.CanRemove = identity.CanRemove(means, a.ID)
			row.CanBlock = a.Status == identity.AuthActive || a.Status == identity.AuthLocked || a.Status == identity.AuthPending
			row.CanUnblock = identity.CanUnblock(m, means, a.ID, web.StateOf(c).Subject.MeansID)
		}
		v.Means = append(v.Means, row)
	}
	return s.Render(c, http.StatusOK, views.Overview(v))
}

// meansOf returns the citizen's means named by the :id of the path; another person's means
// is not found, the same as one that does not exist.
func (s *Handlers) meansOf(c echo.Context) (identity.Authenticator, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return identity.Authenticator{}, echo.ErrNotFound
	}
	a, err := s.Identity.Authenticator(c.Request().Context(), web.StateOf(c).Subject.ID, id)
	if errors.Is(err, identity.ErrNotFound) || (err == nil && (a.Kind == identity.KindPassword || a.Status == identity.AuthRevoked)) {
		return identity.Authenticator{}, echo.ErrNotFound
	}
	return a, err
}

func meansView(a identity.Authenticator, f views.Form) views.MeansView {
	return views.MeansView{ID: a.ID, KindID: a.Kind.MsgID(), Label: a.Label, Form: f}
}

// RenamePage asks for a new name for a means.
func (s *Handlers) RenamePage(c echo.Context) error {
	a, err := s.meansOf(c)
	if err != nil {
		return err
	}
	f := views.Form{Values: map[string]string{"label": a.Label}}
	return s.Render(c, http.StatusOK, views.RenameMeans(meansView(a, f)))
}

// RenameSubmit renames the means.
func (s *Handlers) RenameSubmit(c echo.Context) error {
	a, err := s.meansOf(c)
	if err != nil {
		return err
	}
	f := web.FormOf(c, "label")
	again := func() error { return s.Render(c, web.StatusInvalid, views.RenameMeans(meansView(a, f))) }
	web.Require(&f, f.Values, [2]string{"label", "form.err.label_required"})
	if f.HasErrors() {
		return again()
	}
	if err := s.Identity.RenameAuthenticator(c.Request().Context(), a.MitIDID, a.ID, f.Values["label"], identity.ActorCitizen); err != nil {
		return s.FieldOrError(c, &f, err, "label", again)
	}
	return s.Redirect(c, "/mitid?done=renamed")
}

// BlockMeansPage asks why a means is to be blocked.
func (s *Handlers) BlockMeansPage(c echo.Context) error {
	a, err := s.meansOf(c)
	if err != nil {
		return err
	}
	v := meansView(a, views.Form{})
	v.Reasons = web.BlockReasons()
	return s.Render(c, http.StatusOK, views.BlockMeans(v))
}

// BlockMeansSubmit blocks the means.
func (s *Handlers) BlockMeansSubmit(c echo.Context) error {
	a, err := s.meansOf(c)
	if err != nil {
		return err
	}
	f := web.FormOf(c, "reason")
	again := func() error {
		v := meansView(a, f)
		v.Reasons = web.BlockReasons()
		return s.Render(c, web.StatusInvalid, views.BlockMeans(v))
	}
	reason, err := web.ParseChoice(f.Values["reason"])
	if err != nil {
		f.Errors = append(f.Errors, views.FieldError{Field: "reason", MsgID: "form.err.reason_required"})
		return again()
	}
	if err := s.Identity.BlockAuthenticator(c.Request().Context(), a.MitIDID, a.ID, reason, identity.ActorCitizen); err != nil {
		return s.FieldOrError(c, &f, err, "reason", again)
	}
	return s.Redirect(c, "/mitid?done=means_blocked")
}

// RemoveMeansPage asks to confirm the removal of a means.
func (s *Handlers) RemoveMeansPage(c echo.Context) error {
	a, err := s.meansOf(c)
	if err != nil {
		return err
	}
	return s.Render(c, http.StatusOK, views.RemoveMeans(meansView(a, views.Form{})))
}

// RemoveMeansSubmit removes the means.
func (s *Handlers) RemoveMeansSubmit(c echo.Context) error {
	a, err := s.meansOf(c)
	if err != nil {
		return err
	}
	var f views.Form
	if err := s.Identity.RemoveAuthenticator(c.Request().Context(), a.MitIDID, a.ID, identity.ActorCitizen); err != nil {
		return s.FieldOrError(c, &f, err, "", func() error {
			return s.Render(c, web.StatusInvalid, views.RemoveMeans(meansView(a, f)))
		})
	}
	return s.Redirect(c, "/mitid?done=removed")
}

// AddTokenPage asks for a further code display.
func (s *Handlers) AddTokenPage(c echo.Context) error {
	return s.Render(c, http.StatusOK, views.AddToken(views.AddTokenView{}))
}

// AddTokenSubmit adds the code display.
func (s *Handlers) AddTokenSubmit(c echo.Context) error {
	f := web.FormOf(c, "serial")
	code := web.Field(c, "code")
	web.InputErrors(c, &f)
	again := func() error { return s.Render(c, web.StatusInvalid, views.AddToken(views.AddTokenView{Form: f})) }
	web.Require(&f, map[string]string{"serial": f.Values["serial"], "code": code},
		[2]string{"serial", "form.err.serial_required"}, [2]string{"code", "form.err.code_required"})
	if f.HasErrors() {
		return again()
	}
	_, err := s.Identity.ActivateToken(c.Request().Context(), web.StateOf(c).Subject.ID, f.Values["serial"], code, identity.ActorCitizen)
	if err != nil {
		fieldName := "serial"
		if errors.Is(err, identity.ErrCodeWrong) {
			fieldName = "code"
		}
		return s.FieldOrError(c, &f, err, fieldName, again)
	}
	return s.Redirect(c, "/mitid?done=token_added")
}

// PasswordPage asks for a new password. It asks no old one: the route needs a login made
// within RecentLogin, and a citizen who forgot the password logs in with the app alone and sets
// a new one here (DESIGN.md §3.5); a login with the password proved it minutes ago anyway.
func (s *Handlers) PasswordPage(c echo.Context) error {
	m, err := s.mitidOf(c)
	if err != nil {
		return err
	}
	return s.Render(c, http.StatusOK, views.ChangePassword(views.ChangePasswordView{Username: m.Username,
		MustChange: web.StateOf(c).Subject.MustChangePassword}))
}

// PasswordSubmit changes the password.
func (s *Handlers) PasswordSubmit(c echo.Context) error {
	m, err := s.mitidOf(c)
	if err != nil {
		return err
	}
	password, repeat := web.SecretField(c, "password"), web.SecretField(c, "password_repeat")
	var f views.Form
	if web.InputErrors(c, &f); !f.HasErrors() {
		f.Errors = checkNewPassword(password, repeat)
	}
	again := func() error {
		return s.Render(c, web.StatusInvalid, views.ChangePassword(views.ChangePasswordView{Username: m.Username, Form: f,
			MustChange: web.StateOf(c).Subject.MustChangePassword}))
	}
	if f.HasErrors() {
		return again()
	}
	// Every other session of the MitID ends in the transaction of the change (whoever logged in
	// with the old password is out); this one stays.
	ctx, st := c.Request().Context(), web.StateOf(c)
	if err := s.Identity.ChangePassword(ctx, m.ID, password, identity.ActorCitizen, st.Sess.ID); err != nil {
		return s.FieldOrError(c, &f, err, "password", again)
	}
	if st.Subject.MustChangePassword {
		// The temporary password is gone with the change: this session may go everywhere now.
		st.Subject.MustChangePassword = false
		session.SetSubject(st.Sess, st.Subject)
		st.Dirty = true
	}
	return s.Redirect(c, "/mitid?done=password_changed")
}

// UsernamePage asks for a new username.
func (s *Handlers) UsernamePage(c echo.Context) error {
	m, err := s.mitidOf(c)
	if err != nil {
		return err
	}
	return s.Render(c, http.StatusOK, views.ChangeUsername(views.ChangeUsernameView{Username: m.Username}))
}

// UsernameSubmit changes the username.
func (s *Handlers) UsernameSubmit(c echo.Context) error {
	m, err := s.mitidOf(c)
	if err != nil {
		return err
	}
	f := web.FormOf(c, "username")
	again := func() error {
		return s.Render(c, web.StatusInvalid, views.ChangeUsername(views.ChangeUsernameView{Username: m.Username, Form: f}))
	}
	web.Require(&f, f.Values, [2]string{"username", "form.err.new_username_required"})
	if f.HasErrors() {
		return again()
	}
	if err := s.Identity.ChangeUsername(c.Request().Context(), m.ID, f.Values["username"], identity.ActorCitizen); err != nil {
		return s.FieldOrError(c, &f, err, "username", again)
	}
	return s.Redirect(c, "/mitid?done=username_changed")
}

// SessionsPage lists where the citizen is logged in.
func (s *Handlers) SessionsPage(c echo.Context) error {
	st := web.StateOf(c)
	list, err := s.Sessions.List(c.Request().Context(), session.KindCitizen, st.Subject.ID, st.Sess.ID)
	if err != nil {
		return err
	}
	var v views.SessionsView
	for _, i := range list {
		row := views.SessionRow{Started: s.When(i.CreatedAt), LastUsed: s.When(i.LastSeenAt), Current: i.Current}
		if i.Level != "" {
			row.LevelID = identity.Level(i.Level).MsgID()
		}
		if i.MeansKind != "" {
			row.MeansID = identity.Kind(i.MeansKind).MsgID()
		}
		v.Sessions = append(v.Sessions, row)
	}
	return s.Render(c, http.StatusOK, views.Sessions(v))
}

// LogoutEverywhere ends every session of the citizen, this one included.
func (s *Handlers) LogoutEverywhere(c echo.Context) error {
	st := web.StateOf(c)
	if _, err := s.Sessions.EndAll(c.Request().Context(), session.KindCitizen, st.Subject.ID); err != nil {
		return err
	}
	st.Sess.Options.MaxAge = -1
	st.Dirty = true
	return s.Redirect(c, "/")
}
