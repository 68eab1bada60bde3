package campaigns

import (
	"net/http"
	"strconv"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"mitidportal/campaign/site"
	"mitidportal/fault"
	"mitidportal/handlers/web"
	"mitidportal/views"
)

// The editors' pages of the campaign site (role campaign editor): the list of pages, a page's
// state, its texts per language, its versions, publishing and images. Forms work without
// JavaScript and show the DKFDS error summary.
const siteEditorPath = "/redaktion/sider"

// siteNotices are the notices a ?udfoert= value may ask for.
var siteNotices = map[string]string{
	"oprettet": "site.editor.notice.created", "gemt": "site.editor.notice.saved",
	"udgivet": "site.editor.notice.published", "planlagt": "site.editor.notice.scheduled",
	"afpubliceret": "site.editor.notice.unpublished", "billede": "site.editor.notice.image",
}

func sitePageHref(slug string) string { return siteEditorPath + "/" + slug }

var langNames = map[string]string{"da": "site.lang.da", "en": "site.lang.en"}

// editLinks name the link to each language's text form.
var editLinks = map[string]string{"da": "site.editor.page.edit_da", "en": "site.editor.page.edit_en"}

// renderSiteEditor shows an editor's page with the staff menu, the site's pages marked.
func (s *Handlers) renderSiteEditor(c echo.Context, status int, comp templ.Component) error {
	editorNav(c)
	for i := range web.StateOf(c).Page.Nav {
		n := &web.StateOf(c).Page.Nav[i]
		n.Active = n.Href == siteEditorPath
	}
	return s.Render(c, status, comp)
}

// editorPage reads the page named by the path's slug (404 when there is none).
func (s *Handlers) editorPage(c echo.Context) (site.Page, error) {
	return s.Pages.BySlug(c.Request().Context(), c.Param("slug"))
}

// SiteEditorList lists every page with its state per language and the form that creates one.
func (s *Handlers) SiteEditorList(c echo.Context) error {
	return s.renderSiteList(c, http.StatusOK, views.Form{}, siteNotices[c.QueryParam("udfoert")])
}

func (s *Handlers) renderSiteList(c echo.Context, status int, f views.Form, notice string) error {
	ctx := c.Request().Context()
	pages, err := s.Pages.List(ctx)
	if err != nil {
		return err
	}
	titles, err := s.Pages.Titles(ctx, lang(c))
	if err != nil {
		return err
	}
	v := views.SiteEditorListView{Form: f, NoticeID: notice}
	for _, k := range site.Kinds {
		v.Kinds = append(v.Kinds, views.Option{Value: string(k), LabelID: k.MsgID()})
	}
	for _, pg := range pages {
		title := titles[pg.ID]
		if title == "" {
			title = pg.Slug
		}
		v.Pages = append(v.Pages, views.SiteEditorRow{Href: sitePageHref(pg.Slug), Slug: pg.Slug, Title: title,
			KindID: pg.Kind.MsgID(), Position: pg.Position, Parent: pg.ParentSlug, Statuses: s.statuses(pg)})
		// Option labels are message IDs; a slug has no translation, and go-i18n shows an
		// unknown ID as it is.
		v.Parents = append(v.Parents, views.Option{Value: pg.Slug, LabelID: pg.Slug})
	}
	return s.renderSiteEditor(c, status, views.SiteEditorList(v))
}

// statuses are a page's states per language, as its editors read them.
func (s *Handlers) statuses(pg site.Page) []views.SiteStatus {
	var out []views.SiteStatus
	now := s.Now()
	for _, l := range site.Langs {
		st := views.SiteStatus{LangNameID: langNames[l],
			Data: map[string]any{"Version": pg.Latest[l], "Pinned": pg.Pinned[l]}}
		switch {
		case pg.Latest[l] == 0:
			st.MsgID = "site.status.missing"
		case pg.Status != site.StatusPublished:
			st.MsgID = "site.status.draft"
		case !pg.Released(now):
			st.MsgID, st.Data["When"] = "site.status.scheduled", s.When(*pg.ReleaseAt)
		case pg.Latest[l] > pg.Pinned[l]:
			st.MsgID = "site.status.changed"
		default:
			st.MsgID = "site.status.published"
		}
		out = append(out, st)
	}
	return out
}

