package handlers

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/labstack/echo/v4"

	"mitidportal/audit"
	"mitidportal/handlers/web"
	"mitidportal/identity"
	"mitidportal/support"
	"mitidportal/views"
)

// The citizen card of the support desk (DESIGN.md §5, issue 4 items 4 and 5): an agent looks a
// citizen up (every view is audited and shown in the citizen's activity log), verifies the
// caller with the citizen's app, blocks the MitID or one means (no verification needed: a
// block protects), and, only after a verification, issues a temporary password or an
// activation code by letter. Each page may carry ?sag=REF, the case the work is done from;
// actions and verifications are then recorded on its timeline.
//
// The CPR number is shown in full: agents read it back to the caller, and the card shows only
// after an audited look-up.
//
// A GET writes nothing (desk_citizen_open.go): the card opens through a form button whose POST
// records the look-up, and a GET of the card shows it only while this staff member has a
// recorded look-up of this citizen younger than deskOpenFor; otherwise it shows the button. The
// verification poll only reads; the answer is recorded by a POST.

const (
	deskCitizenPath = "/medarbejder/borger/"
	// keyDeskVerify holds the caller verification this staff session runs (deskVerify as
	// JSON): one at a time, for one MitID.
	keyDeskVerify = "desk_verify"
	// deskVerifyValid is how long an approved verification lets this staff member issue codes
	// for that MitID.
	deskVerifyValid = 15 * time.Minute
	// deskService is the name the citizen's app shows for support's request.
	deskService = "MitID-support"
	// deskActivityShown is how many activity entries the card shows.
	deskActivityShown = 10
)

// deskCitizenAccess admits the desk's staff: agents and supervisors.
var deskCitizenAccess = deskAccess

func (s *Server) deskCitizenRoutes() []Route {
	p := deskCitizenPath + ":id"
	return []Route{
		{http.MethodGet, p, deskCitizenAccess, s.deskCitizen},
		{http.MethodPost, p + "/aabn", deskCitizenAccess, s.deskCitizenOpen},
		{http.MethodPost, p + "/bekraeft", deskCitizenAccess, s.deskVerifyStart},
		{http.MethodGet, p + "/bekraeft/:req/status", deskCitizenAccess, s.deskVerifyStatus},
		{http.MethodPost, p + "/bekraeft/:req/svar", deskCitizenAccess, s.deskVerifyRecord},
		{http.MethodPost, p + "/spaer", deskCitizenAccess, s.deskBlockMitID},
		{http.MethodPost, p + "/middel/spaer", deskCitizenAccess, s.deskBlockMeans},
		{http.MethodPost, p + "/midlertidig-adgangskode", deskCitizenAccess, s.deskTemporaryPassword},
		{http.MethodPost, p + "/aktiveringskode", deskCitizenAccess, s.deskActivationCode},
	}
}

// deskVerify is a caller verification of this staff session.
type deskVerify struct {
	StaffID  int64     `json:"staff"`
	MitIDID  int64     `json:"mitid"`
	Req      int64     `json:"req"`
	Secret   []byte    `json:"secret"`
	Code     string    `json:"code"`
	Case     string    `json:"case,omitempty"`
	Status   string    `json:"status"` // pending, approved, rejected, expired
	Approved time.Time `json:"approved"`
}

// deskTarget is what every card route works on: the MitID and the case it is done from.
type deskTarget struct {
	m    identity.MitID
	cs   *support.Case
	me   int64
	href string // the card's address, with ?sag=
}

