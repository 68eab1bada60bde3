package campaigns

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"mitidportal/campaign"
	"mitidportal/campaign/site"
	"mitidportal/handlers/web"
	"mitidportal/views"
)

// ImageBody is the body the image upload route takes: the largest image and room for the
// fields.
const ImageBody = site.MaxImage + 1<<20

// SitePublish publishes a page now or schedules it at a date and time in Danish time (typed
// dd-mm-åååå, tt:mm, as for packs). It pins the newest text of both languages; a page that
// lacks a language is refused at the form.
func (s *Handlers) SitePublish(c echo.Context) error {
	pg, err := s.editorPage(c)
	if err != nil {
		return err
	}
	f := web.FormOf(c, "when", "release_date", "release_time")
	now := s.Now()
	release, notice := now, "udgivet"
	switch f.Values["when"] {
	case "now":
	case "later":
		release, notice = s.releaseAt(&f, now), "planlagt"
	default:
		addError(&f, "when", "site.editor.publish.when_required")
	}
	again := func() error { return s.renderSitePage(c, web.StatusInvalid, pg, f, views.Form{}, "") }
	if f.HasErrors() {
		return again()
	}
	if err := s.Pages.Publish(c.Request().Context(), staffID(c), pg.ID, release); err != nil {
		if err := fieldError(&f, err, siteFields, "when"); err != nil {
			return err
		}
		return again()
	}
	return s.Redirect(c, sitePageHref(pg.Slug)+"?udfoert="+notice)
}

// SiteUnpublish takes a page back from visitors.
func (s *Handlers) SiteUnpublish(c echo.Context) error {
	pg, err := s.editorPage(c)
	if err != nil {
		return err
	}
	if err := s.Pages.Unpublish(c.Request().Context(), staffID(c), pg.ID); err != nil {
		return err
	}
	return s.Redirect(c, sitePageHref(pg.Slug)+"?udfoert=afpubliceret")
}

// SiteImageUpload stores an image for pages: the alt text first, then the file, streamed into
// the file store (readUpload, as the packs' uploads). The page shows the Markdown to paste.
func (s *Handlers) SiteImageUpload(c echo.Context) error {
	pg, err := s.editorPage(c)
	if err != nil {
		finish(c)
		return err
	}
	sf, err := readUpload(c, "alt")
	if err != nil {
		if err := fieldError(&sf.Form, imageErr(err), siteFields, "file"); err != nil {
			return err
		}
	}
	again := func() error {
		finish(c)
		return s.renderSitePage(c, web.StatusInvalid, pg, views.Form{}, sf.Form, "")
	}
	web.Require(&sf.Form, sf.Values, [2]string{"alt", site.ErrAltRequired.MsgID})
	if sf.file == nil && sf.ErrorFor("file") == nil {
		addError(&sf.Form, "file", site.ErrImageEmpty.MsgID)
	}
	if err := sf.checkFile(&sf.Form, site.SniffImage, siteFields); err != nil {
		return err
	}
	if sf.HasErrors() {
		return again()
	}
	if _, err := s.Pages.AddImage(c.Request().Context(), staffID(c), sf.Values["alt"], sf.file); err != nil {
		if err := fieldError(&sf.Form, imageErr(err), siteFields, "file"); err != nil {
			return err
		}
		return again()
	}
	return s.Redirect(c, sitePageHref(pg.Slug)+"?udfoert=billede")
}

// imageErr is a refused upload as the page's rules name it: a body over the route's bound is
// an image too large; a broken form stays a 400.
func imageErr(err error) error {
	var mb *http.MaxBytesError
	if errors.As(err, &mb) || errors.Is(err, campaign.ErrFileTooLarge) {
		return site.ErrImageTooLarge
	}
	return err
}
