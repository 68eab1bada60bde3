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

// editorOrgsPath is the editors' list of organisations.
const editorOrgsPath = "/redaktion/organisationer"

// orgDecisionNotices are the notices a ?done= value on an organisation's editor page may ask for.
var orgDecisionNotices = map[string]string{
	"approved": "campaignorgs.notice.approved",
	"rejected": "campaignorgs.notice.rejected",
	"forum":    "campaignorgs.notice.forum",
}

func editorOrgHref(id int64) string { return editorOrgsPath + "/" + strconv.FormatInt(id, 10) }

func (s *Handlers) orgRow(o campaign.Organisation) views.OrgRow {
	r := views.OrgRow{Href: editorOrgHref(o.ID), Name: o.Name, CVR: o.CVR, KindID: o.Kind.MsgID(),
		StatusID: o.Status.MsgID(), ContactName: o.ContactName, ContactEmail: o.ContactEmail,
		LangID: "campaignorgs.lang." + o.Lang, Applied: s.When(o.AppliedAt), DecisionNote: o.DecisionNote,
		Forum: o.ForumMember}
	if o.DecidedAt != nil {
		r.Decided = s.When(*o.DecidedAt)
	}
	return r
}

// OrgQueue is the editors' list: the applications waiting, oldest first, and the approved
// organisations.
func (s *Handlers) OrgQueue(c echo.Context) error {
	ctx := c.Request().Context()
	pending, err := s.Orgs.Pending(ctx)
	if err != nil {
		return err
	}
	approved, err := s.Orgs.Approved(ctx)
	if err != nil {
		return err
	}
	var v views.OrgQueueView
	for _, o := range pending {
		v.Pending = append(v.Pending, s.orgRow(o))
	}
	for _, o := range approved {
		v.Approved = append(v.Approved, s.orgRow(o))
	}
	return s.Render(c, http.StatusOK, views.OrgQueue(v))
}

// pathID reads the route's :id; a value that is no id is a page that does not exist.
func pathID(c echo.Context, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, echo.ErrNotFound
	}
	return id, nil
}

// renderOrgEditor shows organisation id to an editor with form state f.
func (s *Handlers) renderOrgEditor(c echo.Context, status int, id int64, f views.Form, notice string) error {
	org, err := s.Orgs.ByID(c.Request().Context(), id)
	if err != nil {
		return err
	}
	if f.Values == nil {
		f.Values = map[string]string{}
	}
	if _, ok := f.Values["forum"]; !ok && org.ForumMember {
		f.Values["forum"] = "yes"
	}
	return s.Render(c, status, views.OrgEditor(views.OrgEditorView{Org: s.orgRow(org), Form: f,
		Pending: org.Status == campaign.OrgPending, Approved: org.Status == campaign.OrgApproved,
		DecideURL: editorOrgHref(id) + "/afgoer", ForumURL: editorOrgHref(id) + "/forum", NoticeID: notice}))
}

// OrgEditorPage is one organisation for an editor.
func (s *Handlers) OrgEditorPage(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	return s.renderOrgEditor(c, http.StatusOK, id, views.Form{}, orgDecisionNotices[c.QueryParam("done")])
}

// OrgDecide approves or rejects a pending application with a note. The domain lets exactly one
// decision through however many editors press at once; the others are told it was already
// decided. Approval mails the contact person an admin invitation in the same transaction.
func (s *Handlers) OrgDecide(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	f := web.FormOf(c, "decision", "decision_note")
	again := func() error { return s.renderOrgEditor(c, web.StatusInvalid, id, f, "") }
	decision := f.Values["decision"]
	if f.ErrorFor("decision") == nil && decision != "approve" && decision != "reject" {
		f.Errors = append(f.Errors, views.FieldError{Field: "decision", MsgID: "campaignorgs.err.decision_required"})
	}
	if f.HasErrors() {
		return again()
	}
	staffID := web.StateOf(c).Subject.ID
	_, err = s.Orgs.Decide(c.Request().Context(), id, staffID, decision == "approve", f.Values["decision_note"])
	if errors.Is(err, campaign.ErrAlreadyDecided) {
		// Shown as a conflict with the page as it is now: someone else was quicker.
		f.Errors = append(f.Errors, views.FieldError{Field: "", MsgID: campaign.ErrAlreadyDecided.MsgID})
		return s.renderOrgEditor(c, http.StatusConflict, id, f, "")
	}
	if err != nil {
		return s.FieldOrError(c, &f, err, "decision_note", again)
	}
	done := "approved"
	if decision != "approve" {
		done = "rejected"
	}
	return s.Redirect(c, editorOrgHref(id)+"?done="+done)
}

// OrgForum makes an approved organisation a member of the stakeholder forum, or not (audited).
func (s *Handlers) OrgForum(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	f := web.FormOf(c, "forum")
	if f.ErrorFor("forum") == nil && f.Values["forum"] != "" && f.Values["forum"] != "yes" {
		f.Errors = append(f.Errors, views.FieldError{Field: "forum", MsgID: "campaignorgs.err.forum_invalid"})
	}
	if f.HasErrors() {
		return s.renderOrgEditor(c, web.StatusInvalid, id, f, "")
	}
	org, err := s.Orgs.ByID(c.Request().Context(), id)
	if err != nil {
		return err
	}
	if org.Status != campaign.OrgApproved {
		return campaign.ErrNotApproved
	}
	if err := s.Orgs.SetForumMember(c.Request().Context(), id, web.StateOf(c).Subject.ID, f.Values["forum"] == "yes"); err != nil {
		return err
	}
	return s.Redirect(c, editorOrgHref(id)+"?done=forum")
}
