package campaigns

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"mitidportal/campaign/forum"
	"mitidportal/fault"
	"mitidportal/handlers/web"
	"mitidportal/markdown"
	"mitidportal/views"
)

func editorMeetingHref(id int64) string {
	return forumEditorPath + "/moeder/" + strconv.FormatInt(id, 10)
}

// ForumEditorMeeting is an editor's page of a meeting: its facts, the form that edits it (filled
// in with the meeting as saved), its status, its files with the upload, and who signed up (also
// as CSV).
func (h *Handlers) ForumEditorMeeting(c echo.Context) error {
	id, err := forumID(c)
	if err != nil {
		return err
	}
	return h.renderEditorMeeting(c, http.StatusOK, id, views.ForumMeetingForms{}, forumEditorNotices[c.QueryParam("udfoert")])
}

// editorMeeting is the meeting the path's :id names, as an editor sees it; an id that is no
// meeting's is not found, before any of the request's form is read.
func (h *Handlers) editorMeeting(c echo.Context) (forum.Meeting, error) {
	id, err := forumID(c)
	if err != nil {
		return forum.Meeting{}, err
	}
	return h.Forum.Meeting(c.Request().Context(), forumEditorViewer, id)
}

// renderEditorMeeting shows the meeting's page with forms' states; a form without values shows
// the meeting as saved.
func (h *Handlers) renderEditorMeeting(c echo.Context, status int, id int64, forms views.ForumMeetingForms, notice string) error {
	ctx := c.Request().Context()
	v := forumEditorViewer
	m, err := h.Forum.Meeting(ctx, v, id)
	if err != nil {
		return err
	}
	files, err := h.Forum.Files(ctx, v, id)
	if err != nil {
		return err
	}
	people, err := h.Forum.Participants(ctx, v, id)
	if err != nil {
		return err
	}
	l := lang(c)
	if forms.Edit.Values == nil {
		forms.Edit.Values = h.meetingValues(m)
	}
	if forms.Status.Values == nil {
		forms.Status.Values = map[string]string{"status": string(m.Status)}
	}
	if forms.Upload.Values == nil {
		forms.Upload.Values = map[string]string{"file_kind": string(forum.Presentation)}
	}
	href := editorMeetingHref(id)
	mv := views.ForumEditorMeetingView{Row: h.meetingRow(m, l), VideoURL: m.VideoURL,
		AgendaDA: markdown.HTML(m.AgendaDA), AgendaEN: markdown.HTML(m.AgendaEN), Deadline: h.dayTime(m.SignupDeadline),
		Taken: m.SignedUp, Capacity: m.Capacity, Forms: forms, Editable: m.Status == forum.Planned,
		EditHref: href + "/rediger", StatusHref: href + "/status", UploadHref: href + "/filer", CSVHref: href + "/deltagere.csv",
		PublicHref: meetingHref(id), NoticeID: notice}
	for _, a := range forum.Audiences {
		mv.Audiences = append(mv.Audiences, views.Option{Value: string(a), LabelID: a.MsgID()})
	}
	for _, s := range forum.Statuses {
		mv.Statuses = append(mv.Statuses, views.Option{Value: string(s), LabelID: s.MsgID()})
	}
	for _, k := range forum.FileKinds {
		mv.FileKinds = append(mv.FileKinds, views.Option{Value: string(k), LabelID: k.MsgID()})
	}
	for _, fl := range files {
		mv.Files = append(mv.Files, fileRow(fl))
	}
	for _, p := range people {
		mv.Participants = append(mv.Participants, views.ForumParticipantRow{Name: p.Name, Organisation: p.Organisation,
			At: h.dayTime(p.At)})
	}
	return h.forumRender(c, status, views.ForumEditorMeeting(mv))
}

// meetingValues are m's fields as the meeting form shows them (Copenhagen time), with the
// version the edit starts from.
func (h *Handlers) meetingValues(m forum.Meeting) map[string]string {
	loc := h.Schedule.Location()
	return map[string]string{"meeting_title_da": m.TitleDA, "meeting_title_en": m.TitleEN,
		"meeting_audience": string(m.Audience), "meeting_date": m.Starts.In(loc).Format("02-01-2006"),
		"start_time": m.Starts.In(loc).Format("15:04"), "end_time": m.Ends.In(loc).Format("15:04"),
		"place": m.Place, "video_url": m.VideoURL, "agenda_da": m.AgendaDA, "agenda_en": m.AgendaEN,
		"capacity": strconv.Itoa(m.Capacity), "deadline_date": m.SignupDeadline.In(loc).Format("02-01-2006"),
		"deadline_time": m.SignupDeadline.In(loc).Format("15:04"), "version": m.Version()}
}

