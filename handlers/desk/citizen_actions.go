package desk

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"mitidportal/handlers/web"
	"mitidportal/identity"
	"mitidportal/support"
	"mitidportal/views"
)

// The desk's actions on a citizen's MitID: block it or a means, a temporary password, a new
// activation code. A block protects, so it asks for no verified caller; what lets someone in (a
// password, a code) does (verify.go).

// deskReason reads a required block reason from field name into f.
func deskReason(f *views.Form, name string) identity.BlockReason {
	r, err := web.ParseChoice(f.Values[name])
	if err != nil {
		f.Errors = append(f.Errors, views.FieldError{Field: name, MsgID: "deskcitizen.err.reason_required"})
	}
	return r
}

// BlockMitID blocks the whole MitID and ends its sessions; identity writes the audit entry in
// the same transaction. No verification is needed: a block protects.
func (s *Handlers) BlockMitID(c echo.Context) error {
	t, err := s.deskTargetOf(c)
	if err != nil {
		return err
	}
	f := web.FormOf(c, "reason")
	reason := deskReason(&f, "reason")
	if f.HasErrors() {
		return s.renderDeskCitizen(c, web.StatusInvalid, t, deskForms{Block: f})
	}
	ctx := c.Request().Context()
	if err := s.Identity.BlockMitIDByStaff(ctx, t.m.ID, reason, t.act()); err != nil {
		if fe, rerr := web.RuleError(err, "reason"); rerr == nil {
			f.Errors = append(f.Errors, fe)
			return s.renderDeskCitizen(c, web.StatusInvalid, t, deskForms{Block: f})
		}
		return err
	}
	s.deskRecordAction(ctx, t, support.ActionBlock, map[string]any{"reason": string(reason)})
	return s.Redirect(c, withDone(t.href, "blocked"))
}

// BlockMeans blocks one means; identity writes the audit entry in the same transaction.
func (s *Handlers) BlockMeans(c echo.Context) error {
	t, err := s.deskTargetOf(c)
	if err != nil {
		return err
	}
	f := web.FormOf(c, "means", "means_reason")
	meansID, perr := strconv.ParseInt(f.Values["means"], 10, 64)
	if perr != nil {
		f.Errors = append(f.Errors, views.FieldError{Field: "means", MsgID: "deskcitizen.err.means_required"})
	}
	reason := deskReason(&f, "means_reason")
	if f.HasErrors() {
		return s.renderDeskCitizen(c, web.StatusInvalid, t, deskForms{Means: f})
	}
	ctx := c.Request().Context()
	a, err := s.Identity.BlockMeansByStaff(ctx, t.m.ID, meansID, reason, t.act())
	if errors.Is(err, identity.ErrNotFound) {
		err = identity.ErrAuthenticatorUnused
	}
	if err != nil {
		if fe, rerr := web.RuleError(err, "means"); rerr == nil {
			f.Errors = append(f.Errors, fe)
			return s.renderDeskCitizen(c, web.StatusInvalid, t, deskForms{Means: f})
		}
		return err
	}
	detail := map[string]any{"means_id": meansID, "kind": string(a.Kind), "reason": string(reason)}
	s.deskRecordAction(ctx, t, support.ActionBlockMeans, detail)
	return s.Redirect(c, withDone(t.href, "means_blocked"))
}

// TemporaryPassword issues a temporary password after a verification and shows it once.
func (s *Handlers) TemporaryPassword(c echo.Context) error {
	t, err := s.deskTargetOf(c)
	if err != nil {
		return err
	}
	if !s.deskVerified(c, t) {
		return s.deskNotVerified(c, t)
	}
	ctx := c.Request().Context()
	pw, expires, err := s.Identity.IssueTemporaryPasswordByStaff(ctx, t.m.ID, t.act())
	if err != nil {
		if _, ok := web.IsIdentityRule(err); ok {
			return s.deskRefused(c, t, http.StatusConflict, "deskcitizen.refused.blocked")
		}
		return err
	}
	s.deskRecordAction(ctx, t, support.ActionTemporaryPassword, nil)
	s.staffNav(c)
	return s.Render(c, http.StatusOK, views.DeskTemporaryPassword(views.DeskTemporaryPasswordView{
		Password: pw, Username: t.m.Username, Expires: s.When(expires), BackHref: t.href}))
}

// ActivationCode issues an activation code after a verification: for a blocked MitID one that
// lifts the block, else one for recovery (Activations.IssueRecoveryByStaff). It goes by letter
// to the CPR address (and e-mail where known), never to the agent; the block stays until the
// citizen uses the code. No desk action lifts a block itself: a phone call alone never does
// (DESIGN.md §3.6, phone_lift_test.go).
func (s *Handlers) ActivationCode(c echo.Context) error {
	t, err := s.deskTargetOf(c)
	if err != nil {
		return err
	}
	if !s.deskVerified(c, t) {
		return s.deskNotVerified(c, t)
	}
	ctx := c.Request().Context()
	ac, err := s.Activations.IssueRecoveryByStaff(ctx, t.m.ID, t.act())
	if err != nil {
		return err
	}
	s.deskRecordAction(ctx, t, support.ActionActivationCode, map[string]any{"letter": true, "activation_id": ac.ID,
		"purpose": string(ac.Purpose)})
	if ac.Purpose == identity.ActivationLift {
		return s.Redirect(c, withDone(t.href, "lift_letter"))
	}
	return s.Redirect(c, withDone(t.href, "activation"))
}

// deskRecordAction puts an action on the case's timeline when the work is done from a case.
// The action itself is done and audited by then; a case that refuses the entry (closed
// meanwhile) is logged, not shown as a failure of the action.
func (s *Handlers) deskRecordAction(ctx context.Context, t deskTarget, kind support.ActionKind, detail map[string]any) {
	if t.cs == nil {
		return
	}
	s.deskLinkFromCard(ctx, t)
	if _, err := s.Cases.RecordAction(ctx, support.Action{CaseID: t.cs.ID, StaffID: t.me, Kind: kind, Detail: detail}); err != nil {
		s.Log.WarnContext(ctx, "case timeline: action not recorded", "case", t.cs.Ref, "action", string(kind), "error", err.Error())
	}
}

// deskNotVerified refuses a change that needs a verified caller. Not 403: that status means
// the role may not use the route at all, and agents may, once the caller is verified.
func (s *Handlers) deskNotVerified(c echo.Context, t deskTarget) error {
	return s.deskRefused(c, t, http.StatusConflict, "deskcitizen.refused.not_verified")
}

func (s *Handlers) deskRefused(c echo.Context, t deskTarget, status int, msgID string) error {
	s.staffNav(c)
	return s.Render(c, status, views.DeskRefused(views.DeskRefusedView{TextID: msgID, BackHref: t.href}))
}

// withDone adds ?done=what (or &done=) to href.
func withDone(href, what string) string {
	u, err := url.Parse(href)
	if err != nil {
		return href
	}
	q := u.Query()
	q.Set("done", what)
	u.RawQuery = q.Encode()
	return u.String()
}
