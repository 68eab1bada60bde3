package blob

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// sniffLen is how many first bytes Sniff looks at: all that http.DetectContentType reads.
const sniffLen = 512

// Sniff reads the first bytes of an upload and returns their media type as
// http.DetectContentType names it (without parameters: "text/plain", not "text/plain;
// charset=utf-8"), never by the name or type the sender claims, and a reader that yields the
// whole upload again, those bytes first. An upload without a byte has no type: empty is true.
// err is a failure reading the upload.
func Sniff(body io.Reader) (mediaType string, whole io.Reader, empty bool, err error) {
	head := make([]byte, sniffLen)
	n, err := io.ReadFull(body, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return "", nil, false, fmt.Errorf("upload: %w", err)
	}
	if n == 0 {
		return "", nil, true, nil
	}
	head = head[:n]
	mediaType, _, _ = strings.Cut(http.DetectContentType(head), ";")
	return mediaType, io.MultiReader(bytes.NewReader(head), body), false, nil
}

// SniffKind is Sniff for an upload that must be of a kind: errEmpty when it has no byte,
// errType when allowed refuses its type (each domain's own refusals, in its own words).
func SniffKind(body io.Reader, allowed func(mediaType string) bool, errEmpty, errType error) (string, io.Reader, error) {
	mediaType, whole, empty, err := Sniff(body)
	switch {
	case err != nil:
		return "", nil, err
	case empty:
		return "", nil, errEmpty
	case !allowed(mediaType):
		return "", nil, errType
	}
	return mediaType, whole, nil
}
