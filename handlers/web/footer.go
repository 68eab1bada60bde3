package web

import (
	"context"
	"strconv"
	"strings"
	"time"

	"mitidportal/views"
)

// pageFooter is the footer of one language and minute: the support status and the page's
// footer (views.PageFooter) rendered with it, the same for every visitor and citizen. The
// status changes only when a minute turns (opening hours and holidays start on whole minutes),
// so both are made once a minute per language, sparing every request the schedule look-up,
// the templated translations and the render.
type pageFooter struct {
	status views.Footer
	html   string
}

// footerAt is the footer at now, computed and rendered once per language and minute.
func (s *Site) footerAt(lang string, now time.Time) pageFooter {
	return s.footers.Get(lang, now.Unix()/60, func() pageFooter {
		f := pageFooter{status: s.footer(lang, now)}
		page := views.Page{T: s.Catalog.For(lang), Footer: f.status}
		var b strings.Builder
		// On an error (there is none to expect) the page renders its footer itself.
		if views.PageFooter().Render(views.WithPage(context.Background(), &page), &b) == nil {
			f.html = b.String()
		}
		return f
	})
}

// footer computes the support status at now.
func (s *Site) footer(lang string, now time.Time) views.Footer {
	st := s.Schedule.Status(now)
	f := views.Footer{SupportPhone: s.Config.SupportPhone, BlockPhone: s.Config.BlockPhone, Open: st.Open}
	tr := s.Catalog.For(lang)
	if st.Open {
		f.Until = Clock(st.ClosesAt)
		return f
	}
	f.ClosedFor = st.HolidayID
	next := st.NextOpen
	switch days := dayDiff(now.In(next.Location()), next); days {
	case 0:
		f.Until = tr.T("time.today_at", map[string]any{"Time": Clock(next)})
	case 1:
		f.Until = tr.T("time.tomorrow_at", map[string]any{"Time": Clock(next)})
	default:
		f.Until = tr.T("time.weekday_at", map[string]any{"Day": tr.T(WeekdayIDs[next.Weekday()]), "Date": s.DayMonth(lang, next), "Time": Clock(next)})
	}
	return f
}

var WeekdayIDs = map[time.Weekday]string{
	time.Monday: "weekday.monday", time.Tuesday: "weekday.tuesday", time.Wednesday: "weekday.wednesday",
	time.Thursday: "weekday.thursday", time.Friday: "weekday.friday", time.Saturday: "weekday.saturday",
	time.Sunday: "weekday.sunday",
}

var monthIDs = [...]string{"", "month.january", "month.february", "month.march", "month.april", "month.may", "month.june",
	"month.july", "month.august", "month.september", "month.october", "month.november", "month.december"}

// Clock formats a time of day the Danish way, 08.00, which English pages also use for a
// Danish service (unambiguous 24-hour time).
func Clock(t time.Time) string { return ClockHM(t.Hour()*60 + t.Minute()) }

// ClockHM formats minutes after midnight as Clock does.
func ClockHM(minutes int) string {
	h, m := minutes/60, minutes%60
	return pad2(h) + "." + pad2(m)
}

func pad2(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// dayDiff counts calendar days from a to b in b's location.
func dayDiff(a, b time.Time) int {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	da := time.Date(ay, am, ad, 12, 0, 0, 0, time.UTC)
	db := time.Date(by, bm, bd, 12, 0, 0, 0, time.UTC)
	return int(db.Sub(da).Hours() / 24)
}

// DayMonth formats a date as "6. april" or "6 April".
func (s *Site) DayMonth(lang string, t time.Time) string {
	tr := s.Catalog.For(lang)
	return tr.T("time.day_month", map[string]any{"Day": t.Day(), "Month": tr.T(monthIDs[t.Month()])})
}

// When formats a time for a page: Copenhagen time, the same in both languages.
func (s *Site) When(t time.Time) string {
	return t.In(s.Schedule.Location()).Format("02.01.2006 15.04")
}
