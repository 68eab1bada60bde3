package campaigns

import (
	"time"

	"github.com/labstack/echo/v4"

	"mitidportal/handlers/web"
	"mitidportal/views"
)

// EditorPublish publishes an item now, or schedules it: released at a date and time in Danish
// time, typed the Danish way (dd-mm-åååå, tt:mm). Publishing a withdrawn item publishes it
// again; publishing a published one moves its release time.
func (s *Handlers) EditorPublish(c echo.Context) error {
	id, err := itemID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if _, err := s.Packs.Item(ctx, editorViewer, id); err != nil {
		return err
	}
	f := web.FormOf(c, "when", "release_date", "release_time")
	now := s.Now()
	release := now
	notice := "udgivet"
	switch f.Values["when"] {
	case "now":
	case "later":
		release = s.releaseAt(&f, now)
		notice = "planlagt"
	default:
		addError(&f, "when", "campaigneditor.err.when_required")
	}
	if f.HasErrors() {
		return s.renderItem(c, web.StatusInvalid, id, f, views.Form{}, "")
	}
	if err := s.Packs.Publish(ctx, staffID(c), id, release); err != nil {
		return err
	}
	return s.Redirect(c, itemHref(id)+"?udfoert="+notice)
}

// releaseAt reads the scheduled release time from the form's date and time in the desk's time
// zone (Europe/Copenhagen); it must lie ahead of now. Problems are added to f.
func (s *Handlers) releaseAt(f *views.Form, now time.Time) time.Time {
	loc := s.Schedule.Location()
	day, err := web.ParseDate(f.Values["release_date"], loc)
	if err != nil {
		addError(f, "release_date", "campaigneditor.err.date_invalid")
	}
	h, m, ok := web.ParseClock(f.Values["release_time"])
	if !ok {
		addError(f, "release_time", "campaigneditor.err.time_invalid")
	}
	if f.HasErrors() {
		return time.Time{}
	}
	t := time.Date(day.Year(), day.Month(), day.Day(), h, m, 0, 0, loc)
	if !t.After(now) {
		addError(f, "release_date", "campaigneditor.err.release_past")
	}
	return t
}

// EditorWithdraw takes an item back from everyone but its editors.
func (s *Handlers) EditorWithdraw(c echo.Context) error {
	id, err := itemID(c)
	if err != nil {
		return err
	}
	if err := s.Packs.Withdraw(c.Request().Context(), staffID(c), id); err != nil {
		return err
	}
	return s.Redirect(c, itemHref(id)+"?udfoert=tilbagetrukket")
}
