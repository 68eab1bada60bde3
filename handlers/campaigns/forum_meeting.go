package campaigns

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"mitidportal/blob"
	"mitidportal/campaign/forum"
	"mitidportal/fault"
	"mitidportal/handlers/web"
	"mitidportal/markdown"
	"mitidportal/views"
)

// forumNotices are the confirmations a meeting page shows after a redirect (?udfoert=...).
var forumNotices = map[string]string{
	"tilmeldt": "forum.notice.signed_up", "afmeldt": "forum.notice.cancelled", "svar": "forum.notice.answered",
}

// ForumMeeting is a meeting's page: when and where, the agenda, its files and the sign-up.
func (h *Handlers) ForumMeeting(c echo.Context) error {
	v, err := h.forumGate(c)
	if err != nil {
		return gateDone(err)
	}
	id, err := forumID(c)
	if err != nil {
		return err
	}
	return h.renderMeeting(c, http.StatusOK, v, id, forumNotices[c.QueryParam("udfoert")], "")
}

func (h *Handlers) renderMeeting(c echo.Context, status int, v forum.Viewer, id int64, notice, problem string) error {
	ctx := c.Request().Context()
	m, err := h.Forum.Meeting(ctx, v, id)
	if err != nil {
		return err
	}
	files, err := h.Forum.Files(ctx, v, id)
	if err != nil {
		return err
	}
	signed, err := h.Forum.SignedUp(ctx, v, id)
	if err != nil {
		return err
	}
	l := lang(c)
	mv := views.ForumMeetingView{Row: h.meetingRow(m, l), VideoURL: m.VideoURL,
		Agenda: markdown.HTML(m.Agenda(l)), Deadline: h.dayTime(m.SignupDeadline),
		Open: m.SignupOpen(h.Now()), SignedUp: signed, Full: m.SignedUp >= m.Capacity,
		CanSignUp: v.MitID != 0, Taken: m.SignedUp, Capacity: m.Capacity,
		SignUpHref: meetingHref(id) + "/tilmeld", CancelHref: meetingHref(id) + "/afmeld",
		NoticeID: notice, ProblemID: problem}
	for _, fl := range files {
		mv.Files = append(mv.Files, fileRow(fl))
	}
	return h.Render(c, status, views.ForumMeetingPage(mv))
}

func fileRow(fl forum.File) views.ForumFileRow {
	return views.ForumFileRow{Href: "/forum/filer/" + strconv.FormatInt(fl.ID, 10), Name: fl.Filename,
		KindID: fl.Kind.MsgID(), Format: formatName(fl.MediaType), Size: fileSize(fl.Size)}
}

// ForumSignUp signs the member up for the meeting for their (first) forum organisation; a full
// meeting or a passed deadline shows the meeting page again with the reason.
func (h *Handlers) ForumSignUp(c echo.Context) error {
	v, err := h.forumGate(c)
	if err != nil {
		return gateDone(err)
	}
	id, err := forumID(c)
	if err != nil {
		return err
	}
	err = h.Forum.SignUp(c.Request().Context(), v, id, 0)
	if fe, ok := fault.As(err); ok && fe.Kind == fault.Conflict {
		return h.renderMeeting(c, http.StatusConflict, v, id, "", fe.MsgID)
	}
	if err != nil {
		return err
	}
	return h.Redirect(c, meetingHref(id)+"?udfoert=tilmeldt")
}

// ForumCancel takes the member's sign-up back.
func (h *Handlers) ForumCancel(c echo.Context) error {
	v, err := h.forumGate(c)
	if err != nil {
		return gateDone(err)
	}
	id, err := forumID(c)
	if err != nil {
		return err
	}
	if _, err := h.Forum.Meeting(c.Request().Context(), v, id); err != nil {
		return err
	}
	if err := h.Forum.Cancel(c.Request().Context(), v, id); err != nil {
		return err
	}
	return h.Redirect(c, meetingHref(id)+"?udfoert=afmeldt")
}

// ForumFile downloads a meeting's presentation or minutes, to forum members and editors only,
// with the packs' care: the content's SHA-256 as ETag, Range and If-None-Match through
// http.ServeContent, an attachment name in ASCII and UTF-8, a sandboxing CSP, and private
// caching that must ask again.
func (h *Handlers) ForumFile(c echo.Context) error {
	v, err := h.forumGate(c)
	if err != nil {
		return gateDone(err)
	}
	id, err := forumID(c)
	if err != nil {
		return err
	}
	fl, err := h.Forum.File(c.Request().Context(), v, id)
	if err != nil {
		return err
	}
	store := h.Forum.Store()
	if store == nil {
		return echo.ErrNotFound
	}
	obj, err := store.Open(c.Request().Context(), fl.SHA256)
	if errors.Is(err, blob.ErrNotFound) {
		return echo.ErrNotFound
	}
	if err != nil {
		return err
	}
	defer obj.Close()
	hd := c.Response().Header()
	hd.Set("Content-Type", fl.MediaType)
	hd.Set("ETag", `"`+fl.SHA256+`"`)
	hd.Set("Content-Disposition", web.Attachment(fl.Filename))
	hd.Set("Cache-Control", "private, no-cache")
	hd.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	http.ServeContent(zeroCopy{c.Response()}, c.Request(), "", fl.Created, obj)
	return nil
}
