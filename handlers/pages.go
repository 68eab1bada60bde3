package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

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
}

func (s *Server) home(c echo.Context) error {
	var v views.HomeView
	for _, e := range frontEntries {
		if s.routeAllowed(http.MethodGet, e.Href) {
			v.Entries = append(v.Entries, e)
		}
	}
	return s.render(c, http.StatusOK, views.Home(v))
}

func (s *Server) accessibility(c echo.Context) error {
	return s.render(c, http.StatusOK, views.Info(infoPage("accessibility", 6)))
}

func (s *Server) privacy(c echo.Context) error {
	return s.render(c, http.StatusOK, views.Info(infoPage("privacy", 7)))
}

func (s *Server) cookies(c echo.Context) error {
	return s.render(c, http.StatusOK, views.Info(infoPage("cookies", 3)))
}

// infoPage builds an information page from messages named page.sN.heading and page.sN.pM.
// The paragraph counts live in the locale files' structure; infoParagraphs lists them.
func infoPage(page string, sections int) views.InfoView {
	v := views.InfoView{TitleID: page + ".title", LeadID: page + ".lead"}
	for i := 1; i <= sections; i++ {
		sec := views.InfoSection{HeadingID: page + ".s" + itoa(i) + ".heading"}
		for j := 1; j <= infoParagraphs[page][i-1]; j++ {
			sec.Paragraphs = append(sec.Paragraphs, page+".s"+itoa(i)+".p"+itoa(j))
		}
		v.Sections = append(v.Sections, sec)
	}
	return v
}

// infoParagraphs is the number of paragraphs in each section of each information page.
var infoParagraphs = map[string][]int{
	"accessibility": {2, 2, 3, 2, 2, 2},
	"privacy":       {2, 3, 2, 2, 2, 3, 2},
	"cookies":       {2, 3, 2},
}

// logout ends this session on the server and clears its cookie.
func (s *Server) logout(c echo.Context) error {
	st := stateOf(c)
	st.sess.Options.MaxAge = -1
	st.dirty = true
	st.subject = session.Subject{}
	return s.redirect(c, "/")
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
