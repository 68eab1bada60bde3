package handlers

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"mitidportal/views"
)

// footer computes the support status every page shows.
func (s *Server) footer(lang string) views.Footer {
	now := s.Now()
	st := s.Schedule.Status(now)
	f := views.Footer{SupportPhone: s.Config.SupportPhone, BlockPhone: s.Config.BlockPhone, Open: st.Open}
	tr := s.Catalog.For(lang)
	if st.Open {
		f.Until = clock(st.ClosesAt)
		return f
	}
	f.ClosedFor = st.HolidayID
	next := st.NextOpen
	switch days := dayDiff(now.In(next.Location()), next); days {
	case 0:
		f.Until = tr.T("time.today_at", map[string]any{"Time": clock(next)})
	case 1:
		f.Until = tr.T("time.tomorrow_at", map[string]any{"Time": clock(next)})
	default:
		f.Until = tr.T("time.weekday_at", map[string]any{"Day": tr.T(weekdayIDs[next.Weekday()]), "Date": s.dayMonth(lang, next), "Time": clock(next)})
	}
	return f
}

// contact is the shared support desk's contact page.
func (s *Server) contact(c echo.Context) error {
	st := stateOf(c)
	v := views.ContactView{Systems: supportSystems}
	for _, d := range []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday} {
		row := views.HoursRow{DayID: weekdayIDs[d]}
		if open, close, ok := s.Schedule.Hours(d); ok {
			row.Hours = clockHM(open) + "–" + clockHM(close)
		}
		v.Hours = append(v.Hours, row)
	}
	now := s.Now()
	for _, h := range s.Schedule.ClosuresBetween(now, now.AddDate(0, 0, 60)) {
		v.Closures = append(v.Closures, views.Closure{Date: s.dayMonth(st.lang, h.Date), HolidayID: h.ID})
	}
	return s.render(c, http.StatusOK, views.Contact(v))
}

// supportSystems are the services the shared support desk answers for (DESIGN.md §5).
var supportSystems = []string{"system.mitid", "system.mitid_erhverv", "system.digital_post", "system.nemkonto", "system.virk", "system.borger_dk"}

var weekdayIDs = map[time.Weekday]string{
	time.Monday: "weekday.monday", time.Tuesday: "weekday.tuesday", time.Wednesday: "weekday.wednesday",
	time.Thursday: "weekday.thursday", time.Friday: "weekday.friday", time.Saturday: "weekday.saturday",
	time.Sunday: "weekday.sunday",
}

var monthIDs = [...]string{"", "month.january", "month.february", "month.march", "month.april", "month.may", "month.june",
	"month.july", "month.august", "month.september", "month.october", "month.november", "month.december"}

// clock formats a time of day the Danish way, 08.00, which English pages also use for a
// Danish service (unambiguous 24-hour time).
func clock(t time.Time) string { return clockHM(t.Hour()*60 + t.Minute()) }

func clockHM(minutes int) string {
	h, m := minutes/60, minutes%60
	return pad2(h) + "." + pad2(m)
}

func pad2(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

func itoa(n int) string { return strconv.Itoa(n) }

// dayDiff counts calendar days from a to b in b's location.
func dayDiff(a, b time.Time) int {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	da := time.Date(ay, am, ad, 12, 0, 0, 0, time.UTC)
	db := time.Date(by, bm, bd, 12, 0, 0, 0, time.UTC)
	return int(db.Sub(da).Hours() / 24)
}

// dayMonth formats a date as "6. april" or "6 April".
func (s *Server) dayMonth(lang string, t time.Time) string {
	tr := s.Catalog.For(lang)
	return tr.T("time.day_month", map[string]any{"Day": t.Day(), "Month": tr.T(monthIDs[t.Month()])})
}
