package desk

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"mitidportal/blob"
	"mitidportal/handlers/web"
	"mitidportal/support"
	"mitidportal/views"
)

// attachTimeline adds the files of the case's messages to their timeline entries (timeline
// holds the entries in the reverse order: newest first).
func (s *Handlers) attachTimeline(c echo.Context, cs support.Case, entries []support.Entry, timeline []views.DeskEntry) error {
	files, err := s.Cases.Attachments(c.Request().Context(), cs.ID)
	if err != nil || len(files) == 0 {
		return err
	}
	byEntry := map[int64][]views.DeskAttachment{}
	for _, f := range files {
		byEntry[f.EntryID] = append(byEntry[f.EntryID], views.DeskAttachment{Name: f.Name, Size: fileSize(f.Size),
			Href: deskPath + "/" + cs.Ref + "/fil/" + strconv.FormatInt(f.ID, 10)})
	}
	// The timeline shows the entries newest first.
	for i, e := range entries {
		timeline[len(entries)-1-i].Attachments = byEntry[e.ID]
	}
	return nil
}

// fileSize is a size as people read it.
func fileSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d kB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}

// Attachment downloads a file of the case, for staff only. It writes nothing. The file is
// always a download with the type it was sniffed as (never shown inline, never sniffed again by
// the browser), so a file a citizen sent cannot run in the portal's origin.
func (s *Handlers) Attachment(c echo.Context) error {
	cs, err := s.deskCaseOf(c)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 || s.Files == nil {
		return echo.ErrNotFound
	}
	ctx := c.Request().Context()
	a, err := s.Cases.Attachment(ctx, cs.ID, id)
	if err != nil {
		return err // support.ErrNotFound is a 404
	}
	obj, err := s.Files.Open(ctx, a.SHA256)
	if errors.Is(err, blob.ErrNotFound) {
		return echo.ErrNotFound
	}
	if err != nil {
		return err
	}
	defer obj.Close()
	h := c.Response().Header()
	h.Set("Content-Type", a.ContentType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Disposition", web.Attachment(a.Name))
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cache-Control", "private, no-store")
	http.ServeContent(c.Response(), c.Request(), "", a.CreatedAt, obj)
	return nil
}

// MarkRead clears the case's unread marker ("mark as read").
func (s *Handlers) MarkRead(c echo.Context) error {
	cs, err := s.deskCaseOf(c)
	if err != nil {
		return err
	}
	if err := s.Cases.MarkRead(c.Request().Context(), cs.ID); err != nil {
		return err
	}
	return s.Redirect(c, deskPath+"/"+cs.Ref+"?udfoert=laest")
}
