package desk

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"mitidportal/audit"
	"mitidportal/support"
	"mitidportal/views"
)

// Opening a citizen card and recording a verification are POSTs: a GET writes nothing, so a
// link (from another site, with the agent's SameSite=Lax cookie) cannot make a look-up in the
// agent's name.

// deskOpenFor is how long after this staff member's last audited entry about a citizen (the
// look-up that opened the card, or an action on it) a GET shows the card again without a new
// look-up: long enough for one call, short enough that a card left open is not a way around
// the log.
const deskOpenFor = 15 * time.Minute

// deskOpened reports whether this staff member has an audited entry about t's MitID younger
// than deskOpenFor. It only reads the audit log.
func (s *Handlers) deskOpened(ctx context.Context, t deskTarget) (bool, error) {
	recs, err := s.Audit.List(ctx, audit.Filter{Subject: audit.MitID(t.m.ID), Actor: audit.Staff(t.me), Limit: 1})
	if err != nil {
		return false, err
	}
	return len(recs) == 1 && s.Now().Sub(recs[0].At) < deskOpenFor, nil
}

// renderDeskOpen is the page with the button that opens the card; it shows nothing about the
// citizen, since nothing is logged yet.
func (s *Handlers) renderDeskOpen(c echo.Context, t deskTarget) error {
	s.staffNav(c)
	return s.Render(c, http.StatusOK, views.DeskCitizenOpen(views.DeskCitizenOpenView{
		Action: t.action("aabn"), CaseRef: t.caseRef()}))
}

// CitizenOpen records the look-up (the audit entry and the entry in the citizen's activity
// log in one transaction) and sends the browser to the card, which a GET now shows.
func (s *Handlers) CitizenOpen(c echo.Context) error {
	t, err := s.deskTargetOf(c)
	if err != nil {
		return err
	}
	if err := s.deskRecordLookup(c.Request().Context(), t); err != nil {
		return err
	}
	return s.Redirect(c, t.href)
}

// deskRecordLookup writes the look-up of t's citizen: the entry in the citizen's activity log
// and the audit entry, in one transaction (identity and its audit hook). Only POSTs call it.
func (s *Handlers) deskRecordLookup(ctx context.Context, t deskTarget) error {
	via := "id"
	if t.cs != nil {
		via = "case"
	}
	return s.Identity.RecordLookup(ctx, t.m.ID, t.act(), via)
}

// VerifyRecord records the answer of this session's verification once the app has given
// one: in the audit log, on the case it was started from, and in the session (which is what
// lets the agent issue codes). While the app has not answered it records nothing. htmx gets
// the verification fragment; a browser without JavaScript goes back to the card.
func (s *Handlers) VerifyRecord(c echo.Context) error {
	t, err := s.deskTargetOf(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if v, ok := deskVerifyOf(c); ok && v.StaffID == t.me && v.MitIDID == t.m.ID && v.Status == "pending" &&
		c.Param("req") == strconv.FormatInt(v.Req, 10) {
		result, err := s.deskVerifyResult(ctx, v)
		if err != nil {
			return err
		}
		if result != "" {
			v.Status = string(result)
			if result == support.VerifyApproved {
				v.Approved = s.Now()
			}
			if result == support.VerifyCancelled {
				v.Status = "expired"
			}
			// The audit entry first: a verification that is not in the log does not count.
			if err := s.deskRecordVerification(ctx, t, v, result); err != nil {
				return err
			}
			s.setDeskVerify(c, v)
		}
	}
	if !isHTMX(c) {
		return s.Redirect(c, t.href+"#verify")
	}
	v, err := s.deskVerifyView(c, t)
	if err != nil {
		return err
	}
	return s.Render(c, http.StatusOK, views.DeskVerifyStatus(v))
}
