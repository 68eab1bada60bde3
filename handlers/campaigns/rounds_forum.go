package campaigns

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"mitidportal/campaign"
	"mitidportal/fault"
	"mitidportal/handlers/web"
	"mitidportal/markdown"
	"mitidportal/views"
)

// forumRoundsPath is the forum members' list of open feedback rounds.
const forumRoundsPath = "/forum/feedback"

func forumRoundHref(id int64) string { return forumRoundsPath + "/" + strconv.FormatInt(id, 10) }

// roundsViewer is the citizen asking, who must be a member of a forum organisation; anyone else
// gets the page that says who may take part and where to go (403).
func (h *Handlers) roundsViewer(c echo.Context) (campaign.Viewer, bool, error) {
	v, err := h.viewer(c)
	if err != nil {
		return v, false, err
	}
	if !v.Forum {
		return v, false, h.Render(c, http.StatusForbidden, views.ForumForbidden())
	}
	return v, true, nil
}

// RoundCards returns the open rounds the visitor can take part in, for views.RoundsList (the
// forum's landing page shows them too); none for anyone who is not a forum member.
func (h *Handlers) RoundCards(c echo.Context) ([]views.RoundCard, error) {
	v, err := h.viewer(c)
	if err != nil {
		return nil, err
	}
	if !v.Forum {
		return nil, nil
	}
	rounds, err := h.Rounds.OpenFor(c.Request().Context(), v)
	if err != nil {
		return nil, err
	}
	out := make([]views.RoundCard, len(rounds))
	for i, r := range rounds {
		out[i] = views.RoundCard{Href: forumRoundHref(r.ID), Title: r.Title, Deadline: h.roundTime(r.Deadline)}
	}
	return out, nil
}

// ForumRounds lists the open feedback rounds to a forum member.
func (h *Handlers) ForumRounds(c echo.Context) error {
	_, ok, err := h.roundsViewer(c)
	if !ok || err != nil {
		return err
	}
	cards, err := h.RoundCards(c)
	if err != nil {
		return err
	}
	return h.Render(c, http.StatusOK, views.ForumRounds(views.ForumRoundsView{Rounds: cards}))
}

// renderForumRound shows round id to forum member v, with the comment form f shown again for
// item errItem. A round that is closed or past its deadline is not found: its drafts are no
// longer the member's to see.
func (h *Handlers) renderForumRound(c echo.Context, status int, v campaign.Viewer, id int64, f views.Form,
	errItem, notice string) error {
	ctx := c.Request().Context()
	rd, err := h.Rounds.Round(ctx, id)
	if err != nil {
		return err
	}
	if !rd.Accepting(h.Rounds.Now()) && errItem == "" {
		return campaign.ErrNotFound
	}
	items, err := h.Rounds.Items(ctx, v, id)
	if err != nil {
		return err
	}
	ids := make([]int64, len(items))
	for i, it := range items {
		ids[i] = it.ID
	}
	vers, err := h.Packs.VersionsOf(ctx, v, ids)
	if err != nil {
		return err
	}
	comments, err := h.Rounds.OrgComments(ctx, v, id)
	if err != nil {
		return err
	}
	rv := views.ForumRoundView{Title: rd.Title, Deadline: h.roundTime(rd.Deadline), Form: f, ErrorItem: errItem,
		NoticeID: notice}
	if rd.Description != "" {
		rv.Description = templ.Raw(markdown.HTML(rd.Description))
	}
	for _, it := range items {
		iv := h.itemView(it, vers[it.ID])
		iv.VisibilityID = "rounds.item.visibility"
		riv := views.RoundItemView{Item: iv, CommentURL: forumRoundHref(id) + "/materiale/" + iv.ID + "/kommentar"}
		for _, cm := range comments {
			if cm.ItemID == it.ID {
				riv.Comments = append(riv.Comments, h.commentView(cm, ""))
			}
		}
		rv.Items = append(rv.Items, riv)
	}
	return h.Render(c, status, views.ForumRound(rv))
}

// ForumRound is a round for a forum member: its drafts, a comment form per item and the
// comments of the member's organisation.
func (h *Handlers) ForumRound(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	v, ok, err := h.roundsViewer(c)
	if !ok || err != nil {
		return err
	}
	return h.renderForumRound(c, http.StatusOK, v, id, views.Form{}, "", roundNotices[c.QueryParam("udfoert")])
}

// ForumComment stores a forum member's comment on an item of a round. After the deadline or
// the round's closing it is refused with the reason in the error summary.
func (h *Handlers) ForumComment(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	item, err := pathID(c, "item")
	if err != nil {
		return err
	}
	v, ok, err := h.roundsViewer(c)
	if !ok || err != nil {
		return err
	}
	f := web.FormOf(c, "comment")
	errItem := strconv.FormatInt(item, 10)
	if f.Values["comment"] == "" && !f.HasErrors() {
		addError(&f, "comment", campaign.ErrCommentRequired.MsgID)
	}
	if f.HasErrors() {
		return h.renderForumRound(c, web.StatusInvalid, v, id, f, errItem, "")
	}
	_, err = h.Rounds.Comment(c.Request().Context(), v, id, item, f.Values["comment"])
	switch {
	case err == nil:
		return h.Redirect(c, forumRoundHref(id)+"?udfoert=kommentar#comment-"+errItem)
	case errors.Is(err, campaign.ErrRoundClosed), errors.Is(err, campaign.ErrRoundExpired):
		// The round no longer shows its drafts: the answer says why, without them.
		fe, _ := fault.As(err)
		f.Errors = append(f.Errors, views.FieldError{MsgID: fe.MsgID})
		return h.Render(c, http.StatusConflict, views.ForumRoundOver(f))
	}
	if _, isRule := fault.Rule(err); isRule && !errors.Is(err, campaign.ErrNotForum) {
		return h.FieldOrError(c, &f, err, "comment", func() error {
			return h.renderForumRound(c, web.StatusInvalid, v, id, f, errItem, "")
		})
	}
	return err
}