// deskTargetOf reads :id and ?sag=. An unknown MitID or case, or a case of another citizen, is
// 404.
func (s *Server) deskTargetOf(c echo.Context) (deskTarget, error) {
	ctx := c.Request().Context()
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return deskTarget{}, echo.ErrNotFound
	}
	m, err := s.Identity.MitID(ctx, id)
	if errors.Is(err, identity.ErrNotFound) {
		return deskTarget{}, echo.ErrNotFound
	}
	if err != nil {
		return deskTarget{}, err
	}
	t := deskTarget{m: m, me: web.StateOf(c).Subject.ID, href: deskCitizenPath + strconv.FormatInt(id, 10)}
	if ref := c.QueryParam("sag"); ref != "" {
		cs, err := s.Cases.ByRef(ctx, ref)
		if errors.Is(err, support.ErrNotFound) || err == nil && cs.MitIDID != 0 && cs.MitIDID != id {
			return deskTarget{}, echo.ErrNotFound
		}
		if err != nil {
			return deskTarget{}, err
		}
		t.cs = &cs
		t.href += "?sag=" + url.QueryEscape(cs.Ref)
	}
	return t, nil
}

func (t deskTarget) caseRef() string {
	if t.cs == nil {
		return ""
	}
	return t.cs.Ref
}

// action is the address of an action on the card, keeping ?sag=.
func (t deskTarget) action(name string) string {
	h := deskCitizenPath + strconv.FormatInt(t.m.ID, 10) + "/" + name
	if t.cs != nil {
		h += "?sag=" + url.QueryEscape(t.cs.Ref)
	}
	return h
}

// auditDetail is the detail of an audit entry: the case when there is one, plus extra.
func (t deskTarget) auditDetail(extra map[string]any) map[string]any {
	d := map[string]any{}
	if t.cs != nil {
		d["case"] = t.cs.Ref
	}
	for k, v := range extra {
		d[k] = v
	}
	return d
}

// deskCitizen is the citizen card.
func (s *Server) deskCitizen(c echo.Context) error {
	t, err := s.deskTargetOf(c)
	if err != nil {
		return err
	}
	return s.renderDeskCitizen(c, http.StatusOK, t, deskForms{NoticeID: deskNotices[c.QueryParam("done")]})
}

// deskNotices are the notices a ?done= value may ask for.
var deskNotices = map[string]string{
	"blocked":       "deskcitizen.notice.blocked",
	"means_blocked": "deskcitizen.notice.means_blocked",
	"activation":    "deskcitizen.notice.activation",
}

// deskForms are the card's forms as posted, and a notice.
type deskForms struct {
	Block, Means views.Form
	NoticeID     string
}

// renderDeskCitizen shows the card when this staff member has opened it (a recorded look-up
// within deskOpenFor); otherwise the page with the button that opens it. It writes nothing.
func (s *Server) renderDeskCitizen(c echo.Context, status int, t deskTarget, f deskForms) error {
	opened, err := s.deskOpened(c.Request().Context(), t)
	if err != nil {
		return err
	}
	if !opened && c.Request().Method != http.MethodPost {
		return s.renderDeskOpen(c, t)
	}
	if !opened {
		// A form on the card was refused after the card's window passed (or was posted without
		// opening it): showing the card again with the errors is a look-up, which a POST may
		// record.
		if err := s.deskRecordLookup(c.Request().Context(), t); err != nil {
			return err
		}
	}
	v, err := s.deskCitizenView(c, t, f)
	if err != nil {
		return err
	}
	s.staffNav(c)
	return s.site.Render(c, status, views.DeskCitizen(v))
}