// SiteEditorCreate creates a page (a draft without text) and goes to it.
func (s *Handlers) SiteEditorCreate(c echo.Context) error {
	f := web.FormOf(c, "page_slug", "page_kind", "page_position", "page_parent")
	pos := 0
	if p := f.Values["page_position"]; p != "" {
		n, err := strconv.Atoi(p)
		if err != nil {
			addError(&f, "page_position", site.ErrPositionBad.MsgID)
		}
		pos = n
	}
	again := func() error { return s.renderSiteList(c, web.StatusInvalid, f, "") }
	n := site.NewPage{Slug: f.Values["page_slug"], Kind: site.Kind(f.Values["page_kind"]), Position: pos,
		ParentSlug: f.Values["page_parent"]}
	if f.HasErrors() {
		// A rule broken here: site checks the rest, so every wrong field shows, and creates nothing.
		if err := fieldError(&f, s.Pages.Check(c.Request().Context(), n), siteFields, "page_slug"); err != nil {
			return err
		}
		return again()
	}
	pg, err := s.Pages.Create(c.Request().Context(), staffID(c), n)
	if err != nil {
		if err := fieldError(&f, err, siteFields, "page_slug"); err != nil {
			return err
		}
		return again()
	}
	return s.Redirect(c, sitePageHref(pg.Slug)+"?udfoert=oprettet")
}

// siteFields name the field a rule of the site's forms belongs to.
var siteFields = map[*fault.Error]string{
	site.ErrSlugInvalid: "page_slug", site.ErrSlugTaken: "page_slug", site.ErrKindInvalid: "page_kind",
	site.ErrFrontTaken: "page_kind", site.ErrPositionBad: "page_position", site.ErrParentInvalid: "page_parent",
	site.ErrTitleRequired: "page_title", site.ErrTitleTooLong: "page_title", site.ErrSummaryTooLong: "page_summary",
	site.ErrBodyRequired: "page_body", site.ErrBodyTooLong: "page_body", site.ErrNoteTooLong: "change_note",
	site.ErrBothLanguages: "when", site.ErrAltRequired: "alt", site.ErrAltTooLong: "alt",
	site.ErrImageEmpty: "file", site.ErrImageType: "file", site.ErrImageTooLarge: "file", site.ErrNoStore: "file",
}

// SiteEditorPage is a page's editor page.
func (s *Handlers) SiteEditorPage(c echo.Context) error {
	pg, err := s.editorPage(c)
	if err != nil {
		return err
	}
	return s.renderSitePage(c, http.StatusOK, pg, views.Form{}, views.Form{}, siteNotices[c.QueryParam("udfoert")])
}

func (s *Handlers) renderSitePage(c echo.Context, status int, pg site.Page, pub, img views.Form, notice string) error {
	ctx := c.Request().Context()
	href := sitePageHref(pg.Slug)
	v := views.SiteEditorPageView{Slug: pg.Slug, Title: pg.Slug, KindID: pg.Kind.MsgID(), Statuses: s.statuses(pg),
		PreviewHref: href + "/forhaandsvisning", VersionsHref: href + "/versioner",
		PublicHref: siteHref(site.Entry{Slug: pg.Slug, Kind: pg.Kind}), PublishHref: href + "/udgiv",
		UnpublishHref: href + "/afpublicer", ImageHref: href + "/billede",
		Published: pg.Status == site.StatusPublished, PublishForm: pub, ImageForm: img, NoticeID: notice}
	if latest, err := s.Pages.Version(ctx, pg.ID, lang(c), 0); err == nil {
		v.Title = latest.Text.Title
	}
	tr := web.StateOf(c).Tr
	for _, l := range site.Langs {
		v.EditLinks = append(v.EditLinks, views.SiteLink{Href: href + "/tekst/" + l, Summary: l,
			Title: tr.T(editLinks[l])})
	}
	images, err := s.Pages.Images(ctx, 10)
	if err != nil {
		return err
	}
	for _, im := range images {
		v.Images = append(v.Images, views.SiteImageRow{URL: im.URL(), Alt: im.Alt, Markdown: im.Markdown()})
	}
	return s.renderSiteEditor(c, status, views.SiteEditorPage(v))
}
