package desk

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"mitidportal/fault"
	"mitidportal/handlers/web"
	"mitidportal/identity"
	"mitidportal/support"
	"mitidportal/views"
)

// Before the desk acts for a caller, the caller proves who they are: the desk sends a request
// to the MitID app and the citizen approves it there (DESIGN.md §5).

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

// VerifyStart asks the citizen's app to confirm the call. The request id and the secret
// that reads its state stay in this staff session.
func (s *Handlers) VerifyStart(c echo.Context) error {
	t, err := s.deskTargetOf(c)
	if err != nil {
		return err
	}
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return err
	}
	r, err := s.Identity.StartAppRequest(c.Request().Context(), identity.AppRequestInput{MitIDID: t.m.ID,
		Purpose: identity.AppPurposeVerify, Service: deskService, ClientAddr: s.ClientAddr(c), BrowserSecret: secret})
	switch {
	case errors.Is(err, identity.ErrNoApp):
		return s.deskRefused(c, t, http.StatusConflict, "deskcitizen.refused.no_app")
	case errors.Is(err, identity.ErrMitIDBlocked):
		return s.deskRefused(c, t, http.StatusConflict, "deskcitizen.refused.verify_blocked")
	case err != nil:
		if _, ok := fault.OfKind(err, fault.Throttled); ok {
			web.MarkThrottled(c, err)
			return s.deskRefused(c, t, http.StatusTooManyRequests, "deskcitizen.refused.throttled")
		}
		return err
	}
	s.setDeskVerify(c, deskVerify{StaffID: t.me, MitIDID: t.m.ID, Req: r.ID, Secret: secret, Code: r.DisplayCode,
		Case: t.caseRef(), Status: "pending"})
	return s.Redirect(c, t.href+"#verify")
}

// VerifyStatus is the part of the card that htmx polls while the app has not answered;
// without htmx it sends the browser to the card. It only reads: once the app has answered, the
// fragment posts to deskVerifyRecord, which records the answer.
func (s *Handlers) VerifyStatus(c echo.Context) error {
	t, err := s.deskTargetOf(c)
	if err != nil {
		return err
	}
	if c.Request().Header.Get("HX-Request") != "true" {
		return s.Redirect(c, t.href+"#verify")
	}
	v, err := s.deskVerifyView(c, t)
	if err != nil {
		return err
	}
	if strconv.FormatInt(v.Req, 10) != c.Param("req") {
		v = t.noVerifyView()
	}
	if web.PollUnchanged(c, v.State) {
		return c.NoContent(http.StatusNoContent)
	}
	return s.Render(c, http.StatusOK, views.DeskVerifyStatus(v))
}

func deskVerifyOf(c echo.Context) (deskVerify, bool) {
	var v deskVerify
	raw, _ := web.StateOf(c).Sess.Values[keyDeskVerify].(string)
	if raw == "" || json.Unmarshal([]byte(raw), &v) != nil {
		return deskVerify{}, false
	}
	return v, true
}

func (s *Handlers) setDeskVerify(c echo.Context, v deskVerify) {
	b, _ := json.Marshal(v)
	st := web.StateOf(c)
	st.Sess.Values[keyDeskVerify] = string(b)
	st.Dirty = true
}

// deskVerified reports whether this staff member verified this MitID's caller within
// deskVerifyValid.
func (s *Handlers) deskVerified(c echo.Context, t deskTarget) bool {
	v, ok := deskVerifyOf(c)
	return ok && v.StaffID == t.me && v.MitIDID == t.m.ID && v.Status == "approved" &&
		s.Now().Sub(v.Approved) < deskVerifyValid
}

// noVerifyView is the verification part of a card without a verification of this session.
func (t deskTarget) noVerifyView() views.DeskVerifyView {
	return views.DeskVerifyView{State: "none", CardHref: t.href, StartAction: t.action("bekraeft"),
		PasswordAction: t.action("midlertidig-adgangskode"), ActivationAction: t.action("aktiveringskode"),
		Lift: t.m.Status == identity.StatusBlocked}
}

// deskVerifyView reads how this session's verification of t's MitID stands. It writes
// nothing: an answer of the app that is not recorded yet shows as "answered", and
// VerifyRecord (a POST) records it.
func (s *Handlers) deskVerifyView(c echo.Context, t deskTarget) (views.DeskVerifyView, error) {
	out := t.noVerifyView()
	v, ok := deskVerifyOf(c)
	if !ok || v.StaffID != t.me || v.MitIDID != t.m.ID {
		return out, nil
	}
	out.Req, out.Code = v.Req, v.Code
	base := deskCitizenPath + strconv.FormatInt(t.m.ID, 10) + "/bekraeft/" + strconv.FormatInt(v.Req, 10)
	q := url.Values{}
	if t.cs != nil {
		q.Set("sag", t.cs.Ref)
		out.RecordAction = base + "/svar?" + q.Encode()
	} else {
		out.RecordAction = base + "/svar"
	}
	// The poll runs only while the request is pending and says so (VerifyStatus).
	q.Set("vist", "pending")
	out.StatusHref = base + "/status?" + q.Encode()
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
			out.Until = s.When(v.Approved.Add(deskVerifyValid))
		}
	}
	return out, nil
}

// deskVerifyResult is the final result of a pending verification as the app request stands,
// or "" while the citizen has not answered.
func (s *Handlers) deskVerifyResult(ctx context.Context, v deskVerify) (support.VerifyResult, error) {
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

// deskRecordVerification writes a verification's result to the citizen's activity log (and,
// in its transaction, the audit log) and, when it was started from a case, to that case's
// timeline.
func (s *Handlers) deskRecordVerification(ctx context.Context, t deskTarget, v deskVerify, result support.VerifyResult) error {
	if err := s.Identity.RecordVerification(ctx, t.m.ID, identity.StaffAct{StaffID: t.me, Case: v.Case},
		string(result), v.Req); err != nil {
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
