package mail

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"strings"

	"golang.org/x/text/encoding/htmlindex"
)

// ErrNoText is a message without a text/plain part.
var ErrNoText = errors.New("mail: no text/plain part")

// DecodeHeader decodes a header's RFC 2047 encoded words in any charset mail clients use; a
// header that cannot be decoded comes back as it is.
func DecodeHeader(v string) string {
	dec := &mime.WordDecoder{CharsetReader: CharsetReader}
	s, err := dec.DecodeHeader(v)
	if err != nil {
		return v
	}
	return s
}

// PlainText returns the first text/plain part of a message body of type contentType and
// transfer encoding encoding, decoded to UTF-8 from its charset where the charset is known (an
// unknown one is read as it is: the caller repairs what is not UTF-8).
func PlainText(contentType, encoding string, body io.Reader) (string, error) {
	return textPart(contentType, encoding, body, 0)
}

func textPart(contentType, encoding string, body io.Reader, depth int) (string, error) {
	if contentType == "" {
		contentType = "text/plain"
	}
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return "", err
	}
	switch {
	case mediaType == "text/plain":
		r := TransferDecode(encoding, body)
		if cr, err := CharsetReader(params["charset"], r); err == nil {
			r = cr
		}
		b, err := io.ReadAll(r)
		return string(b), err
	case strings.HasPrefix(mediaType, "multipart/") && depth < 5:
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if errors.Is(err, io.EOF) {
				return "", ErrNoText
			}
			if err != nil {
				return "", err
			}
			text, err := textPart(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p, depth+1)
			if err == nil {
				return text, nil
			}
		}
	}
	return "", ErrNoText
}

// TransferDecode undoes a part's Content-Transfer-Encoding (quoted-printable, base64); other
// encodings are read as they are.
func TransferDecode(encoding string, r io.Reader) io.Reader {
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "quoted-printable":
		return quotedprintable.NewReader(r)
	case "base64":
		return base64.NewDecoder(base64.StdEncoding, r)
	}
	return r
}

// CharsetReader decodes text in a named charset to UTF-8; mail clients still send ISO-8859-1
// and windows-1252. The names are read as browsers read them (WHATWG), so "iso-8859-1" is
// windows-1252, its superset.
func CharsetReader(charset string, r io.Reader) (io.Reader, error) {
	switch strings.ToLower(strings.TrimSpace(charset)) {
	case "", "utf-8", "utf8", "us-ascii":
		return r, nil
	}
	enc, err := htmlindex.Get(charset)
	if err != nil {
		return nil, fmt.Errorf("mail: charset %q: %w", charset, err)
	}
	return enc.NewDecoder().Reader(r), nil
}
