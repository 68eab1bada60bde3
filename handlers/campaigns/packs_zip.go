package campaigns

import (
	"archive/zip"
	"compress/flate"
	"io"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"

	"mitidportal/campaign"
)

// storedTypes are formats that are compressed already: deflating them again costs time and
// gains nothing, so the ZIP stores them. PDF is deflated: its text and structure compress, and
// its images are a small part of the campaign's flyers and guides.
var storedTypes = map[string]bool{"image/png": true, "image/jpeg": true, "video/mp4": true, "application/zip": true}

// zipBuffers are the copy buffers of the ZIP streams: 64 kB each, reused across requests.
var zipBuffers = sync.Pool{New: func() any { b := make([]byte, 64<<10); return &b }}

// PackZip sends the items of a pack the visitor may see as one ZIP, written straight to the
// response while each file is read from the store: no temporary file, no file in memory, and
// the same visibility rule (embargo included) as every other pack route. The files are
// counted in memory like single downloads.
func (h *Handlers) PackZip(c echo.Context) error {
	ctx := c.Request().Context()
	v, err := h.viewer(c)
	if err != nil {
		return err
	}
	if !validSlug(c.Param("slug")) {
		return echo.ErrNotFound
	}
	pk, items, err := h.Packs.PackBySlug(ctx, v, c.Param("slug"))
	if err != nil {
		return err
	}
	var files []campaign.Item
	for _, it := range items {
		if it.Current.Version > 0 {
			files = append(files, it)
		}
	}
	if len(files) == 0 {
		return echo.ErrNotFound
	}
	// Every file is opened before the first byte goes out, so a missing file is an error page
	// and not a cut-off archive.
	objs := make([]io.ReadCloser, len(files))
	defer func() {
		for _, o := range objs {
			if o != nil {
				o.Close()
			}
		}
	}()
	for i, it := range files {
		if objs[i], err = h.open(c, it.Current.SHA256); err != nil {
			return err
		}
	}
	hd := c.Response().Header()
	hd.Set("Content-Type", "application/zip")
	hd.Set("Content-Disposition", attachment("MitID-"+pk.Slug+".zip"))
	hd.Set("Cache-Control", "private, no-store")
	c.Response().WriteHeader(http.StatusOK)

	zw := zip.NewWriter(c.Response())
	// The fastest deflate: a pack is streamed while the visitor waits.
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.BestSpeed)
	})
	buf := zipBuffers.Get().(*[]byte)
	defer zipBuffers.Put(buf)
	names := map[string]bool{}
	for i, it := range files {
		method := zip.Deflate
		if storedTypes[it.Current.MediaType] {
			method = zip.Store
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: uniqueName(names, it.Current.Filename),
			Method: method, Modified: it.Current.CreatedAt.In(h.Schedule.Location())})
		if err != nil {
			return err
		}
		// Once the answer has begun an error cannot become a page: it ends the connection,
		// and the client sees a broken archive rather than a complete-looking one.
		if _, err := io.CopyBuffer(w, objs[i], *buf); err != nil {
			panic(http.ErrAbortHandler)
		}
		objs[i].Close()
		objs[i] = nil
		if h.Downloads != nil {
			h.Downloads.Add(v, it.ID)
		}
	}
	if err := zw.Close(); err != nil {
		panic(http.ErrAbortHandler)
	}
	return nil
}

// uniqueName returns name, or "name (2).ext", "name (3).ext", ... when an earlier file of the
// archive already has it (compared without case: Windows and macOS would overwrite).
func uniqueName(taken map[string]bool, name string) string {
	ext := path.Ext(name)
	base := strings.TrimSuffix(name, ext)
	cand := name
	for n := 2; taken[strings.ToLower(cand)]; n++ {
		cand = base + " (" + strconv.Itoa(n) + ")" + ext
	}
	taken[strings.ToLower(cand)] = true
	return cand
}
