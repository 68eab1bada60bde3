package handlers

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"mitidportal/handlers/web"
	"mitidportal/session"
	"mitidportal/support"
	"mitidportal/views"
)

// frontEntries are the front page's ways in. Each is shown only once its route exists, so
// the page never links to a capability that is not there.
var frontEntries = []views.Entry{
	{TitleID: "home.entry.login.title", TextID: "home.entry.login.text", Href: "/log-ind", TestID: "entry-login"},
	{TitleID: "home.entry.create.title", TextID: "home.entry.create.text", Href: "/opret", TestID: "entry-create"},
	{TitleID: "home.entry.block.title", TextID: "home.entry.block.text", Href: "/spaer", TestID: "entry-block"},
	{TitleID: "home.entry.contact.title", TextID: "home.entry.contact.text", Href: "/kontakt", TestID: "entry-contact"},
	{TitleID: "home.entry.campaign.title", TextID: "home.entry.campaign.text", Href: "/kampagne", TestID: "entry-campaign"},
	{TitleID: "home.entry.packs.title", TextID: "home.entry.packs.text", Href: "/kommunikation", TestID: "entry-packs"},
}

func (s *Server) home(c echo.Context) error {
	var v views.HomeView
	for _, e := range frontEntries {
		if s.site.RouteExists(http.MethodGet, e.Href) {
			v.Entries = append(v.Entries, e)
		}
	}
	return s.site.RenderShared(c, views.Home(v))
}

// accessibilityTested is the day the portal's accessibility was last tested by hand (the
// automatic axe-core tests run on every change); the statement shows it. Change it with the
// list below when a test finds or fixes something.
var accessibilityTested = time.Date(2026, time.December, 6, 12, 0, 0, 0, time.UTC)

// accessibilityKnown are the problems the statement owns up to, as message IDs; a fix removes
// its line here and in the locale files.
var accessibilityKnown = []string{
	"accessibility.known.keyboard", "accessibility.known.javascript",
}

func (s *Server) accessibility(c echo.Context) error {
	lang := views.Lang(c.Request().Context())
	tested := s.site.DayMonth(lang, accessibilityTested) + " " + strconv.Itoa(accessibilityTested.Year())
	return s.site.RenderShared(c, views.Accessibility(views.AccessibilityView{Tested: tested, Known: accessibilityKnown}))
}

func (s *Server) privacy(c echo.Context) error {
	return s.site.RenderShared(c, views.Info(infoPage("privacy", 7)))
}

func (s *Server) cookies(c echo.Context) error {
	return s.site.RenderShared(c, views.Info(infoPage("cookies", 3)))
}

// infoPage builds an information page from messages named page.sN.heading and page.sN.pM.
// The paragraph counts live in the locale files' structure; infoParagraphs lists them.
func infoPage(page string, sections int) views.InfoView {
	v := views.InfoView{TitleID: page + ".title", LeadID: page + ".lead"}
	for i := 1; i <= sections; i++ {
		sec := views.InfoSection{HeadingID: page + ".s" + strconv.Itoa(i) + ".heading"}
		for j := 1; j <= infoParagraphs[page][i-1]; j++ {
			sec.Paragraphs = append(sec.Paragraphs, page+".s"+strconv.Itoa(i)+".p"+strconv.Itoa(j))
		}
		v.Sections = append(v.Sections, sec)
	}
	return v
}

// infoParagraphs is the number of paragraphs in each section of each information page.
var infoParagraphs = map[string][]int{
	"privacy": {2, 3, 2, 2, 2, 3, 2},
	"cookies": {2, 3, 2},
}

// logout ends this session on the server and clears its cookie.
func (s *Server) logout(c echo.Context) error {
	st := web.StateOf(c)
	st.Sess.Options.MaxAge = -1
	st.Dirty = true
	st.Subject = session.Subject{}
	return s.site.Redirect(c, "/")
}

// DynamicMessageIDs lists the message IDs this package builds at run time (information page
// sections, holiday names), for the test that every message exists in every language.
func DynamicMessageIDs() []string {
	var ids []string
	for page, counts := range infoParagraphs {
		v := infoPage(page, len(counts))
		ids = append(ids, v.TitleID, v.LeadID)
		for _, s := range v.Sections {
			ids = append(ids, s.HeadingID)
			ids = append(ids, s.Paragraphs...)
		}
	}
	return append(ids, support.HolidayIDs()...)
}

// contact is the shared support desk's contact page.
func (s *Server) contact(c echo.Context) error {
	return s.site.RenderShared(c, views.Contact(s.contactView(web.StateOf(c).Lang)))
}

// contactView is the contact page's hours and the closures of the next 60 days. They change
// only when the day does, so they are computed once a day per language rather than on every
// request (the holiday look-up and the templated dates were most of the page's cost).
func (s *Server) contactView(lang string) views.ContactView {
	now := s.Now()
	y, m, d := now.In(s.Schedule.Location()).Date()
	return s.contactDays.Get(lang, int64(y*10000+int(m)*100+d), func() views.ContactView {
		v := views.ContactView{Systems: supportSystems}
		for _, d := range []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday} {
			row := views.HoursRow{DayID: web.WeekdayIDs[d]}
			if open, close, ok := s.Schedule.Hours(d); ok {
				row.Hours = web.ClockHM(open) + "–" + web.ClockHM(close)
			}
			v.Hours = append(v.Hours, row)
		}
		for _, h := range s.Schedule.ClosuresBetween(now, now.AddDate(0, 0, 60)) {
			v.Closures = append(v.Closures, views.Closure{Date: s.site.DayMonth(lang, h.Date), HolidayID: h.ID})
		}
		return v
	})
}

// supportSystems are the services the shared support desk answers for (DESIGN.md §5).
var supportSystems = []string{"system.mitid", "system.mitid_erhverv", "system.digital_post", "system.nemkonto", "system.virk", "system.borger_dk"}
