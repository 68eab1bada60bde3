package campaigns

import (
	"archive/zip"
	"compress/flate"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"mitidportal/campaign"
	"mitidportal/handlers/web"
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
	entries := zipEntries(files, h.Schedule.Location())
	hd := c.Response().Header()
	hd.Set("Content-Type", "application/zip")
	hd.Set("Content-Disposition", web.Attachment("MitID-"+pk.Slug+".zip"))
	hd.Set("Cache-Control", "private, no-store")
	if n, ok := zipLength(entries); ok {
		// Known when no file is deflated: the browser shows progress, and the body goes out
		// without chunked encoding.
		hd.Set("Content-Length", strconv.FormatInt(n, 10))
	}
	c.Response().WriteHeader(http.StatusOK)

	zw := zip.NewWriter(c.Response())
	// The fastest deflate: a pack is streamed while the visitor waits.
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.BestSpeed)
	})
	buf := zipBuffers.Get().(*[]byte)
	defer zipBuffers.Put(buf)
	for i, e := range entries {
		// Once the answer has begun an error cannot become a page: it ends the connection,
		// and the client sees a broken archive rather than a complete-looking one.
		if err := writeEntry(zw, e, objs[i], *buf); err != nil {
			panic(http.ErrAbortHandler)
		}
		objs[i].Close()
		objs[i] = nil
		if h.Downloads != nil && !v.Editor {
			h.Downloads.Add(v, files[i].ID)
		}
	}
	if err := zw.Close(); err != nil {
		panic(http.ErrAbortHandler)
	}
	return nil
}

// zipEntry is a file of the archive: its header and whether it is stored as it is.
type zipEntry struct {
	header   *zip.FileHeader
	stored   bool
	crcKnown bool // the header carries the CRC-32 computed on upload
	size     int64
}

// zipEntries names the files (a clash gets " (2)") and chooses their methods.
func zipEntries(files []campaign.Item, loc *time.Location) []zipEntry {
	names := map[string]bool{}
	entries := make([]zipEntry, len(files))
	for i, it := range files {
		fh := &zip.FileHeader{Name: uniqueName(names, it.Current.Filename), Method: zip.Deflate,
			Modified: it.Current.CreatedAt.In(loc)}
		e := zipEntry{header: fh, size: it.Current.Size}
		if storedTypes[it.Current.MediaType] {
			fh.Method = zip.Store
			fh.CompressedSize64, fh.UncompressedSize64 = uint64(it.Current.Size), uint64(it.Current.Size)
			setRawModTime(fh)
			e.stored = true
			if it.Current.CRC32 >= 0 {
				// Written raw with sizes and checksum known from the upload: the download only
				// copies bytes.
				fh.CRC32, e.crcKnown = uint32(it.Current.CRC32), true
			} else {
				// A version stored before checksums were kept: its CRC-32 is taken while it is
				// copied and follows the data in the data descriptor (bit 3), and so does the
				// central directory's.
				fh.Flags = 0x8
			}
		}
		entries[i] = e
	}
	return entries
}

// setRawModTime writes fh.Modified into the header's own fields the way CreateHeader does:
// CreateRaw writes the header as it is, so without this a stored file has no date (unzip shows
// 1980-00-00). The MS-DOS date and time are local to Modified's zone; the extended timestamp
// (Info-ZIP's, what CreateHeader writes too) carries the exact second.
func setRawModTime(fh *zip.FileHeader) {
	t := fh.Modified
	if t.Year() < 1980 {
		t = time.Date(1980, 1, 1, 0, 0, 0, 0, t.Location())
	}
	// The MS-DOS fields are deprecated for Modified, which CreateRaw does not read: they are
	// what it writes, and what Windows shows.
	//lint:ignore SA1019 CreateRaw writes only these fields
	fh.ModifiedDate = uint16(t.Day() + int(t.Month())<<5 + (t.Year()-1980)<<9)
	//lint:ignore SA1019 CreateRaw writes only these fields
	fh.ModifiedTime = uint16(t.Second()/2 + t.Minute()<<5 + t.Hour()<<11)
	var ext [9]byte
	binary.LittleEndian.PutUint16(ext[0:], 0x5455) // extended timestamp
	binary.LittleEndian.PutUint16(ext[2:], 5)      // its size: flags and one time
	ext[4] = 1                                     // the modification time only
	binary.LittleEndian.PutUint32(ext[5:], uint32(fh.Modified.Unix()))
	fh.Extra = append(fh.Extra, ext[:]...)
}

// writeEntry writes one file into the archive, copying it from r through buf.
func writeEntry(zw *zip.Writer, e zipEntry, r io.Reader, buf []byte) error {
	if !e.stored {
		w, err := zw.CreateHeader(e.header)
		if err != nil {
			return err
		}
		_, err = io.CopyBuffer(w, r, buf)
		return err
	}
	w, err := zw.CreateRaw(e.header)
	if err != nil {
		return err
	}
	if e.crcKnown {
		n, err := io.CopyBuffer(w, r, buf)
		if err == nil && n != e.size {
			err = fmt.Errorf("zip: %s has %d bytes, the store said %d", e.header.Name, n, e.size)
		}
		return err
	}
	sum := crc32.NewIEEE()
	n, err := io.CopyBuffer(io.MultiWriter(w, sum), r, buf)
	if err != nil {
		return err
	}
	if n != e.size {
		return fmt.Errorf("zip: %s has %d bytes, the store said %d", e.header.Name, n, e.size)
	}
	// The writer keeps this header and writes its data descriptor and central directory
	// entry from it when the next file begins or the archive closes.
	e.header.CRC32 = sum.Sum32()
	return nil
}

// zipLength is the archive's exact length, known when every file is stored: the same headers
// written to a counter, with the files' bytes counted, not read. Deflated files: unknown.
func zipLength(entries []zipEntry) (int64, bool) {
	var cw countWriter
	zw := zip.NewWriter(&cw)
	for _, e := range entries {
		if !e.stored {
			return 0, false
		}
		fh := *e.header
		w, err := zw.CreateRaw(&fh)
		if err != nil {
			return 0, false
		}
		for left := e.size; left > 0; {
			n := min(left, int64(len(zeros)))
			if _, err := w.Write(zeros[:n]); err != nil {
				return 0, false
			}
			left -= n
		}
	}
	if err := zw.Close(); err != nil {
		return 0, false
	}
	return cw.n, true
}

// zeros stands in for a file's bytes when the archive's length is counted: only its length
// is used.
var zeros = make([]byte, 1<<20)

// countWriter counts what is written to it and keeps nothing.
type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

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
