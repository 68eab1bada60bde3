package campaigns

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"mitidportal/blob"
	"mitidportal/campaign"
	"mitidportal/handlers/web"
)

// File downloads an item's current version. Like every pack route it answers 404 for an item
// the visitor may not see (embargoed, withdrawn, for members only), so that its existence is
// not told. It writes nothing: the download is counted in memory (campaign.Downloads).
func (h *Handlers) File(c echo.Context) error {
	v, it, err := h.visibleItem(c)
	if err != nil {
		return err
	}
	if it.Current.Version == 0 {
		return echo.ErrNotFound
	}
	return h.serveVersion(c, v, it, it.Current)
}

// FileVersion downloads an earlier (or the current) version of an item from its history.
func (h *Handlers) FileVersion(c echo.Context) error {
	v, it, err := h.visibleItem(c)
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(c.Param("n"))
	if err != nil || n <= 0 {
		return echo.ErrNotFound
	}
	vers, err := h.Packs.Versions(c.Request().Context(), v, it.ID)
	if err != nil {
		return err
	}
	for _, ver := range vers {
		if ver.Version == n {
			return h.serveVersion(c, v, it, ver)
		}
	}
	return echo.ErrNotFound
}

// Thumbnail shows the scaled image of an item's current version; an item without one shows
// its type icon on the page and has no thumbnail to ask for.
func (h *Handlers) Thumbnail(c echo.Context) error {
	_, it, err := h.visibleItem(c)
	if err != nil {
		return err
	}
	if it.Current.Thumb == "" {
		return echo.ErrNotFound
	}
	obj, err := h.open(c, it.Current.Thumb)
	if err != nil {
		return err
	}
	defer obj.Close()
	hd := c.Response().Header()
	hd.Set("Content-Type", "image/png")
	hd.Set("ETag", `"`+it.Current.Thumb+`"`)
	hd.Set("Cache-Control", cacheControl(it))
	http.ServeContent(c.Response(), c.Request(), "", it.Current.CreatedAt, obj)
	return nil
}

// visibleItem reads the item named in the URL if the visitor may see it; otherwise 404.
func (h *Handlers) visibleItem(c echo.Context) (campaign.Viewer, campaign.Item, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return campaign.Viewer{}, campaign.Item{}, echo.ErrNotFound
	}
	v, err := h.viewer(c)
	if err != nil {
		return v, campaign.Item{}, err
	}
	it, err := h.Packs.Item(c.Request().Context(), v, id)
	return v, it, err // campaign.ErrNotFound is a 404
}

func (h *Handlers) open(c echo.Context, sha string) (blob.Object, error) {
	store := h.Packs.Store()
	if store == nil {
		return nil, echo.ErrNotFound
	}
	obj, err := store.Open(c.Request().Context(), sha)
	if errors.Is(err, blob.ErrNotFound) {
		return nil, echo.ErrNotFound
	}
	return obj, err
}

// serveVersion sends a version's file through http.ServeContent, which answers Range (one
// range as 206, several as multipart/byteranges, an unsatisfiable one as 416), If-None-Match
// and If-Range against the ETag, the quoted SHA-256 of the content: the same bytes always have
// the same tag, on every instance and every store.
func (h *Handlers) serveVersion(c echo.Context, v campaign.Viewer, it campaign.Item, ver campaign.Version) error {
	obj, err := h.open(c, ver.SHA256)
	if err != nil {
		return err
	}
	defer obj.Close()
	hd := c.Response().Header()
	hd.Set("Content-Type", ver.MediaType)
	hd.Set("ETag", `"`+ver.SHA256+`"`)
	hd.Set("Content-Disposition", web.Attachment(ver.Filename))
	hd.Set("Cache-Control", cacheControl(it))
	// The file is never shown in the portal's origin: a PDF's scripts cannot run here.
	hd.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	http.ServeContent(zeroCopy{c.Response()}, c.Request(), "", ver.CreatedAt, obj)
	if counts(c) && h.Downloads != nil && !v.Editor { // editors checking their work are no audience
		h.Downloads.Add(v, it.ID)
	}
	return nil
}

// zeroCopy lets http.ServeContent hand a file on disk to the kernel (sendfile) as it would
// without echo: echo's Response has no ReadFrom, so every byte would pass through a 32 kB
// buffer in the process. It keeps the Response's byte count (the access log and metrics).
type zeroCopy struct{ *echo.Response }

func (w zeroCopy) ReadFrom(r io.Reader) (int64, error) {
	rf, ok := w.Writer.(io.ReaderFrom)
	if !ok || !w.Committed {
		return io.Copy(struct{ io.Writer }{w.Response}, r)
	}
	n, err := rf.ReadFrom(r)
	w.Size += n
	return n, err
}

// counts reports whether the answer was a download to count: the whole file, or a range from
// its first byte (a download manager's first request); not a 304 and not the rest of a
// resumed download.
func counts(c echo.Context) bool {
	switch c.Response().Status {
	case http.StatusOK:
		return true
	case http.StatusPartialContent:
		return strings.HasPrefix(strings.TrimSpace(c.Request().Header.Get("Range")), "bytes=0-")
	}
	return false
}

// cacheControl lets a public item be kept by caches and browsers, other items only by the
// visitor's browser; both must ask again each time (no-cache), so a withdrawn item or one whose
// audience changed is never served from a cache: the ETag makes asking again cheap.
func cacheControl(it campaign.Item) string {
	// A draft shown to a feedback round's forum members is never public, whatever its
	// visibility will be once published.
	if it.Visibility == campaign.VisiblePublic && it.Status == campaign.ItemPublished {
		return "public, no-cache"
	}
	return "private, no-cache"
}