func (s *Server) deskCitizenView(c echo.Context, t deskTarget, f deskForms) (views.DeskCitizenView, error) {
	ctx := c.Request().Context()
	p, err := s.Persons.ByCPR(ctx, t.m.CPR)
	if err != nil {
		return views.DeskCitizenView{}, err
	}
	means, err := s.Identity.Means(ctx, t.m.ID)
	if err != nil {
		return views.DeskCitizenView{}, err
	}
	acts, err := s.Identity.Activity(ctx, t.m.ID, 0, deskActivityShown)
	if err != nil {
		return views.DeskCitizenView{}, err
	}
	cases, err := s.Cases.ForCitizen(ctx, t.m.ID)
	if err != nil {
		return views.DeskCitizenView{}, err
	}
	v := views.DeskCitizenView{
		Name: p.FullName(), CPR: t.m.CPR.String(), Username: t.m.Username, Address: p.AddressLine + ", " + p.Postcode + " " + p.City,
		StatusID: t.m.Status.MsgID(), AssuranceID: t.m.Assurance.MsgID(),
		Blocked: t.m.Status != identity.StatusActive, CaseRef: t.caseRef(), Href: t.href,
		BlockAction: t.action("spaer"), MeansAction: t.action("middel/spaer"),
		Reasons: blockReasons(), BlockForm: f.Block, MeansForm: f.Means, NoticeID: f.NoticeID,
	}
	if v.Verify, err = s.deskVerifyView(c, t); err != nil {
		return views.DeskCitizenView{}, err
	}
	for _, a := range means {
		row := views.DeskMeansRow{ID: a.ID, KindID: a.Kind.MsgID(), Label: a.Label, StatusID: a.Status.MsgID(),
			Blockable: a.Status == identity.AuthActive || a.Status == identity.AuthPending || a.Status == identity.AuthLocked}
		if a.LastUsedAt != nil {
			row.LastUsed = s.site.When(*a.LastUsedAt)
		}
		v.Means = append(v.Means, row)
	}
	for _, a := range acts {
		v.Activity = append(v.Activity, views.ActivityRow{Time: s.site.When(a.At), WhatID: a.Kind.MsgID(),
			ByID: actorID(a.Actor), Details: activityDetails(a)})
	}
	for _, cs := range cases {
		if cs.Status.Active() {
			v.Cases = append(v.Cases, views.DeskCaseRow{Ref: cs.Ref, Subject: cs.Subject, StatusID: cs.Status.MsgID(),
				Href: "/medarbejder/sager/" + cs.Ref, WorkHref: t.hrefFor(cs.Ref)})
		}
	}
	return v, nil
}

func (t deskTarget) hrefFor(ref string) string {
	return deskCitizenPath + strconv.FormatInt(t.m.ID, 10) + "?sag=" + url.QueryEscape(ref)
}

// deskReason reads a required block reason from field name into f.
func deskReason(f *views.Form, name string) identity.BlockReason {
	r, err := parseChoice(f.Values[name])
	if err != nil {
		f.Errors = append(f.Errors, views.FieldError{Field: name, MsgID: "deskcitizen.err.reason_required"})
	}
	return r
}

// deskBlockMitID blocks the whole MitID and ends its sessions; the audit entry is in the same
// transaction. No verification is needed: a block protects.
func (s *Server) deskBlockMitID(c echo.Context) error {
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
	end := s.endSessionsTx(ctx, t.m.ID)
	err = s.Identity.BlockMitID(ctx, t.m.ID, reason, identity.StaffActor(t.me), func(tx pgx.Tx) error {
		if err := end(tx); err != nil {
			return err
		}
		return s.Audit.Append(ctx, tx, audit.Entry{Actor: audit.Staff(t.me), Action: audit.ActionBlockMitID,
			Subject: audit.MitID(t.m.ID), Detail: t.auditDetail(map[string]any{"reason": string(reason)})})
	})
	if err != nil {
		if fe, rerr := web.RuleError(err, "reason"); rerr == nil {
			f.Errors = append(f.Errors, fe)
			return s.renderDeskCitizen(c, web.StatusInvalid, t, deskForms{Block: f})
		}
		return err
	}
	s.deskRecordAction(ctx, t, support.ActionBlock, map[string]any{"reason": string(reason)})
	return s.site.Redirect(c, withDone(t.href, "blocked"))
}

