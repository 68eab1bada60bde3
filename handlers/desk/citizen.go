package desk

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

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
// A GET writes nothing (citizen_open.go): the card opens through a form button whose POST
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

// deskTarget is what every card route works on: the MitID and the case it is done from.
type deskTarget struct {
	m    identity.MitID
	cs   *support.Case
	me   int64
	href string // the card's address, with ?sag=
}

// deskTargetOf reads :id and ?sag=. An unknown MitID or case, or a case of another citizen, is
// 404.
func (s *Handlers) deskTargetOf(c echo.Context) (deskTarget, error) {
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

// act is the member of staff acting on the card's citizen, from the case when there is one:
// identity records each change with it, and the audit entry in the same transaction.
func (t deskTarget) act() identity.StaffAct {
	return identity.StaffAct{StaffID: t.me, Case: t.caseRef()}
}

// CitizenCard is the citizen card.
func (s *Handlers) CitizenCard(c echo.Context) error {
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
	"lift_letter":   "borgerservice.desk.notice_lift",
}

// deskForms are the card's forms as posted, and a notice.
type deskForms struct {
	Block, Means views.Form
	NoticeID     string
}

// renderDeskCitizen shows the card when this staff member has opened it (a recorded look-up
// within deskOpenFor); otherwise the page with the button that opens it. It writes nothing.
func (s *Handlers) renderDeskCitizen(c echo.Context, status int, t deskTarget, f deskForms) error {
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
	return s.Render(c, status, views.DeskCitizen(v))
}

func (s *Handlers) deskCitizenView(c echo.Context, t deskTarget, f deskForms) (views.DeskCitizenView, error) {
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
		Reasons: web.BlockReasons(), BlockForm: f.Block, MeansForm: f.Means, NoticeID: f.NoticeID,
	}
	if v.Verify, err = s.deskVerifyView(c, t); err != nil {
		return views.DeskCitizenView{}, err
	}
	v.Verify.NoApp = v.Verify.State == "none" && !deskHasApp(means)
	v.NewCaseHref = deskPath + "/ny?borger=" + strconv.FormatInt(t.m.ID, 10)
	for _, a := range means {
		row := views.DeskMeansRow{ID: a.ID, KindID: a.Kind.MsgID(), Label: a.Label, StatusID: a.Status.MsgID(),
			Blockable: a.Status == identity.AuthActive || a.Status == identity.AuthPending || a.Status == identity.AuthLocked}
		if a.LastUsedAt != nil {
			row.LastUsed = s.When(*a.LastUsedAt)
		}
		v.Means = append(v.Means, row)
	}
	for _, a := range acts {
		v.Activity = append(v.Activity, views.ActivityRow{Time: s.When(a.At), WhatID: deskActivityMsgID(a.Kind),
			ByID: web.ActorID(a.Actor), Details: web.ActivityDetails(a)})
	}
	for _, cs := range cases {
		row := views.DeskCaseRow{Ref: cs.Ref, Subject: cs.Subject, StatusID: cs.Status.MsgID(), Href: deskPath + "/" + cs.Ref}
		if cs.Status.Active() {
			row.WorkHref = t.hrefFor(cs.Ref)
		}
		v.Cases = append(v.Cases, row)
	}
	return v, nil
}

func (t deskTarget) hrefFor(ref string) string {
	return deskCitizenPath + strconv.FormatInt(t.m.ID, 10) + "?sag=" + url.QueryEscape(ref)
}

// deskHasApp reports whether the citizen has an active app that can confirm a call.
func deskHasApp(means []identity.Authenticator) bool {
	for _, a := range means {
		if a.Kind == identity.KindApp && a.Status == identity.AuthActive {
			return true
		}
	}
	return false
}

// speaksToCitizen are the activity kinds whose text in the citizen's own log addresses the
// citizen ("support looked you up"); the card names them for the agent who reads it.
var speaksToCitizen = map[identity.ActivityKind]bool{
	identity.ActivityLookupBySupport: true, identity.ActivityActivationIssued: true,
	identity.ActivityVerifiedBySupport: true, identity.ActivityIdentifiedByApp: true,
}

// deskActivityMsgID is the message of an activity entry on the citizen card.
func deskActivityMsgID(k identity.ActivityKind) string {
	if speaksToCitizen[k] {
		return "deskcitizen.activity." + string(k)
	}
	return k.MsgID()
}