// ForumEditMeeting saves an editor's changes of a planned meeting (forum.UpdateMeeting): the
// form's rules are creation's, and a new time, place or video link is mailed to everyone
// signed up. When another editor saved the meeting since the form was shown, the form comes
// back with what was typed, the saved meeting above it and its version, so saving again is a
// decision made on what is saved now.
func (h *Handlers) ForumEditMeeting(c echo.Context) error {
	m, err := h.editorMeeting(c)
	if err != nil {
		return err
	}
	ctx, id := c.Request().Context(), m.ID
	f, n, err := h.readMeeting(c, "version")
	if err != nil {
		return err
	}
	if !f.HasErrors() {
		_, err := h.Forum.UpdateMeeting(ctx, staffID(c), id, forum.MeetingEdit{NewMeeting: n, Version: f.Values["version"]})
		if err == nil {
			return h.Redirect(c, editorMeetingHref(id)+"?udfoert=rettet")
		}
		if errors.Is(err, forum.ErrMeetingChanged) {
			saved, err := h.Forum.Meeting(ctx, forumEditorViewer, id)
			if err != nil {
				return err
			}
			f.Values["version"] = saved.Version()
		}
		if err := fieldError(&f, err, forumRules, "meeting_title_da"); err != nil {
			return err
		}
	}
	return h.renderEditorMeeting(c, web.StatusInvalid, id, views.ForumMeetingForms{Edit: f}, "")
}

// ForumMeetingStatus marks the meeting planned, held or cancelled.
func (h *Handlers) ForumMeetingStatus(c echo.Context) error {
	m, err := h.editorMeeting(c)
	if err != nil {
		return err
	}
	id := m.ID
	f := web.FormOf(c, "status")
	if !f.HasErrors() {
		err := h.Forum.SetStatus(c.Request().Context(), staffID(c), id, forum.Status(f.Values["status"]))
		if err == nil {
			return h.Redirect(c, editorMeetingHref(id)+"?udfoert=status")
		}
		if err := fieldError(&f, err, nil, "status"); err != nil {
			return err
		}
	}
	return h.renderEditorMeeting(c, web.StatusInvalid, id, views.ForumMeetingForms{Status: f}, "")
}

// uploadFields name the field a rule of a meeting's upload belongs to.
var uploadFields = map[*fault.Error]string{forum.ErrFileEmpty: "file", forum.ErrFileType: "file",
	forum.ErrFileTooLarge: "file", forum.ErrFileKindInvalid: "file_kind"}

// ForumUpload adds a presentation or the minutes to the meeting, streamed like the packs'
// uploads (editor_upload.go): the kind is read and checked before a byte of the file is stored.
func (h *Handlers) ForumUpload(c echo.Context) error {
	m, err := h.editorMeeting(c)
	if err != nil {
		return err
	}
	ctx, id := c.Request().Context(), m.ID
	sf, err := readUpload(c, "file_kind")
	f := sf.Form
	again := func() error {
		finish(c)
		return h.renderEditorMeeting(c, web.StatusInvalid, id, views.ForumMeetingForms{Upload: f}, "")
	}
	if err != nil {
		if err := uploadError(&f, err); err != nil {
			return err
		}
		return again()
	}
	kind := forum.FileKind(f.Values["file_kind"])
	if kind != forum.Presentation && kind != forum.Minutes {
		addError(&f, "file_kind", forum.ErrFileKindInvalid.MsgID)
	}
	if sf.file == nil {
		addError(&f, "file", forum.ErrFileEmpty.MsgID)
	}
	if err := sf.checkFile(&f, forum.SniffFile, uploadFields); err != nil {
		return err
	}
	if f.HasErrors() {
		return again()
	}
	if _, err := h.Forum.AddFile(ctx, staffID(c), id, kind, sf.file.FileName(), sf.file); err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			err = forum.ErrFileTooLarge // the body went over the route's bound while the file was stored
		}
		if err := fieldError(&f, err, uploadFields, "file"); err != nil {
			return err
		}
		return again()
	}
	return h.Redirect(c, editorMeetingHref(id)+"?udfoert=fil")
}

// ForumParticipantsCSV sends the meeting's sign-ups for Excel (see web.CSV).
func (h *Handlers) ForumParticipantsCSV(c echo.Context) error {
	m, err := h.editorMeeting(c)
	if err != nil {
		return err
	}
	ctx, id := c.Request().Context(), m.ID
	people, err := h.Forum.Participants(ctx, forumEditorViewer, id)
	if err != nil {
		return err
	}
	tr := web.StateOf(c).Tr
	rows := [][]string{{tr.T("forum.csv.name"), tr.T("forum.csv.organisation"), tr.T("forum.csv.signed_up")}}
	for _, p := range people {
		rows = append(rows, []string{p.Name, p.Organisation, h.dayTime(p.At)})
	}
	return web.SendCSV(c, tr.T("forum.csv.participants_file")+"-"+strconv.FormatInt(id, 10)+".csv", rows)
}