// deskBlockMeans blocks one means. The identity store offers no hook into its transaction
// here, so the audit entry follows right after the block.
func (s *Server) deskBlockMeans(c echo.Context) error {
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
	a, err := s.Identity.Authenticator(ctx, t.m.ID, meansID)
	if err == nil {
		err = s.Identity.BlockAuthenticator(ctx, t.m.ID, meansID, reason, identity.StaffActor(t.me))
	}
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
	if err := s.Audit.AppendNow(ctx, audit.Entry{Actor: audit.Staff(t.me), Action: audit.ActionBlockMeans,
		Subject: audit.MitID(t.m.ID), Detail: t.auditDetail(detail)}); err != nil {
		return err
	}
	s.deskRecordAction(ctx, t, support.ActionBlockMeans, detail)
	return s.site.Redirect(c, withDone(t.href, "means_blocked"))
}

// deskTemporaryPassword issues a temporary password after a verification and shows it once.
func (s *Server) deskTemporaryPassword(c echo.Context) error {
	t, err := s.deskTargetOf(c)
	if err != nil {
		return err
	}
	if !s.deskVerified(c, t) {
		return s.deskNotVerified(c, t)
	}
	ctx := c.Request().Context()
	expires := s.Now().Add(identity.TemporaryPasswordTTL)
	pw, err := s.Identity.IssueTemporaryPassword(ctx, t.m.ID, identity.StaffActor(t.me), func(tx pgx.Tx) error {
		return s.Audit.Append(ctx, tx, audit.Entry{Actor: audit.Staff(t.me), Action: audit.ActionIssueTemporaryPassword,
			Subject: audit.MitID(t.m.ID), Detail: t.auditDetail(map[string]any{"expires": expires.UTC().Format(time.RFC3339)})})
	})
	if err != nil {
		if _, ok := web.IsIdentityRule(err); ok {
			return s.deskRefused(c, t, http.StatusConflict, "deskcitizen.refused.blocked")
		}
		return err
	}
	s.deskRecordAction(ctx, t, support.ActionTemporaryPassword, nil)
	s.staffNav(c)
	return s.site.Render(c, http.StatusOK, views.DeskTemporaryPassword(views.DeskTemporaryPasswordView{
		Password: pw, Username: t.m.Username, Expires: s.site.When(expires), BackHref: t.href}))
}

// deskActivationCode issues an activation code for recovery after a verification; it goes by
// letter to the CPR address (and e-mail where known), never to the agent.
func (s *Server) deskActivationCode(c echo.Context) error {
	t, err := s.deskTargetOf(c)
	if err != nil {
		return err
	}
	if !s.deskVerified(c, t) {
		return s.deskNotVerified(c, t)
	}
	ctx := c.Request().Context()
	p, err := s.Persons.ByCPR(ctx, t.m.CPR)
	if err != nil {
		return err
	}
	_, ac, err := s.Activations.IssueAndDeliver(ctx, t.m.CPR, identity.ActivationRecover, identity.LevelSubstantial,
		identity.StaffActor(t.me), func(tx pgx.Tx, code string, ac identity.ActivationCode) error {
			if err := s.deliverActivation(ctx, tx, c, p, code, ac); err != nil {
				return err
			}
			return s.Audit.Append(ctx, tx, audit.Entry{Actor: audit.Staff(t.me), Action: audit.ActionIssueActivationCode,
				Subject: audit.MitID(t.m.ID), Detail: t.auditDetail(map[string]any{"expires": ac.ExpiresAt.UTC().Format(time.RFC3339)})})
		})
	if err != nil {
		return err
	}
	s.deskRecordAction(ctx, t, support.ActionActivationCode, map[string]any{"letter": true, "activation_id": ac.ID})
	return s.site.Redirect(c, withDone(t.href, "activation"))
}

// deskRecordAction puts an action on the case's timeline when the work is done from a case.
// The action itself is done and audited by then; a case that refuses the entry (closed
// meanwhile) is logged, not shown as a failure of the action.
func (s *Server) deskRecordAction(ctx context.Context, t deskTarget, kind support.ActionKind, detail map[string]any) {
	if t.cs == nil {
		return
	}
	if _, err := s.Cases.RecordAction(ctx, support.Action{CaseID: t.cs.ID, StaffID: t.me, Kind: kind, Detail: detail}); err != nil {
		s.Log.WarnContext(ctx, "case timeline: action not recorded", "case", t.cs.Ref, "action", string(kind), "error", err.Error())
	}
}

