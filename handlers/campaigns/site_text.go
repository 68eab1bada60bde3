package campaigns

import (
	"errors"
	"net/http"
	"slices"
	"strconv"

	"github.com/labstack/echo/v4"

	"mitidportal/campaign/site"
	"mitidportal/handlers/web"
	"mitidportal/markdown"
	"mitidportal/views"
)

// pageLang reads the page and the language (da or en) the path names; anything else is 404.
func (s *Handlers) pageLang(c echo.Context) (site.Page, string, error) {
	l := c.Param("lang")
	if !slices.Contains(site.Langs, l) {
		return site.Page{}, "", echo.ErrNotFound
	}
	pg, err := s.editorPage(c)
	return pg, l, err
}

// SiteEditorText is the form that writes a page's text in one language, filled with the newest
// version.
func (s *Handlers) SiteEditorText(c echo.Context) error {
	pg, l, err := s.pageLang(c)
	if err != nil {
		return err
	}
	f := views.Form{Values: map[string]string{}}
	latest, err := s.Pages.Version(c.Request().Context(), pg.ID, l, 0)
	switch {
	case err == nil:
		f.Values["page_title"], f.Values["page_summary"], f.Values["page_body"] =
			latest.Text.Title, latest.Text.Summary, latest.Text.Body
	case !errors.Is(err, site.ErrNotFound):
		return err
	}
	return s.renderText(c, http.StatusOK, pg, l, f)
}

func (s *Handlers) renderText(c echo.Context, status int, pg site.Page, l string, f views.Form) error {
	href := sitePageHref(pg.Slug)
	return s.renderSiteEditor(c, status, views.SiteEditorText(views.SiteEditorTextView{Slug: pg.Slug, Lang: l,
		LangNameID: langNames[l], Action: href + "/tekst/" + l, BackHref: href, PreviewHref: href + "/forhaandsvisning",
		Version: pg.Latest[l], Form: f}))
}

// SiteEditorSave saves a page's text in one language as its newest version.
func (s *Handlers) SiteEditorSave(c echo.Context) error {
	pg, l, err := s.pageLang(c)
	if err != nil {
		return err
	}
	f := web.FormOf(c, "page_title", "page_summary", "page_body", "change_note")
	web.Require(&f, f.Values, [2]string{"page_title", site.ErrTitleRequired.MsgID},
		[2]string{"page_body", site.ErrBodyRequired.MsgID})
	again := func() error { return s.renderText(c, web.StatusInvalid, pg, l, f) }
	if f.HasErrors() {
		return again()
	}
	_, err = s.Pages.Save(c.Request().Context(), staffID(c), pg.ID, l, site.Text{Title: f.Values["page_title"],
		Summary: f.Values["page_summary"], Body: f.Values["page_body"]}, f.Values["change_note"])
	if err != nil {
		if err := fieldError(&f, err, siteFields, "page_body"); err != nil {
			return err
		}
		return again()
	}
	return s.Redirect(c, sitePageHref(pg.Slug)+"?udfoert=gemt")
}

// SitePreview shows a page's newest text in both languages as visitors would read it.
func (s *Handlers) SitePreview(c echo.Context) error {
	pg, err := s.editorPage(c)
	if err != nil {
		return err
	}
	v := views.SitePreviewView{Slug: pg.Slug, EditHref: sitePageHref(pg.Slug)}
	for _, l := range site.Langs {
		pl := views.SitePreviewLang{Lang: l, LangNameID: langNames[l]}
		ver, err := s.Pages.Version(c.Request().Context(), pg.ID, l, 0)
		switch {
		case errors.Is(err, site.ErrNotFound):
			pl.Missing = true
		case err != nil:
			return err
		default:
			pl.Page = views.SitePageView{Title: ver.Text.Title, Summary: ver.Text.Summary, Body: markdown.HTML(ver.Text.Body)}
		}
		v.Langs = append(v.Langs, pl)
	}
	return s.renderSiteEditor(c, http.StatusOK, views.SitePreview(v))
}

// SiteVersions lists a page's versions in one language (?sprog=) and shows the line diff of
// the Markdown of two of them (?fra=, ?til=; by default the two newest). A GET form: it reads.
func (s *Handlers) SiteVersions(c echo.Context) error {
	pg, err := s.editorPage(c)
	if err != nil {
		return err
	}
	f := web.FormOf(c, "sprog", "fra", "til")
	l := f.Values["sprog"]
	if l == "" {
		l = lang(c)
	}
	status := http.StatusOK
	if !slices.Contains(site.Langs, l) {
		addError(&f, "sprog", site.ErrLangInvalid.MsgID)
		l = lang(c)
	}
	f.Values["sprog"] = l
	versions, err := s.Pages.Versions(c.Request().Context(), pg.ID, l)
	if err != nil {
		return err
	}
	href := sitePageHref(pg.Slug)
	v := views.SiteVersionsView{Slug: pg.Slug, BackHref: href, Action: href + "/versioner"}
	byNumber := map[int]site.Version{}
	for _, ver := range versions {
		byNumber[ver.Version] = ver
		v.Versions = append(v.Versions, views.SiteVersionRow{Version: ver.Version, Title: ver.Text.Title, Note: ver.Note,
			By: ver.By, When: s.When(ver.CreatedAt), Published: pg.Status == site.StatusPublished && pg.Pinned[l] == ver.Version})
		n := strconv.Itoa(ver.Version)
		v.Choices = append(v.Choices, views.Option{Value: n, LabelID: n})
	}
	for _, l := range site.Langs {
		v.Langs = append(v.Langs, views.Option{Value: l, LabelID: langNames[l]})
	}
	pick := func(name string, def int) int {
		raw := f.Values[name]
		if raw == "" {
			if def > 0 {
				f.Values[name] = strconv.Itoa(def)
			}
			return def
		}
		n, err := strconv.Atoi(raw)
		if _, ok := byNumber[n]; err != nil || !ok {
			addError(&f, name, "site.err.version_invalid")
			return 0
		}
		return n
	}
	if len(versions) >= 2 {
		v.From, v.To = pick("fra", versions[1].Version), pick("til", versions[0].Version)
	} else if len(versions) == 1 {
		v.From, v.To = pick("fra", 0), pick("til", 0)
	}
	if f.HasErrors() {
		status = web.StatusInvalid
		v.From, v.To = 0, 0
	}
	if v.From > 0 && v.To > 0 {
		a, b := diffText(byNumber[v.From]), diffText(byNumber[v.To])
		v.Same = a == b
		for _, ln := range site.Diff(a, b) {
			v.Diff = append(v.Diff, views.SiteDiffLine{Op: [...]string{"same", "added", "removed"}[ln.Op], Text: ln.Text})
		}
	}
	v.Form = f
	return s.renderSiteEditor(c, status, views.SiteVersions(v))
}

// diffText is a version as the diff compares it: its title and lead, then its Markdown.
func diffText(v site.Version) string {
	return "# " + v.Text.Title + "\n\n" + v.Text.Summary + "\n\n" + v.Text.Body
}
