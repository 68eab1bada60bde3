package web

import (
	"encoding/csv"
	"io"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
)

// Attachment is a Content-Disposition that saves the file under name (RFC 6266): a quoted
// ASCII filename for old clients and, when the name is not plain ASCII, filename* in UTF-8
// (RFC 5987, which mime.FormatMediaType writes) that current browsers prefer.
func Attachment(name string) string {
	fallback := asciiName(name)
	d := `attachment; filename="` + fallback + `"`
	if fallback != name {
		// Only for a name beyond ASCII does FormatMediaType write filename*; for an ASCII name
		// with quotes it would write a second plain filename, which the fallback replaces.
		if ext := mime.FormatMediaType("attachment", map[string]string{"filename": name}); strings.Contains(ext, "filename*=") {
			d += strings.TrimPrefix(ext, "attachment")
		}
	}
	return d
}

// asciiTranslit spells the Danish letters and the dashes of typical titles in ASCII.
var asciiTranslit = strings.NewReplacer("æ", "ae", "ø", "oe", "å", "aa", "Æ", "Ae", "Ø", "Oe", "Å", "Aa",
	"–", "-", "—", "-", "é", "e", "ü", "u", "ö", "o", "ä", "a")

// asciiName is name in printable ASCII without quotes or backslashes (so it needs no escaping
// inside the quotes): Danish letters spelled out, anything else "_".
func asciiName(name string) string {
	name = asciiTranslit.Replace(name)
	var b strings.Builder
	for _, r := range name {
		if r < 0x20 || r >= 0x7f || r == '"' || r == '\\' || r == utf8.RuneError {
			b.WriteByte('_')
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// CSV is a download for Excel as Danish settings read it: UTF-8 with a byte order mark,
// semicolons, CRLF. Its cells are often typed by someone else than the person who opens the
// file (case texts, titles, comments), so every cell is made safe against formula injection.
type CSV struct {
	w   *csv.Writer
	out io.Writer
}

// StartCSV sends the headers of a CSV download saved as filename and the byte order mark; the
// rows follow with Write, so a long export streams as it is read.
func StartCSV(c echo.Context, filename string) *CSV {
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	h.Set(echo.HeaderContentDisposition, Attachment(filename))
	h.Set(echo.HeaderCacheControl, "private, no-store")
	c.Response().WriteHeader(http.StatusOK)
	return NewCSV(c.Response())
}

// NewCSV writes the byte order mark to w and returns a CSV writing to it.
func NewCSV(w io.Writer) *CSV {
	_, _ = w.Write([]byte("\uFEFF")) // a failed write shows again at Flush
	cw := csv.NewWriter(w)
	cw.Comma = ';'
	cw.UseCRLF = true
	return &CSV{w: cw, out: w}
}

// Write writes one row, each cell made safe (SafeCell).
func (c *CSV) Write(row []string) error {
	safe := make([]string, len(row))
	for i, s := range row {
		safe[i] = SafeCell(s)
	}
	return c.w.Write(safe)
}

// Flush sends what is buffered, through to the client when writing a response, and reports
// the first write error (usually: the client left).
func (c *CSV) Flush() error {
	c.w.Flush()
	if f, ok := c.out.(http.Flusher); ok && c.w.Error() == nil {
		f.Flush()
	}
	return c.w.Error()
}

// SendCSV answers with rows as a CSV download saved as filename.
func SendCSV(c echo.Context, filename string, rows [][]string) error {
	out := StartCSV(c, filename)
	for _, row := range rows {
		if err := out.Write(row); err != nil {
			return nil // the client went away; the status is sent already
		}
	}
	_ = out.Flush()
	return nil
}

// SafeCell keeps a spreadsheet from reading a cell as a formula (CSV injection): a cell that
// starts with = + - @ (or a tab or carriage return, which some spreadsheets skip before one)
// gets a leading apostrophe, which shows as text.
func SafeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