// deskNotVerified refuses a change that needs a verified caller. Not 403: that status means
// the role may not use the route at all, and agents may, once the caller is verified.
func (s *Server) deskNotVerified(c echo.Context, t deskTarget) error {
	return s.deskRefused(c, t, http.StatusConflict, "deskcitizen.refused.not_verified")
}

func (s *Server) deskRefused(c echo.Context, t deskTarget, status int, msgID string) error {
	s.staffNav(c)
	return s.site.Render(c, status, views.DeskRefused(views.DeskRefusedView{TextID: msgID, BackHref: t.href}))
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

// deskVerifyStart asks the citizen's app to confirm the call. The request id and the secret
// that reads its state stay in this staff session.
func (s *Server) deskVerifyStart(c echo.Context) error {
	t, err := s.deskTargetOf(c)
	if err != nil {
		return err
	}
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return err
	}
	r, err := s.Identity.StartAppRequest(c.Request().Context(), identity.AppRequestInput{MitIDID: t.m.ID,
		Purpose: identity.AppPurposeVerify, Service: deskService, ClientAddr: s.site.ClientAddr(c), BrowserSecret: secret})
	switch {
	case errors.Is(err, identity.ErrNoApp):
		return s.deskRefused(c, t, http.StatusConflict, "deskcitizen.refused.no_app")
	case errors.Is(err, identity.ErrMitIDBlocked):
		return s.deskRefused(c, t, http.StatusConflict, "deskcitizen.refused.verify_blocked")
	case err != nil:
		var te *identity.ThrottledError
		if errors.As(err, &te) {
			web.MarkThrottled(c, err)
			return s.deskRefused(c, t, http.StatusTooManyRequests, "deskcitizen.refused.throttled")
		}
		return err
	}
	s.setDeskVerify(c, deskVerify{StaffID: t.me, MitIDID: t.m.ID, Req: r.ID, Secret: secret, Code: r.DisplayCode,
		Case: t.caseRef(), Status: "pending"})
	return s.site.Redirect(c, t.href+"#verify")
}

// deskVerifyStatus is the part of the card that htmx polls while the app has not answered;
// without htmx it sends the browser to the card. It only reads: once the app has answered, the
// fragment posts to deskVerifyRecord, which records the answer.
func (s *Server) deskVerifyStatus(c echo.Context) error {
	t, err := s.deskTargetOf(c)
	if err != nil {
		return err
	}
	if c.Request().Header.Get("HX-Request") != "true" {
		return s.site.Redirect(c, t.href+"#verify")
	}
	v, err := s.deskVerifyView(c, t)
	if err != nil {
		return err
	}
	if strconv.FormatInt(v.Req, 10) != c.Param("req") {
		v = t.noVerifyView()
	}
	return s.site.Render(c, http.StatusOK, views.DeskVerifyStatus(v))
}

func deskVerifyOf(c echo.Context) (deskVerify, bool) {
	var v deskVerify
	raw, _ := web.StateOf(c).Sess.Values[keyDeskVerify].(string)
	if raw == "" || json.Unmarshal([]byte(raw), &v) != nil {
		return deskVerify{}, false
	}
	return v, true
}

func (s *Server) setDeskVerify(c echo.Context, v deskVerify) {
	b, _ := json.Marshal(v)
	st := web.StateOf(c)
	st.Sess.Values[keyDeskVerify] = string(b)
	st.Dirty = true
}

// deskVerified reports whether this staff member verified this MitID's caller within
// deskVerifyValid.
func (s *Server) deskVerified(c echo.Context, t deskTarget) bool {
	v, ok := deskVerifyOf(c)
	return ok && v.StaffID == t.me && v.MitIDID == t.m.ID && v.Status == "approved" &&
		s.Now().Sub(v.Approved) < deskVerifyValid
}

