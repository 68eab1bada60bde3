package campaigns

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"mitidportal/campaign/sitedata"
	"mitidportal/handlers/web"
	"mitidportal/markdown"
	"mitidportal/views"
)

// The campaign site's structured pages (issue 11): questions and answers, the page for service
// providers and the campaign's timeline. They are public and read only: a search is a GET.

const qaPath = "/kampagne/spoergsmaal"

// md renders editors' Markdown, sanitised, as a component.
func md(src string) templ.Component { return templ.Raw(string(markdown.HTML(src))) }

// QAPage shows the published questions in the visitor's language, filtered by ?kategori= and
// searched by ?q=. Text that breaks the search field's rule (a NUL byte, bytes that are not
// UTF-8, more than sitedata.MaxQuery characters) shows the page with the error and every answer,
// as 400; a category that is not a number is a 400, one that does not exist shows nothing.
func (h *Handlers) QAPage(c echo.Context) error {
	ctx := c.Request().Context()
	lang := lang(c)
	f := web.FormOf(c, "q")
	q := f.Values["q"]
	var catID int64
	if k := c.QueryParam("kategori"); k != "" {
		n, err := strconv.ParseInt(k, 10, 64)
		if err != nil || n <= 0 {
			return echo.NewHTTPError(http.StatusBadRequest, "kategori")
		}
		catID = n
	}
	status := http.StatusOK
	if f.HasErrors() {
		status, q = http.StatusBadRequest, ""
	}
	cats, err := h.SiteData.Categories(ctx)
	if err != nil {
		return err
	}
	entries, err := h.SiteData.Published(ctx, sitedata.Search{Lang: lang, CategoryID: catID, Query: q})
	if err != nil {
		return err
	}
	v := views.QAView{Form: f, Found: len(entries), Searched: q != "" || catID != 0}
	if catID != 0 {
		v.Category = strconv.FormatInt(catID, 10)
	}
	v.Filters = append(v.Filters, views.QAFilter{Label: web.StateOf(c).Tr.T("sitedata.qa.all"),
		Href: qaHref(0, q), Active: catID == 0})
	byID := map[int64]int{}
	for _, ct := range cats {
		v.Filters = append(v.Filters, views.QAFilter{Label: ct.Name(lang), Href: qaHref(ct.ID, q), Active: ct.ID == catID})
	}
	names := map[int64]string{}
	for _, ct := range cats {
		names[ct.ID] = ct.Name(lang)
	}
	for _, e := range entries {
		i, ok := byID[e.CategoryID]
		if !ok {
			i = len(v.Groups)
			byID[e.CategoryID] = i
			v.Groups = append(v.Groups, views.QAGroup{Name: names[e.CategoryID]})
		}
		v.Groups[i].Entries = append(v.Groups[i].Entries, views.QAItem{Anchor: qaAnchor(e.ID),
			Question: e.Question(lang), Answer: md(e.Answer(lang))})
	}
	return h.Render(c, status, views.QA(v))
}

// qaHref is the questions page for a category (0: all) that keeps the search.
func qaHref(cat int64, q string) string {
	vals := url.Values{}
	if cat != 0 {
		vals.Set("kategori", strconv.FormatInt(cat, 10))
	}
	if q != "" {
		vals.Set("q", q)
	}
	if len(vals) == 0 {
		return qaPath
	}
	return qaPath + "?" + vals.Encode()
}

// qaAnchor is an answer's id on the questions page, so that it can be linked to.
func qaAnchor(id int64) string { return "spoergsmaal-" + strconv.FormatInt(id, 10) }

// BrokersPage explains why a service provider chooses a certified broker and lists the
// certified ones. The introduction is the editors' text, or the locale's until they write one.
func (h *Handlers) BrokersPage(c echo.Context) error {
	ctx := c.Request().Context()
	lang := lang(c)
	t, err := h.SiteData.Text(ctx, sitedata.TextBrokersIntro)
	if err != nil {
		return err
	}
	body := t.Body(lang)
	if strings.TrimSpace(body) == "" {
		body = web.StateOf(c).Tr.T("sitedata.brokers.intro_default")
	}
	brokers, err := h.SiteData.Brokers(ctx, true)
	if err != nil {
		return err
	}
	v := views.BrokersView{Intro: md(body)}
	for _, b := range brokers {
		host := b.URL
		if u, err := url.Parse(b.URL); err == nil {
			host = strings.TrimPrefix(u.Host, "www.")
		}
		v.Brokers = append(v.Brokers, views.BrokerCard{Name: b.Name, URL: b.URL, Host: host, Description: b.Description(lang)})
	}
	return h.Render(c, http.StatusOK, views.Brokers(v))
}

// TimelinePage shows the campaign's activities over the months they span.
func (h *Handlers) TimelinePage(c echo.Context) error {
	acts, err := h.SiteData.Activities(c.Request().Context())
	if err != nil {
		return err
	}
	tr, lang := web.StateOf(c).Tr, lang(c)
	month := func(m sitedata.Month) string {
		return tr.T("sitedata.month."+strconv.Itoa(int(m.Month()))) + " " + strconv.Itoa(m.Year())
	}
	var v views.TimelineView
	if len(acts) == 0 {
		return h.Render(c, http.StatusOK, views.Timeline(v))
	}
	first, last := acts[0].Start, acts[0].End
	for _, a := range acts {
		if a.Start.Before(first.Time) {
			first = a.Start
		}
		if a.End.After(last.Time) {
			last = a.End
		}
	}
	// Two years at most in the grid; the list shows every activity's whole period anyway.
	var months []sitedata.Month
	for m := first; !m.After(last.Time) && len(months) < 24; m = m.AddMonths(1) {
		months = append(months, m)
		v.Months = append(v.Months, month(m))
	}
	for _, a := range acts {
		row := views.TimelineRow{Title: a.Title(lang), AudienceID: a.Audience.MsgID(), Period: month(a.Start)}
		if !a.End.Equal(a.Start.Time) {
			row.Period += " – " + month(a.End)
		}
		for _, m := range months {
			row.Active = append(row.Active, !m.Before(a.Start.Time) && !m.After(a.End.Time))
		}
		v.Rows = append(v.Rows, row)
	}
	return h.Render(c, http.StatusOK, views.Timeline(v))
}
