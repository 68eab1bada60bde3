package campaigns

import (
	"errors"
	"io"
	"mime/multipart"
	"net/http"

	"github.com/labstack/echo/v4"

	"mitidportal/campaign"
	"mitidportal/fault"
	"mitidportal/handlers/web"
	"mitidportal/views"
)

// An editor's upload is streamed: the multipart body is read part by part
// (web.UploadParts, on a route whose Access is Upload(UploadBody)) and the file part goes
// straight into the content store while it is hashed (campaign.Packs.keep). Nothing parses the
// form into memory or a temporary file. For that the form's text fields must come BEFORE its
// file part (the views put the file input last): they are read and checked first, and a form
// with errors is refused before a byte of its file is stored.

// UploadBody is the body an upload route takes: the largest file and room for the fields.
const UploadBody = campaign.MaxItemSize + 1<<20

// maxFieldBytes bounds one text field of an upload form; a longer one is refused by its
// input rule (the longest field, a description, has campaign.MaxSummary characters).
const maxFieldBytes = 4*campaign.MaxSummary + 64

// streamedForm is an upload form as read up to its file.
type streamedForm struct {
	views.Form
	file *multipart.Part // nil when the form ended without a file part
}

// readUpload reads the named text fields of a streamed form, each checked against its input
// rule, up to the part named "file", which it leaves unread. A body over the route's bound is
// campaign.ErrFileTooLarge; a body that is no multipart form is a 400.
func readUpload(c echo.Context, names ...string) (streamedForm, error) {
	sf := streamedForm{Form: views.Form{Values: map[string]string{}}}
	parts, err := web.UploadParts(c)
	if err != nil {
		return sf, echo.NewHTTPError(http.StatusBadRequest, "not a multipart form")
	}
	wanted := map[string]bool{}
	for _, n := range names {
		wanted[n] = true
	}
	for {
		p, err := parts.NextPart()
		if errors.Is(err, io.EOF) {
			return sf, nil
		}
		if err != nil {
			return sf, bodyError(err)
		}
		if p.FormName() == "file" {
			sf.file = p
			return sf, nil
		}
		if !wanted[p.FormName()] {
			continue // the CSRF token sent in the header's stead, or a field nobody reads
		}
		raw, err := io.ReadAll(io.LimitReader(p, maxFieldBytes))
		if err != nil {
			return sf, bodyError(err)
		}
		v, fe := web.CheckText(p.FormName(), string(raw), false)
		sf.Values[p.FormName()] = v
		if fe != nil && sf.ErrorFor(fe.Field) == nil {
			sf.Errors = append(sf.Errors, *fe)
		}
	}
}

// fileSniffer is the domain's reading of an upload's first bytes (campaign.SniffItem,
// forum.SniffFile, site.SniffImage): its type, or the rule it breaks.
type fileSniffer func(io.Reader) (string, io.Reader, error)

// checkFile adds the file's own error to a form refused for its other fields, read from the
// file's first bytes by the domain's sniff, so that the person sees every wrong field at
// once; nothing of the file is stored. A form without errors leaves the file to the domain,
// which checks it again as it stores it.
func (sf *streamedForm) checkFile(f *views.Form, sniff fileSniffer, fields map[*fault.Error]string) error {
	if sf.file == nil || !f.HasErrors() {
		return nil
	}
	_, _, err := sniff(sf.file)
	if err == nil {
		return nil
	}
	if _, isRule := fault.Rule(err); !isRule {
		return bodyError(err)
	}
	return fieldError(f, err, fields, "file")
}

// bodyError is a failure reading the body: over its bound, the file is too large; a broken
// form is the sender's fault (400), never a 500.
func bodyError(err error) error {
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return campaign.ErrFileTooLarge
	}
	return echo.NewHTTPError(http.StatusBadRequest, "broken multipart form")
}

// finish reads what is left of a refused upload's body (at most the route's bound), so the
// browser, still sending, gets the page with the errors instead of a reset connection.
func finish(c echo.Context) {
	_, _ = io.Copy(io.Discard, c.Request().Body)
}

// fileFields name the field a rule of an upload belongs to.
var fileFields = map[*fault.Error]string{
	campaign.ErrFileEmpty: "file", campaign.ErrFileType: "file", campaign.ErrFileTooLarge: "file",
	campaign.ErrNoteTooLong: "change_note", campaign.ErrItemKindInvalid: "kind",
	campaign.ErrAudienceInvalid: "item_audience", campaign.ErrLangInvalid: "lang",
	campaign.ErrVisibilityInvalid: "visibility", campaign.ErrNameTooLong: "item_title",
	campaign.ErrTitleRequired: "item_title",
}

// uploadError shows a refused upload at its field; a broken body (400) or anything else goes
// to the error page.
func uploadError(f *views.Form, err error) error {
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		err = campaign.ErrFileTooLarge // the body went over its bound while the file was stored
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		return err
	}
	return fieldError(f, err, fileFields, "file")
}