// noVerifyView is the verification part of a card without a verification of this session.
func (t deskTarget) noVerifyView() views.DeskVerifyView {
	return views.DeskVerifyView{State: "none", CardHref: t.href, StartAction: t.action("bekraeft"),
		PasswordAction: t.action("midlertidig-adgangskode"), ActivationAction: t.action("aktiveringskode")}
}

// deskVerifyView reads how this session's verification of t's MitID stands. It writes
// nothing: an answer of the app that is not recorded yet shows as "answered", and
// deskVerifyRecord (a POST) records it.
func (s *Server) deskVerifyView(c echo.Context, t deskTarget) (views.DeskVerifyView, error) {
	out := t.noVerifyView()
	v, ok := deskVerifyOf(c)
	if !ok || v.StaffID != t.me || v.MitIDID != t.m.ID {
		return out, nil
	}
	out.Req, out.Code = v.Req, v.Code
	base := deskCitizenPath + strconv.FormatInt(t.m.ID, 10) + "/bekraeft/" + strconv.FormatInt(v.Req, 10)
	out.StatusHref, out.RecordAction = base+"/status", base+"/svar"
	if t.cs != nil {
		q := "?sag=" + url.QueryEscape(t.cs.Ref)
		out.StatusHref += q
		out.RecordAction += q
	}
	out.State = v.Status
	if v.Status == "pending" {
		result, err := s.deskVerifyResult(c.Request().Context(), v)
		if err != nil {
			return views.DeskVerifyView{}, err
		}
		if result != "" {
			out.State = "answered"
		}
	}
	if v.Status == "approved" {
		if s.Now().Sub(v.Approved) >= deskVerifyValid {
			out.State = "lapsed"
		} else {
			out.Until = s.site.When(v.Approved.Add(deskVerifyValid))
		}
	}
	return out, nil
}

// deskVerifyResult is the final result of a pending verification as the app request stands,
// or "" while the citizen has not answered.
func (s *Server) deskVerifyResult(ctx context.Context, v deskVerify) (support.VerifyResult, error) {
	st, err := s.Identity.AppRequestState(ctx, v.Req, v.Secret)
	switch {
	case errors.Is(err, identity.ErrNotFound) || errors.Is(err, identity.ErrMitIDBlocked):
		// Blocked meanwhile, or gone: the verification did not happen.
		return support.VerifyCancelled, nil
	case err != nil:
		return "", err
	case st == identity.AppApproved:
		return support.VerifyApproved, nil
	case st == identity.AppRejected:
		return support.VerifyRejected, nil
	case st != identity.AppPending:
		return support.VerifyExpired, nil
	}
	return "", nil
}

// deskRecordVerification writes a verification's result to the audit log and, when it was
// started from a case, to that case's timeline.
func (s *Server) deskRecordVerification(ctx context.Context, t deskTarget, v deskVerify, result support.VerifyResult) error {
	detail := map[string]any{"result": string(result), "app_request_id": v.Req}
	if v.Case != "" {
		detail["case"] = v.Case
	}
	if err := s.Audit.AppendNow(ctx, audit.Entry{Actor: audit.Staff(t.me), Action: audit.ActionVerifyCaller,
		Subject: audit.MitID(t.m.ID), Detail: detail}); err != nil {
		return err
	}
	if v.Case == "" {
		return nil
	}
	cs, err := s.Cases.ByRef(ctx, v.Case)
	if err == nil {
		_, err = s.Cases.RecordVerification(ctx, support.Verification{CaseID: cs.ID, StaffID: t.me,
			Method: support.VerifyApp, Result: result, AppRequestID: v.Req})
	}
	if err != nil {
		s.Log.WarnContext(ctx, "case timeline: verification not recorded", "case", v.Case, "error", err.Error())
	}
	return nil
}
