package campaigns

import (
	"errors"
	"net/http"
	"slices"
	"strconv"

	"github.com/labstack/echo/v4"

	"mitidportal/blob"
	"mitidportal/campaign/site"
	"mitidportal/handlers/web"
	"mitidportal/markdown"
	"mitidportal/views"
)

// The campaign site's public pages: /kampagne is the front page, /kampagne/:slug a page, each
// in the visitor's language with the site's menu. A page that is not published, or is
// scheduled for later, is a 404 (site.Pages reads only released pages). The site's static
// routes under /kampagne/ (questions, providers, timeline) are matched by echo before :slug,
// and their names are reserved slugs (site.Reserved).

const sitePath = "/kampagne"

func siteHref(e site.Entry) string {
	if e.Kind == site.KindFront {
		return sitePath
	}
	return sitePath + "/" + e.Slug
}

// SiteFront is the campaign's front page. The portal's front page links here, so before an
// editor has published a front page it is a page that says so (with whatever pages are
// published in the menu), never a broken link.
func (s *Handlers) SiteFront(c echo.Context) error {
	pg, err := s.Pages.Front(c.Request().Context(), lang(c))
	if errors.Is(err, site.ErrNotFound) {
		tr := web.StateOf(c).Tr
		pg = site.Shown{Page: site.Page{Kind: site.KindFront},
			Text: site.Text{Title: tr.T("site.public.empty_title"), Summary: tr.T("site.public.empty_lead")}}
	} else if err != nil {
		return err
	}
	return s.renderSite(c, pg)
}

// SitePage is a page of the campaign site; the front page's own slug leads to /kampagne.
func (s *Handlers) SitePage(c echo.Context) error {
	slug := c.Param("slug")
	if !site.ValidSlug(slug) {
		return echo.ErrNotFound
	}
	pg, err := s.Pages.Published(c.Request().Context(), slug, lang(c))
	if err != nil {
		return err
	}
	if pg.Kind == site.KindFront {
		return c.Redirect(http.StatusMovedPermanently, sitePath)
	}
	return s.renderSite(c, pg)
}

func (s *Handlers) renderSite(c echo.Context, pg site.Shown) error {
	ctx := c.Request().Context()
	l := lang(c)
	menu, err := s.Pages.Menu(ctx, l)
	if err != nil {
		return err
	}
	var children []site.Entry
	if pg.ID != 0 {
		if children, err = s.Pages.Children(ctx, l, pg.ID); err != nil {
			return err
		}
	}
	v := views.SitePageView{Title: pg.Text.Title, Summary: pg.Text.Summary, Body: markdown.HTML(pg.Text.Body)}
	v.Crumbs = []views.SiteLink{{Href: "/", Title: web.StateOf(c).Tr.T("site.public.home")}}
	current := pg.Slug
	if pg.Parent.Slug != "" {
		current = pg.Parent.Slug
	}
	for _, e := range menu {
		v.Menu = append(v.Menu, views.SiteLink{Href: siteHref(e), Title: e.Title, Current: e.Slug == current})
		if e.Kind == site.KindFront && pg.Kind != site.KindFront {
			v.Crumbs = append(v.Crumbs, views.SiteLink{Href: sitePath, Title: e.Title})
		}
	}
	if pg.Parent.Slug != "" {
		v.Crumbs = append(v.Crumbs, views.SiteLink{Href: sitePath + "/" + pg.Parent.Slug, Title: pg.Parent.Title})
	}
	for _, e := range children {
		v.Children = append(v.Children, views.SiteLink{Href: siteHref(e), Title: e.Title, Summary: e.Summary})
	}
	if s.PageBox != nil {
		if v.Box, err = s.PageBox(c, pg.Slug); err != nil {
			return err
		}
	}
	return s.Render(c, http.StatusOK, views.SitePage(v))
}

// SiteImage serves an image of the campaign site. An image's id always names the same bytes,
// so it may be cached for a year; the ETag (its SHA-256) answers a conditional request.
func (s *Handlers) SiteImage(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return echo.ErrNotFound
	}
	ctx := c.Request().Context()
	// Editors see every image (their previews); anyone else only those a released page shows,
	// and only those may be kept by shared caches.
	editor := slices.Contains(web.RolesOf(web.StateOf(c).Subject), web.CampaignEditor)
	img, err := s.Pages.PublishedImage(ctx, id)
	cache := "public, max-age=31536000, immutable"
	if editor && errors.Is(err, site.ErrNotFound) {
		img, err = s.Pages.Image(ctx, id)
		cache = "private, no-cache"
	}
	if err != nil {
		return err
	}
	store := s.Pages.Store()
	if store == nil {
		return echo.ErrNotFound
	}
	obj, err := store.Open(ctx, img.SHA256)
	if errors.Is(err, blob.ErrNotFound) {
		return echo.ErrNotFound
	}
	if err != nil {
		return err
	}
	defer obj.Close()
	hd := c.Response().Header()
	hd.Set("Content-Type", img.MediaType)
	hd.Set("ETag", `"`+img.SHA256+`"`)
	hd.Set("Cache-Control", cache)
	hd.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	http.ServeContent(zeroCopy{c.Response()}, c.Request(), "", img.CreatedAt, obj)
	return nil
}
