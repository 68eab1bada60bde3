package web

import (
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"mitidportal/blob"
	"mitidportal/support"
)

// maxUploadBody bounds a multipart request (the contact form with its files). It is larger
// than the 25 MB the files may have together so that a form a little over gets its field
// error; a body over this fails to parse and the request is refused as a whole.
const maxUploadBody = support.MaxAttachments*support.MaxAttachmentBytes + 1<<20

// LimitUploads bounds the body of every multipart request, before anything (the CSRF check)
// parses it: without it a form could stream gigabytes into temporary files. A route whose
// Access streams uploads (Access.Upload) raises the bound for its own requests, once their
// roles are checked and before anything has read the body.
func LimitUploads(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if isMultipart(r) {
			r.Body = &uploadBody{w: c.Response(), body: r.Body, limit: maxUploadBody}
		}
		return next(c)
	}
}

func isMultipart(r *http.Request) bool {
	return strings.HasPrefix(strings.ToLower(r.Header.Get("Content-Type")), "multipart/")
}

// uploadBody is a multipart body under its bound; the http.MaxBytesReader is made on the first
// read, so the route can still raise the bound before that.
type uploadBody struct {
	w     http.ResponseWriter
	body  io.ReadCloser
	limit int64
	r     io.ReadCloser
}

func (b *uploadBody) Read(p []byte) (int, error) {
	if b.r == nil {
		b.r = http.MaxBytesReader(b.w, b.body, b.limit)
	}
	return b.r.Read(p)
}

func (b *uploadBody) Close() error { return b.body.Close() }

// allowUpload raises the request's body bound to max for a route that streams uploads.
func allowUpload(r *http.Request, max int64) {
	if b, ok := r.Body.(*uploadBody); ok && b.r == nil {
		b.limit = max
	}
}

// streamedCSRFToken reads the CSRF token of a streamed upload from the form's first part
// without parsing the rest of the body (the file): a streamed form puts its csrf_token first.
// The reader stays with the request for UploadParts.
func streamedCSRFToken(c echo.Context, st *State) string {
	mr, err := c.Request().MultipartReader()
	if err != nil {
		return ""
	}
	st.parts = mr
	p, err := mr.NextPart()
	if err != nil || p.FormName() != csrfFormField {
		return ""
	}
	b, _ := io.ReadAll(io.LimitReader(p, 256))
	return string(b)
}

// ErrNotMultipart answers an upload route sent something other than a multipart form.
var ErrNotMultipart = errors.New("web: not a multipart form")

// UploadParts returns the parts of a streamed upload's form (Access.Upload) still to be read,
// in the order sent: after the CSRF token when the form carried it, or all of them when the
// token came in the X-CSRF-Token header.
func UploadParts(c echo.Context) (*multipart.Reader, error) {
	if st := StateOf(c); st != nil && st.parts != nil {
		return st.parts, nil
	}
	if !isMultipart(c.Request()) {
		return nil, ErrNotMultipart
	}
	mr, err := c.Request().MultipartReader()
	if err != nil {
		return nil, ErrNotMultipart
	}
	if st := StateOf(c); st != nil {
		st.parts = mr
	}
	return mr, nil
}

// Uploads reads the files of field name from a multipart form, checks them by content
// (support.SniffType) and the limits of support, and stores them in files. A broken rule is a
// *support.Error for the field; files already stored by then stay in the content store
// unreferenced (content-addressed: harmless, and the same file sent again is not stored twice).
func Uploads(c echo.Context, files blob.Store, name string) ([]support.NewAttachment, error) {
	form, err := c.MultipartForm()
	if err != nil {
		return nil, nil // not multipart (or nothing sent): no files
	}
	var heads []*multipart.FileHeader
	for _, fh := range form.File[name] {
		if fh.Filename != "" || fh.Size > 0 { // an empty file input sends one empty part
			heads = append(heads, fh)
		}
	}
	if len(heads) == 0 {
		return nil, nil
	}
	if files == nil {
		return nil, support.ErrAttachmentType
	}
	if len(heads) > support.MaxAttachments {
		return nil, support.ErrAttachmentsTooMany
	}
	var total int64
	for _, fh := range heads {
		if fh.Size > support.MaxAttachmentBytes {
			return nil, support.ErrAttachmentTooLarge
		}
		total += fh.Size
	}
	if total > support.MaxAttachmentsBytes {
		return nil, support.ErrAttachmentsTotal
	}
	var out []support.NewAttachment
	for _, fh := range heads {
		a, err := storeUpload(c, files, fh)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

func storeUpload(c echo.Context, files blob.Store, fh *multipart.FileHeader) (support.NewAttachment, error) {
	f, err := fh.Open()
	if err != nil {
		return support.NewAttachment{}, err
	}
	defer f.Close()
	head := make([]byte, 512)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return support.NewAttachment{}, err
	}
	if n == 0 {
		return support.NewAttachment{}, support.ErrAttachmentEmpty
	}
	typ, ok := support.SniffType(head[:n])
	if !ok {
		return support.NewAttachment{}, support.ErrAttachmentType
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return support.NewAttachment{}, err
	}
	info, err := files.Put(c.Request().Context(), f, support.MaxAttachmentBytes)
	if errors.Is(err, blob.ErrTooLarge) {
		return support.NewAttachment{}, support.ErrAttachmentTooLarge
	}
	if err != nil {
		return support.NewAttachment{}, err
	}
	return support.NewAttachment{Name: support.SanitizeName(fh.Filename), ContentType: typ, Size: info.Size,
		SHA256: info.SHA256}, nil
}
